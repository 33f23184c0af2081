"""mediamon: a media-monitoring research toolkit for news corpora.

Load a corpus (:func:`read_corpus`), index it (:func:`index`), look at every mention of an actor in
context (:func:`kwic`, :func:`mentions`), measure who appears with whom (:func:`cooccurrence`,
:func:`collocates`), follow it over time (:func:`timeline`) and run the analysis as Papermill reports
(:func:`run_report`). Importing the package does no I/O.
"""

from __future__ import annotations

from .lazy import lazy_exports

__version__ = "0.1.0"

# Public name -> module. Resolved lazily so `import mediamon` stays cheap and side-effect free.
_EXPORTS: dict[str, str] = {
    "Corpus": "corpus",
    "read_corpus": "readers",
    "TokenIndex": "tokenindex",
    "index": "shards",
    "normalize": "text",
    "tokenize": "text",
    "Actor": "actors",
    "ActorSet": "actors",
    "read_actors": "actors",
    "mentions": "analysis.mentions",
    "Mentions": "analysis.mentions",
    "kwic": "analysis.kwic",
    "Kwic": "analysis.kwic",
    "cooccurrence": "analysis.cooc",
    "Cooc": "analysis.cooc",
    "Evidence": "analysis.cooc",
    "collocates": "analysis.collocates",
    "Collocates": "analysis.collocates",
    "word_pairs": "analysis.collocates",
    "timeline": "analysis.timeline",
    "Timeline": "analysis.timeline",
    "keyness": "analysis.keyness",
    "Keyness": "analysis.keyness",
    "bursts": "analysis.bursts",
    "Bursts": "analysis.bursts",
    "pair_trends": "analysis.bursts",
    "PairTrends": "analysis.bursts",
    "quotes": "analysis.quotes",
    "Quotes": "analysis.quotes",
    "near_duplicates": "analysis.duplicates",
    "NearDuplicates": "analysis.duplicates",
    "suggest_aliases": "analysis.aliases",
    "AliasSuggestions": "analysis.aliases",
    "plot_timeline": "plot",
    "plot_cooc_heatmap": "plot",
    "plot_network": "plot",
    "plot_collocates": "plot",
    "plot_dispersion": "plot",
    "browse": "explore",
    "show_document": "explore",
    "plot_keyness": "plot",
    "plot_bursts": "plot",
    "run_report": "report",
    "run_batch": "report",
    "ReportRun": "report",
    "MediamonError": "errors",
    "ingest": "ingestion",
    "open_store": "store",
    "ShardedCorpus": "store",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
