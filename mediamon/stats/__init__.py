"""The statistics mediamon computes, as pure vectorised functions of counts.

Nothing here knows about corpora, indexes or shards: each function takes arrays of counts (the cells
and margins of 2×2 contingency tables, counts per period) and returns arrays of scores, with its
formula and a reference in its docstring. The analyses in :mod:`mediamon.analysis` count; these
modules score: :mod:`~mediamon.stats.assoc` (association of two items).
"""
