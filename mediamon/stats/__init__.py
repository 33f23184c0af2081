"""The statistics mediamon computes: pure, vectorised functions of counts.

Nothing here knows about corpora, indexes or shards: each function takes arrays of counts (the cells
and margins of 2×2 contingency tables, counts per period) and returns arrays of scores, with its
formula and a reference in its docstring. The analyses in :mod:`mediamon.analysis` count; these
modules score:

- :mod:`.assoc`: association of two items (PMI, NPMI, log-likelihood, chi², Dice, logDice, ...);
- :mod:`.keyness`: words of a target against a reference (chi², G², log ratio, %DIFF, simple maths,
  Fisher's exact test);
- :mod:`.adjust`: p-values corrected for the number of tests (Benjamini–Hochberg,
  Benjamini–Yekutieli, Bonferroni);
- :mod:`.bursts`: bursts of attention in counts per period (Kleinberg's automaton and a
  rolling-baseline test);
- :mod:`.trends`: association with confidence intervals per period, and rises above a baseline;
- :mod:`.intervals`: the confidence intervals they share.

Every function is checked against scipy, NLTK, hand-worked tables or a plain-Python reference.
"""
