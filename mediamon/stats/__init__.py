"""Statistics for corpus comparison and change over time: pure, vectorised functions of counts.

The modules here compute numbers from contingency counts and count series and know nothing about
corpora: :mod:`.keyness` scores words of a target against a reference (chi², G², log ratio, %DIFF,
simple maths, Fisher's exact test); :mod:`.adjust` corrects p-values for the number of tests
(Benjamini–Hochberg, Benjamini–Yekutieli, Bonferroni); :mod:`.bursts` finds bursts of attention in
counts per period (Kleinberg's automaton and a rolling-baseline test); :mod:`.trends` gives
association with confidence intervals per period and tests for a rise above a baseline;
:mod:`.intervals` holds the confidence intervals they share. Every function documents its formula
and its reference, and is checked against scipy, hand-worked tables or a plain-Python reference.
"""
