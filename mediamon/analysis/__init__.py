"""The analyses, each written once over shards (:mod:`mediamon.shards`).

Every analysis follows the same four steps: check the options (:mod:`mediamon.options`), count per
shard (a ``task_*`` function that one executor or another runs, :mod:`mediamon.executors`), combine
the partial counts exactly (a sum, :mod:`mediamon.partials`), and score and build the result
(:mod:`mediamon.results`). So each runs unchanged on an in-memory corpus, a store, a view of either,
in this process or on Dask, and gives the same table.

:mod:`~mediamon.analysis.mentions` (every actor mention), :mod:`~mediamon.analysis.kwic`
(concordances), :mod:`~mediamon.analysis.cooc` (who appears with whom),
:mod:`~mediamon.analysis.collocates` (words around a node, and all word pairs),
:mod:`~mediamon.analysis.timeline` (attention over time), :mod:`~mediamon.analysis.keyness` (what is
distinctive of a view or of an actor's contexts), :mod:`~mediamon.analysis.bursts` (when attention
to an actor or a pair rose), :mod:`~mediamon.analysis.duplicates` (the ``dedupe`` option).
"""
