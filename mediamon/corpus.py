"""The :class:`Corpus`: an immutable table of documents plus the record of how it was loaded."""

from __future__ import annotations

import copy
import hashlib
import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from . import display
from .dates import parse_dates
from .errors import ColumnError, InputError
from .lang import detect_languages
from .sentences import BY_LANGUAGE
from .indexbuild import IndexBuild, start_index
from .tokenindex import TokenIndex

log = logging.getLogger(__name__)

#: Columns every ``Corpus.docs`` has, in this order; other metadata columns follow them.
DOC_COLUMNS: tuple[str, ...] = (
    "doc_id",
    "text",
    "title",
    "date",
    "source",
    "url",
    "lang",
    "dateline",
    "license",
    "body_start",
    "body_end",
)

#: Columns of ``Corpus.manifest``: one row per discovered input item.
MANIFEST_COLUMNS: tuple[str, ...] = (
    "item",
    "path",
    "line",
    "status",
    "reason",
    "doc_id",
    "duplicate_of",
    "message",
    "encoding",
    "replaced_chars",
    "nul_stripped",
)

STATUSES = ("loaded", "rejected", "skipped")


def empty_manifest() -> pd.DataFrame:
    """A manifest with no rows and the standard columns."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in MANIFEST_COLUMNS})


def standardise_docs(docs: pd.DataFrame) -> pd.DataFrame:
    """Return *docs* with every standard column present, typed, and in the standard order.

    Missing optional columns are added as missing values; ``body_start``/``body_end`` default to the
    whole text. ``doc_id`` must be present and unique.
    """
    if "doc_id" not in docs.columns or "text" not in docs.columns:
        raise ColumnError(
            f"Corpus(): docs need 'doc_id' and 'text' columns; columns are {list(docs.columns)}."
        )
    out = docs.reset_index(drop=True).copy()
    out["doc_id"] = out["doc_id"].astype(str)
    dup = out["doc_id"].duplicated()
    if dup.any():
        raise InputError(
            f"Corpus(): doc_id must be unique; repeated: {out.loc[dup, 'doc_id'].head(5).tolist()}."
        )
    out["text"] = out["text"].astype(str)
    for col in ("title", "source", "url", "dateline", "license"):
        if col not in out.columns:
            out[col] = pd.Series([None] * len(out), dtype="object")
    if "date" not in out.columns:
        out["date"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns, UTC]")
    elif not isinstance(out["date"].dtype, pd.DatetimeTZDtype):  # the same explicit rules as read_corpus()
        out["date"] = parse_dates(out["date"].reset_index(drop=True), what="Corpus() date")[0]
    given = out["lang"] if "lang" in out.columns else None
    out["lang"] = pd.Series(detect_languages(out["text"], given=given, strict=False), index=out.index, dtype=object)
    lengths = out["text"].str.len().to_numpy(dtype=np.int64)
    if "body_start" not in out.columns:
        out["body_start"] = 0
    if "body_end" not in out.columns:
        out["body_end"] = lengths
    out["body_start"] = out["body_start"].fillna(0).astype(np.int64)
    out["body_end"] = out["body_end"].fillna(pd.Series(lengths)).astype(np.int64)
    bad = (out["body_start"] < 0) | (out["body_end"] > lengths) | (out["body_start"] > out["body_end"])
    if bad.any():
        raise InputError(
            f"Corpus(): body_start/body_end outside the text for doc_id "
            f"{out.loc[bad, 'doc_id'].head(5).tolist()}."
        )
    rest = [c for c in out.columns if c not in DOC_COLUMNS]
    # A deep copy: the columns replaced above leave the others as views of the blocks they came
    # from, which would keep the replaced values (the texts as Python strings) alive with the corpus.
    return out[list(DOC_COLUMNS) + rest].copy(deep=True)


@dataclass(frozen=True, eq=False, repr=False)
class Corpus:
    """An immutable collection of news documents and the record of how they were loaded.

    Attributes
    ----------
    docs
        One row per document: ``doc_id`` (unique str), ``text`` (the original text, never altered),
        ``title``, ``date`` (tz-aware UTC or missing), ``source``, ``url``, ``lang`` (ISO 639-1: the
        data's value when it is a language code, else detected offline, :mod:`mediamon.lang`;
        ``"und"`` when undecidable), ``dateline``, ``license``,
        ``body_start``/``body_end`` (the article body inside ``text``, i.e. without the dateline and a
        trailing editor code or licence sentence), and every other metadata column that was read.
    manifest
        One row per discovered input item (file, or row of a table): ``status`` in
        {loaded, rejected, skipped}, a ``reason`` code, the ``path`` and ``line``. Derived corpora
        (``filter``, ``head`` ...) keep the manifest of the load they come from.
    name
        A label for displays and report provenance.

    Examples
    --------
    >>> import pandas as pd
    >>> c = Corpus(pd.DataFrame({"doc_id": ["a", "b"], "text": ["Putin met Raisi.", "Kazan."]}))
    >>> len(c), len(c.head(1))
    (2, 1)
    """

    docs: pd.DataFrame
    manifest: pd.DataFrame = field(default_factory=empty_manifest)
    name: str = "corpus"

    def __post_init__(self) -> None:
        object.__setattr__(self, "docs", standardise_docs(self.docs))
        manifest = self.manifest if self.manifest is not None else empty_manifest()
        object.__setattr__(self, "manifest", manifest.reset_index(drop=True))

    # -- basics -------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.docs)

    def __repr__(self) -> str:
        return f"<Corpus {self.name!r}: {len(self):,} documents, {self._date_span_text()}>"

    @cached_property
    def fingerprint(self) -> str:
        """A content hash of ids, texts, body spans and languages: equal corpora share it, any edit
        changes it (the language picks the sentence model, so it shapes the index)."""
        h = hashlib.blake2b(digest_size=16)
        h.update(str(len(self)).encode())
        for doc_id, text, start, end, lang in zip(
            self.docs["doc_id"], self.docs["text"], self.docs["body_start"], self.docs["body_end"], self.docs["lang"]
        ):
            h.update(f"\x1e{doc_id}\x1f{start}\x1f{end}\x1f{lang}\x1f".encode("utf-8", "surrogatepass"))
            h.update(text.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def column_values(self, name: str) -> np.ndarray:
        """A column of ``docs`` as a numpy object array, converted once and cached (for row lookups
        by position on hot paths such as KWIC)."""
        key = f"_values_{name}"
        cached = self.__dict__.get(key)
        if cached is None:
            if name not in self.docs.columns:
                raise ColumnError(
                    f"Corpus.column_values(): column {name!r} not found; columns are {list(self.docs.columns)}."
                )
            cached = self.docs[name].to_numpy(dtype=object)
            cached.flags.writeable = False
            self.__dict__[key] = cached
        return cached

    def _index_texts(self) -> pa.Array | np.ndarray:
        """The texts for :func:`~mediamon.indexbuild.build_index`: the Arrow column itself when the
        texts are Arrow strings (each batch becomes Python strings only while it is indexed), else
        the object array."""
        texts = self.docs["text"]
        if isinstance(texts.dtype, pd.StringDtype) and texts.dtype.storage == "pyarrow":
            return pa.array(texts)
        return self.column_values("text")

    def column_arrow(self, name: str) -> pa.Array:
        """A column of ``docs`` as an Arrow array (values of mixed types become strings)."""
        values = self.docs[name] if name in self.docs.columns else None
        if values is None:
            raise ColumnError(f"Corpus.column_arrow(): column {name!r} not found; columns are {list(self.docs.columns)}.")
        try:
            return pa.array(values, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return pa.array([None if v is None else str(v) for v in values.tolist()], type=pa.string())

    @cached_property
    def meta_table(self) -> pa.Table:
        """``doc_id, date, source, title, url`` as an Arrow table (for row lookups by position)."""
        cols = self.docs[["doc_id", "date", "source", "title", "url"]]
        return pa.Table.from_pandas(cols.astype({c: object for c in ["source", "title", "url"]}), preserve_index=False)

    def text_of(self, doc_id: str) -> str:
        """The original text of one document."""
        hits = self.docs.index[self.docs["doc_id"] == doc_id]
        if len(hits) == 0:
            raise InputError(f"Corpus.text_of(): no document with doc_id={doc_id!r}.")
        return self.docs.at[hits[0], "text"]

    @property
    def index(self) -> TokenIndex:
        """The token index of this corpus (the bundled news sentence model), built on first use and
        cached (see :meth:`token_index`)."""
        return self.token_index()

    def token_index(
        self,
        sentences: str = BY_LANGUAGE,
        *,
        cache_dir: str | os.PathLike[str] | None = None,
        progress: bool | None = None,
        workers: int | None = None,
    ) -> TokenIndex:
        """The token index of this corpus, built once and reused.

        Parameters
        ----------
        sentences
            Sentence model: ``"news"`` (the bundled news Punkt parameters of each document's
            language), a bundled model for all (``"news-en"``, ``"news-ru"``) or ``"nltk"`` /
            ``"nltk:<lang>"`` (an NLTK ``punkt_tab`` the user has installed).
        cache_dir
            Folder for an on-disk copy keyed by the corpus fingerprint (default: the
            ``MEDIAMON_CACHE`` environment variable, else memory only). A stale copy is never used.
        progress
            Show a progress bar; ``None`` shows it only in interactive sessions.
        workers
            Processes that index batches of documents (``1`` never forks; see
            :func:`mediamon.indexbuild.build_index`).
        """
        key = f"_index_{sentences}"
        cached = self.__dict__.get(key)
        if cached is not None:
            return cached
        folder = None
        cache_root = cache_dir if cache_dir is not None else os.environ.get("MEDIAMON_CACHE")
        if cache_root:
            safe = re.sub(r"[^A-Za-z0-9_-]", "_", sentences)
            folder = Path(cache_root) / f"index-{self.fingerprint}-{safe}"
            loaded = TokenIndex.load(folder, fingerprint=self.fingerprint)
            if loaded is not None:
                self.__dict__[key] = loaded
                return loaded
        built = self.start_token_index(sentences, progress=progress, workers=workers).result()
        if folder is not None:
            try:
                built.save(folder)
            except OSError as exc:  # a cache that cannot be written is not an error of the analysis
                log.warning("Corpus.token_index(): could not write the index cache to %s: %s", folder, exc)
        self.__dict__[key] = built
        return built

    def start_token_index(
        self, sentences: str = BY_LANGUAGE, *, progress: bool | None = None, workers: int | None = None
    ) -> IndexBuild:
        """Start building the token index (:func:`~mediamon.indexbuild.start_index`), neither cached
        nor looked up: worker processes index while the caller goes on (``ingest`` reads the next
        files), and ``.result()`` gives the index. Parameters as for :meth:`token_index`."""
        return start_index(
            self._index_texts(), self.docs["body_start"].to_numpy(), self.docs["body_end"].to_numpy(),
            fingerprint=self.fingerprint, doc_ids=self.docs["doc_id"].tolist(), sentences=sentences,
            langs=self.docs["lang"].tolist(), progress=progress, workers=workers,
        )  # fmt: skip

    def has_index(self, sentences: str = BY_LANGUAGE) -> bool:
        """Whether the token index for *sentences* is already built (or attached)."""
        return f"_index_{sentences}" in self.__dict__

    def attach_index(self, index: TokenIndex, sentences: str = BY_LANGUAGE) -> Corpus:
        """Use *index* as this corpus's token index (a store attaches its memory-mapped shard index).

        The index must have been built from these documents (same fingerprint).
        """
        if index.fingerprint != self.fingerprint:
            raise InputError(
                "Corpus.attach_index(): the index was built from other documents (fingerprint "
                f"{index.fingerprint[:12]}..., corpus {self.fingerprint[:12]}...)."
            )
        self.__dict__[f"_index_{sentences}"] = index
        return self

    # -- where it came from, and where its analyses run -----------------------------------------
    @property
    def base(self) -> Corpus:
        """The corpus this one was derived from by ``filter``/``between``/``sample``/``head`` (itself
        when it was loaded or built directly)."""
        return self.__dict__.get("_base") or self

    @property
    def base_rows(self) -> np.ndarray | None:
        """Rows of :attr:`base` that this corpus holds, in order (``None``: it is its own base)."""
        return self.__dict__.get("_base_rows")

    @property
    def executor(self) -> object:
        """The executor chosen with :meth:`using` (``None``: run in this process)."""
        return self.__dict__.get("_executor")

    def using(self, executor: object) -> Corpus:
        """The same corpus, with its analyses run by *executor* (``"serial"``, ``"dask"``, a Dask
        scheduler address, a ``Client`` or an executor object; see :mod:`mediamon.executors`).

        The documents, fingerprint and any index built so far are shared, not copied.
        """
        twin = copy.copy(self)
        object.__setattr__(twin, "_executor", executor)
        return twin

    # -- derived corpora ----------------------------------------------------------------------
    def _derive(self, rows: np.ndarray, what: str) -> Corpus:
        """The corpus of these rows of this one (in this order), remembering the base corpus."""
        rows = np.asarray(rows, dtype=np.int64)
        derived = Corpus(self.docs.iloc[rows].reset_index(drop=True), self.manifest, name=f"{self.name}|{what}")
        base_rows = rows if self.base_rows is None else self.base_rows[rows]
        object.__setattr__(derived, "_base", self.base)
        object.__setattr__(derived, "_base_rows", base_rows)
        if self.executor is not None:
            object.__setattr__(derived, "_executor", self.executor)
        return derived

    def filter(
        self,
        mask: pd.Series | np.ndarray | Callable[[pd.DataFrame], Any] | None = None,
        **equals: object,
    ) -> Corpus:
        """Documents selected by a boolean mask or callable, and/or column equality.

        ``corpus.filter(source="Tehran Times")`` keeps one outlet; a list value keeps any of them;
        ``corpus.filter(lambda d: d.text.str.contains("Kazan"))`` takes a callable on ``docs``.
        """
        keep = np.ones(len(self), dtype=bool)
        if mask is not None:
            value = mask(self.docs) if callable(mask) else mask
            arr = np.asarray(value, dtype=bool)
            if arr.shape != (len(self),):
                raise InputError(
                    f"Corpus.filter(): mask has shape {arr.shape}; expected ({len(self)},)."
                )
            keep &= arr
        for column, wanted in equals.items():
            if column not in self.docs.columns:
                raise ColumnError(
                    f"Corpus.filter(): column {column!r} not found; columns are "
                    f"{list(self.docs.columns)}."
                )
            values = wanted if isinstance(wanted, (list, tuple, set, frozenset)) else [wanted]
            keep &= self.docs[column].isin(list(values)).to_numpy(dtype=bool)
        described = ",".join(f"{k}={v!r}" for k, v in equals.items()) or "mask"
        return self._derive(np.flatnonzero(keep), f"filter({described})")

    def between(self, start: object = None, end: object = None) -> Corpus:
        """Documents dated in ``[start, end]`` (UTC). Undated documents are left out.

        A date without a time as *end* covers that whole day, so ``between("2021-01-01",
        "2021-12-31")`` is the year 2021.
        """
        keep = between_mask(self.docs["date"], start, end, call="Corpus.between()")
        return self._derive(np.flatnonzero(keep), f"between({start},{end})")

    def sample(self, n: int, *, seed: int = 0) -> Corpus:
        """*n* documents drawn without replacement, reproducibly for a given *seed*, in corpus order."""
        if n < 0:
            raise InputError(f"Corpus.sample(): n must be >= 0, got {n}.")
        n = min(n, len(self))
        rng = np.random.default_rng(seed)
        rows = np.sort(rng.choice(len(self), size=n, replace=False))
        return self._derive(rows, f"sample({n},seed={seed})")

    def head(self, n: int = 5) -> Corpus:
        """The first *n* documents."""
        return self._derive(np.arange(len(self))[:n], f"head({n})")

    # -- summaries ----------------------------------------------------------------------------
    def manifest_counts(self) -> dict[str, int]:
        """``discovered``, ``loaded``, ``rejected`` and ``skipped`` counts of the load."""
        status = self.manifest["status"] if len(self.manifest) else pd.Series([], dtype=object)
        counts = {s: int((status == s).sum()) for s in STATUSES}
        counts["discovered"] = int(len(self.manifest))
        return counts

    def summary(self) -> dict[str, object]:
        """Document count, date range, undated count, sources and the load counts."""
        dates = self.docs["date"]
        counts = self.manifest_counts()
        return {
            "documents": len(self),
            "dated": int(dates.notna().sum()),
            "undated": int(dates.isna().sum()),
            "first_date": dates.min() if dates.notna().any() else None,
            "last_date": dates.max() if dates.notna().any() else None,
            "sources": self.docs["source"].value_counts(dropna=False).to_dict(),
            **{f"manifest_{k}": v for k, v in counts.items()},
        }

    def _date_span_text(self) -> str:
        dates = self.docs["date"].dropna()
        if dates.empty:
            return "no dates"
        return f"{dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d}"

    def _repr_html_(self) -> str:
        counts = self.manifest_counts()
        s = self.summary()
        sources = ", ".join(f"{k if isinstance(k, str) else '(none)'} ({v:,})" for k, v in
                            list(s["sources"].items())[:8])
        facts = [
            ("documents", f"{len(self):,}"),
            ("dates", f"{self._date_span_text()} ({s['undated']:,} undated)"),
            ("sources", sources),
            (
                "load",
                f"{counts['discovered']:,} discovered = {counts['loaded']:,} loaded + "
                f"{counts['rejected']:,} rejected + {counts['skipped']:,} skipped",
            ),
        ]
        preview = self.docs[["doc_id", "date", "source", "title", "text"]].head(5).copy()
        preview["text"] = preview["text"].map(lambda t: display.truncate(t, 140))
        return display.join(
            [
                display.caption(f"Corpus {self.name}"),
                display.definition_list(facts),
                display.table(preview, max_rows=5),
            ]
        )


def between_mask(dates: pd.Series, start: object, end: object, *, call: str = "Corpus.between()") -> np.ndarray:
    """Which *dates* lie in ``[start, end]`` (UTC; undated never; a date-only *end* covers its day)."""
    keep = np.array(dates.notna(), dtype=bool)
    if start is not None:
        keep &= (dates >= _utc(start, call)).fillna(False).to_numpy(dtype=bool)
    if end is not None:
        stop = _utc(end, call)
        if stop == stop.normalize() and not _has_time(end):
            keep &= (dates < stop + pd.Timedelta(days=1)).fillna(False).to_numpy(dtype=bool)
        else:
            keep &= (dates <= stop).fillna(False).to_numpy(dtype=bool)
    undated = int(dates.isna().sum())
    if undated:
        log.info("%s: %d undated documents left out", call, undated)
    return keep


def _has_time(value: object) -> bool:
    if isinstance(value, str):
        return any(ch in value for ch in "T:")
    return isinstance(value, pd.Timestamp) and value != value.normalize()


def _utc(value: object, call: str = "Corpus.between()") -> pd.Timestamp:
    ts = pd.Timestamp(value)
    if pd.isna(ts):
        raise InputError(f"{call}: {value!r} is not a date.")
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def from_records(records: list[Mapping[str, object]], *, name: str = "corpus") -> Corpus:
    """Build a corpus from a list of dicts with at least ``doc_id`` and ``text`` (for tests, scripts)."""
    return Corpus(pd.DataFrame.from_records(records), name=name)
