"""mediamon: a media-monitoring research toolkit for news corpora.

Load a corpus (:func:`read_corpus`), index it (:func:`index`), look at every mention of an actor in
context (:func:`kwic`, :func:`mentions`), measure who appears with whom (:func:`cooccurrence`,
:func:`collocates`), follow it over time (:func:`timeline`) and run the analysis as Papermill reports
(:func:`run_report`). Importing the package does no I/O.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

# Public name -> module. Resolved lazily so `import mediamon` stays cheap and side-effect free.
# No module is named like a function it exports (kwic lives in concordance.py, timeline in
# timelines.py, index in tokenindex.py): importing a submodule binds its name on the package, which
# would shadow the function of the same name.
_EXPORTS: dict[str, str] = {
    "Corpus": "corpus",
    "read_corpus": "readers",
    "TokenIndex": "tokenindex",
    "index": "tokenindex",
    "normalize": "text",
    "tokenize": "text",
    "Actor": "actors",
    "ActorSet": "actors",
    "read_actors": "actors",
    "mentions": "actors",
    "Mentions": "actors",
    "kwic": "concordance",
    "Kwic": "concordance",
    "cooccurrence": "cooc",
    "Cooc": "cooc",
    "collocates": "cooc",
    "Collocates": "cooc",
    "timeline": "timelines",
    "Timeline": "timelines",
    "plot_timeline": "plot",
    "plot_cooc_heatmap": "plot",
    "plot_network": "plot",
    "plot_collocates": "plot",
    "plot_dispersion": "plot",
    "browse": "explore",
    "show_document": "explore",
    "run_report": "report",
    "ReportRun": "report",
    "MediamonError": "errors",
    "ingest": "store",
    "open_store": "store",
    "ShardedCorpus": "store",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mediamon' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
