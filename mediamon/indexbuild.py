"""Building a :class:`~mediamon.tokenindex.TokenIndex` from texts and body spans.

Documents are processed in batches of a few megabytes: tokens and paragraph breaks come from numpy
over code points (:mod:`mediamon.text`), surface forms are dictionary-encoded by Arrow, only the
distinct forms are normalised in Python, and sentences come from vectorised Punkt
(:mod:`mediamon.sentences`). Large corpora run their batches on two forked worker processes, which
inherit the texts and send back only each batch's arrays; the batches are joined into one index as
they arrive, in order (:func:`start_index` starts them, :class:`IndexBuild` gives the result).
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from tqdm import tqdm

from .freeing import return_freed_memory
from .progress import show_progress
from .sentences import BY_LANGUAGE, PunktModel, PunktSplitter, after_ok_table, models_for
from .text import (
    blank_line_between,
    char_tables,
    codepoints,
    normalize_array,
    split_utf8,
    tokenize_spans,
    utf8_token_cuts,
)
from .tokenindex import TokenIndex

__all__ = ["IndexBuild", "Texts", "build_index", "start_index"]

_BATCH_CHARS = 4_000_000
_PARALLEL_CHARS = 16_000_000  # below this, starting worker processes costs more than it saves
_SEPARATOR = "\n\n"  # between documents of a batch: a blank line, so no token or sentence spans two
#: Document texts for :func:`build_index`: Python strings, or an Arrow string column.
Texts = Sequence[str] | pa.Array | pa.ChunkedArray


@dataclass
class _Batch:
    """What indexing one batch of documents sends back: compact arrays, local numbers."""

    forms: pa.Array  # normalised forms (Arrow strings), in local id order
    ids: np.ndarray  # int32 local form id of each token
    start: np.ndarray  # int32 character offset into the original text
    length: np.ndarray  # uint16 (uint32 when a token is longer) characters of each token
    doc_tokens: np.ndarray  # int64 tokens of each document of the batch
    sent_first: np.ndarray  # int32 first token of each sentence
    para_first: np.ndarray  # int32 first token of each paragraph
    postings: np.ndarray  # int32 token positions grouped by local id, ascending within each
    form_counts: np.ndarray  # int64 tokens of each local form


_SENT_END_FORMS = pa.array(["?", "!", "？", "！", "。"])


def _index_batch(
    texts: Sequence[str],
    body_start: np.ndarray,
    body_end: np.ndarray,
    splitter: PunktSplitter,
) -> _Batch:
    pieces = [t[s:e] for t, s, e in zip(texts, body_start, body_end)]
    lengths = np.fromiter((len(p) for p in pieces), dtype=np.int64, count=len(pieces))
    piece_start = np.concatenate(([0], np.cumsum(lengths + len(_SEPARATOR))[:-1]))
    joined = _SEPARATOR.join(pieces)
    del pieces
    cps = codepoints(joined)
    starts, ends = tokenize_spans(cps)
    n = starts.size
    doc_tokens = np.diff(np.searchsorted(starts, piece_start), append=n)  # tokens never span a separator
    doc = np.repeat(np.arange(lengths.size, dtype=np.int32), doc_tokens)

    # Dictionary-encode the surface forms with Arrow: offsets interleave gaps and tokens, so the
    # UTF-8 buffer is used as it is and the tokens are the odd entries. Only the distinct surfaces
    # are normalised (ASCII ones by Arrow), and the forms are dictionary-encoded again.
    utf8 = joined.encode("utf-8", "surrogatepass")
    del joined
    if n:
        cuts = utf8_token_cuts(cps, len(utf8), starts, ends)
        surfaces = split_utf8(utf8, cuts).take(pa.array(np.arange(1, 2 * n, 2)))
        del cuts
        encoded = surfaces.dictionary_encode()
        del surfaces
        normalised = normalize_array(encoded.dictionary).dictionary_encode()
        raw_to_form = normalised.indices.to_numpy(zero_copy_only=False)
        forms_arr = normalised.dictionary
        ids = raw_to_form[encoded.indices.to_numpy(zero_copy_only=False)].astype(np.int32, copy=False)
        del encoded, normalised
    else:
        forms_arr = pa.array([], type=pa.string())
        ids = np.zeros(0, dtype=np.int32)
    del utf8

    # Paragraphs: a document start or a blank line between two tokens.
    para_start = np.zeros(n, dtype=bool)
    if n:
        para_start[0] = True
        para_start[1:] = doc[1:] != doc[:-1]
        para_start[1:] |= blank_line_between(cps, starts, ends)

    # Sentences: vectorised Punkt inside each paragraph.
    tables = char_tables()
    first_cp = cps[starts] if n else np.zeros(0, dtype=np.uint32)
    after = np.zeros(n, dtype=bool)
    if n:
        inside = ends < cps.size
        after[inside] = after_ok_table()[cps[ends[inside]]]
    del cps
    kind = {
        "is_period": np.asarray(pc.equal(forms_arr, "."), dtype=bool),
        "sent_end": np.asarray(pc.is_in(forms_arr, value_set=_SENT_END_FORMS), dtype=bool),
        "dotted": np.asarray(
            pc.and_(pc.ends_with(forms_arr, "."), pc.greater(pc.utf8_length(forms_arr), 1)), dtype=bool
        ),
    }
    sent_start = splitter.sentence_starts(
        ids,
        forms_arr,
        kind,
        starts,
        ends,
        after,
        tables.upper[first_cp],
        tables.lower[first_cp],
        para_start,
    )
    # Offsets into the ORIGINAL text: undo the batch concatenation and the body cut.
    shift = (body_start - piece_start)[doc] if n else np.zeros(0, dtype=np.int64)
    token_length = ends - starts
    wide = bool(n) and int(token_length.max()) > np.iinfo(np.uint16).max
    return _Batch(
        forms=forms_arr,
        ids=ids,
        start=(starts + shift).astype(np.int32),
        length=token_length.astype(np.uint32 if wide else np.uint16),
        doc_tokens=doc_tokens.astype(np.int64),
        sent_first=np.flatnonzero(sent_start).astype(np.int32),
        para_first=np.flatnonzero(para_start).astype(np.int32),
        postings=_group_positions(ids),
        form_counts=np.bincount(ids, minlength=len(forms_arr)).astype(np.int64),
    )


def _batches(lengths: np.ndarray, target: int, models: Sequence[str]) -> list[tuple[int, int, str]]:
    """Split documents into contiguous runs of about *target* characters that share one sentence
    model: ``(first, stop, model)``."""
    keys = np.asarray(pd.factorize(np.asarray(models, dtype=object))[0] if len(models) else [], dtype=np.int64)
    change = np.flatnonzero(np.diff(keys)) + 1 if keys.size else np.zeros(0, np.int64)
    out: list[tuple[int, int, str]] = []
    for lo, hi in zip(np.concatenate(([0], change)).tolist(), np.concatenate((change, [len(lengths)])).tolist()):
        cum = np.cumsum(lengths[lo:hi])
        first = 0
        while first < hi - lo:
            base = cum[first - 1] if first else 0
            nxt = max(int(np.searchsorted(cum, base + target, side="right")), first + 1)
            nxt = min(nxt, hi - lo)
            out.append((lo + first, lo + nxt, models[lo]))
            first = nxt
    return out


def build_index(
    texts: Texts,
    body_start: np.ndarray,
    body_end: np.ndarray,
    *,
    fingerprint: str,
    doc_ids: Sequence[str],
    sentences: str | PunktModel = BY_LANGUAGE,
    langs: Sequence[object] | None = None,
    progress: bool | None = None,
    workers: int | None = None,
) -> TokenIndex:
    """Build the :class:`TokenIndex` of documents given as texts and body spans (no caching).

    Parameters
    ----------
    texts, body_start, body_end
        Each document's original text and the span of its article body inside it (only the body is
        indexed; offsets point into the whole text). The texts may be a sequence of strings or an
        Arrow string column; a batch of them at a time becomes Python strings.
    fingerprint, doc_ids
        The content hash of the documents and their ids, stored with the index so that a saved copy
        is only ever used for the same documents.
    sentences
        Sentence model: ``"news"`` (default: the bundled news Punkt parameters of each document's
        language, *langs*; English where none is bundled), a bundled model for every document
        (``"news-en"``, ``"news-ru"``), ``"nltk"`` / ``"nltk:<lang>"`` (an installed NLTK punkt_tab),
        or a :class:`~mediamon.sentences.PunktModel`.
    langs
        The language of each document (ISO 639-1), for ``sentences="news"``.
    progress
        Show a progress bar; ``None`` shows it only when a person is watching.
    workers
        Processes that index batches: ``None`` uses two (forked) above 16 million characters, else
        one; ``1`` never forks.
    """
    return start_index(texts, body_start, body_end, fingerprint=fingerprint, doc_ids=doc_ids, sentences=sentences,
                       langs=langs, progress=progress, workers=workers).result()  # fmt: skip


def start_index(
    texts: Texts,
    body_start: np.ndarray,
    body_end: np.ndarray,
    *,
    fingerprint: str,
    doc_ids: Sequence[str],
    sentences: str | PunktModel = BY_LANGUAGE,
    langs: Sequence[object] | None = None,
    progress: bool | None = None,
    workers: int | None = None,
) -> IndexBuild:
    """Start building the :class:`TokenIndex` of documents given as texts and body spans.

    The parameters are those of :func:`build_index`; ``start_index(...).result()`` is
    ``build_index(...)``. With worker processes they index from this call on, while the caller goes
    on: ``ingest`` reads the next batch of files meanwhile.
    """
    body_start = np.asarray(body_start, dtype=np.int64)
    body_end = np.asarray(body_end, dtype=np.int64)
    per_doc = models_for(sentences, langs, len(texts))
    names = [m if isinstance(m, str) else m.name for m in per_doc]
    splitters = {name: PunktSplitter(model) for name, model in dict(zip(names, per_doc)).items()}
    char_tables()  # build the shared tables once, before any worker starts
    after_ok_table()
    lengths = np.maximum(body_end - body_start, 1)
    spans = _batches(lengths, _BATCH_CHARS, names)
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if int(lengths.sum()) > _PARALLEL_CHARS else 1
    model_name = sentences if isinstance(sentences, str) else sentences.name
    return IndexBuild(spans, _start_batches(spans, texts, body_start, body_end, splitters, workers),
                      n_docs=len(texts), fingerprint=fingerprint, doc_ids=list(doc_ids), sentence_model=model_name,
                      progress=progress, max_tokens=int(lengths.sum()))  # fmt: skip


class IndexBuild:
    """An index being built by :func:`start_index`; :meth:`result` gives it.

    With worker processes the batches are indexed from the moment the build starts, so the caller
    can do other work (``ingest`` reads the next files) while they run; with one worker the work
    happens in :meth:`result`.
    """

    def __init__(
        self,
        spans: list[tuple[int, int, str]],
        batches: _Batches,
        *,
        n_docs: int,
        fingerprint: str,
        doc_ids: list[str],
        sentence_model: str,
        progress: bool | None,
        max_tokens: int,
    ) -> None:
        self._spans, self._max_tokens = spans, max_tokens
        self._batches: _Batches | None = batches
        self._n_docs, self._fingerprint, self._doc_ids = n_docs, fingerprint, doc_ids
        self._sentence_model, self._progress = sentence_model, progress
        self._index: TokenIndex | None = None

    def result(self) -> TokenIndex:
        """The index, once every batch is indexed (waits for the workers)."""
        if self._index is None:
            if self._batches is None:
                raise RuntimeError("IndexBuild.result(): the build was cancelled")
            bar = tqdm(total=self._n_docs, desc="indexing", unit="doc", disable=not show_progress(self._progress),
                       leave=False)  # fmt: skip
            joined = _Joined(self._max_tokens)
            try:
                for span, batch in zip(self._spans, self._batches):
                    joined.add(batch)
                    del batch  # its arrays are copied: freed now, not at the end
                    bar.update(span[1] - span[0])
            finally:
                bar.close()
                self.cancel()
            self._index = joined.index(self._n_docs, self._fingerprint, self._doc_ids, self._sentence_model)
            del joined
            return_freed_memory()  # the batches' arrays, freed while joining (mediamon.freeing)
        return self._index

    def cancel(self) -> None:
        """Stop the workers (a no-op once :meth:`result` has returned)."""
        batches, self._batches = self._batches, None
        if batches is not None:
            batches.close()


# A worker process's build inputs (set by _adopt_state): inherited through fork, never sent.
_FORK_STATE: tuple[Texts, np.ndarray, np.ndarray, dict[str, PunktSplitter]] | None = None


def _texts_of(texts: Texts, a: int, b: int) -> Sequence[str]:
    """Texts *a* to *b* as Python strings (only these: an Arrow column stays Arrow)."""
    if isinstance(texts, (pa.Array, pa.ChunkedArray)):
        return texts.slice(a, b - a).to_pylist()
    return texts[a:b]


def _run_forked(span: tuple[int, int, str]) -> _Batch:
    assert _FORK_STATE is not None
    texts, body_start, body_end, splitters = _FORK_STATE
    a, b, model = span
    return _index_batch(_texts_of(texts, a, b), body_start[a:b], body_end[a:b], splitters[model])


def _adopt_state(texts: Texts, body_start: np.ndarray, body_end: np.ndarray, splitters: dict[str, PunktSplitter]) -> None:
    """Worker initializer: keep the build's inputs, inherited through fork (not pickled)."""
    global _FORK_STATE
    _FORK_STATE = (texts, body_start, body_end, splitters)


def _start_batches(
    spans: list[tuple[int, int, str]],
    texts: Texts,
    body_start: np.ndarray,
    body_end: np.ndarray,
    splitters: dict[str, PunktSplitter],
    workers: int,
) -> _Batches:
    """The batches of *spans*, indexed in this process as they are asked for, or submitted now to
    forked worker processes.

    The batch work is partly Python (normalising new forms), so threads would serialise on the
    GIL; forked processes inherit the texts and send back only the arrays of each batch.
    """
    if workers <= 1 or len(spans) < 2 or "fork" not in mp.get_all_start_methods():
        return _Batches(local=(_index_batch(_texts_of(texts, a, b), body_start[a:b], body_end[a:b], splitters[model])
                               for a, b, model in spans))  # fmt: skip
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork"), initializer=_adopt_state,
                               initargs=(texts, body_start, body_end, splitters))  # fmt: skip
    try:
        return _Batches(pool=pool, futures=[pool.submit(_run_forked, span) for span in spans])
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise


class _Batches:
    """Indexed batches in order, from a generator run here or from futures of a worker pool;
    :meth:`close` shuts the pool down (also after the last result)."""

    def __init__(
        self,
        local: Iterator[_Batch] | None = None,
        pool: ProcessPoolExecutor | None = None,
        futures: list[Future[_Batch]] | None = None,
    ) -> None:
        self._local, self._pool, self._futures = local, pool, futures or []

    def __iter__(self) -> Iterator[_Batch]:
        if self._local is not None:
            yield from self._local
            return
        try:
            while self._futures:
                # popped: a batch lives on only where the caller keeps it (it copies and drops it)
                yield self._futures.pop(0).result()
        finally:
            self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool, self._futures = None, []


class _Joined:
    """Batches joined into one index as they arrive, in order, each batch's token arrays copied
    into place and freed at once, so the peak stays near the size of the index itself.

    The token arrays are allocated for *max_tokens* (an upper bound: a token has at least one
    character); only the pages written become resident. Global form ids are given in order of
    first occurrence, batch after batch (each local vocabulary is in first-occurrence order too).
    """

    def __init__(self, max_tokens: int) -> None:
        self.max_tokens = max_tokens
        self.ids = np.empty(max_tokens, dtype=np.int32)
        self.start = np.empty(max_tokens, dtype=np.int32)
        self.length = np.empty(max_tokens, dtype=np.uint16)
        self.n = 0
        # the forms in global id order: one Arrow array of new forms per batch
        self.new_forms: list[pa.Array] = []
        self.n_forms = 0
        # per batch until the end: local -> global ids, postings (local grouping), form counts, first token
        self.kept: list[tuple[np.ndarray, np.ndarray, np.ndarray, int] | None] = []
        self.doc_tokens: list[np.ndarray] = []
        self.sent_first: list[np.ndarray] = []
        self.para_first: list[np.ndarray] = []

    def add(self, r: _Batch) -> None:
        lo, hi = self.n, self.n + r.ids.size
        if hi > self.max_tokens:
            raise AssertionError("token index: more tokens than characters")  # pragma: no cover
        to_global = self._global_ids(r.forms)
        if r.length.dtype == np.uint32 and self.length.dtype != np.uint32:  # a token longer than 65,535
            wider = np.empty(self.max_tokens, dtype=np.uint32)
            wider[:lo] = self.length[:lo]
            self.length = wider
        np.take(to_global, r.ids, out=self.ids[lo:hi], mode="clip")  # clip: unbuffered; ids are in range
        self.start[lo:hi] = r.start
        self.length[lo:hi] = r.length
        self.kept.append((to_global, r.postings, r.form_counts, lo))
        self.doc_tokens.append(r.doc_tokens)
        self.sent_first.append(r.sent_first.astype(np.int64) + lo)
        self.para_first.append(r.para_first.astype(np.int64) + lo)
        self.n = hi

    def _global_ids(self, forms: pa.Array) -> np.ndarray:
        """Global ids of a batch's distinct *forms*: a known form keeps its id, new ones get the next
        ids in the batch's order. Arrow looks the forms up among those seen (a hash table of the
        vocabulary so far, per batch), where a Python dict took one lookup per form."""
        known = self.n_forms
        if known and len(forms):
            seen = pa.concat_arrays([a.cast(forms.type) for a in self.new_forms])
            found = pc.index_in(forms, value_set=seen)
            new = np.asarray(pc.is_null(found), dtype=bool)
            to_global = found.fill_null(0).to_numpy().astype(np.int32)  # a writable copy
            to_global[new] = known + np.arange(int(new.sum()), dtype=np.int32)
            fresh = forms.filter(pa.array(new))
        else:
            to_global = np.arange(known, known + len(forms), dtype=np.int32)
            fresh = forms
        self.new_forms.append(fresh)
        self.n_forms += len(fresh)
        return to_global

    def index(self, n_docs: int, fingerprint: str, doc_ids: list[str], sentence_model: str) -> TokenIndex:
        n = self.n
        vocab = [form for batch in self.new_forms for form in batch.to_pylist()]
        self.new_forms = []
        counts = np.zeros(len(vocab), dtype=np.int64)
        for kept in self.kept:
            assert kept is not None
            to_global, _, form_counts, _ = kept
            counts[to_global] += form_counts  # a batch's local forms are distinct global forms
        postings_ptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(counts, out=postings_ptr[1:])
        del counts
        # Postings: each batch's positions of a form follow those of the batches before it.
        postings = np.empty(n, dtype=np.int32)
        fill = postings_ptr[:-1].copy()
        for k, kept in enumerate(self.kept):
            assert kept is not None
            to_global, local_postings, form_counts, base = kept
            self.kept[k] = None  # freed batch by batch
            local_ptr = np.concatenate(([0], np.cumsum(form_counts)))
            # int32 (positions in postings, which int32 token positions bound): half the transient
            # memory of the largest step of the build
            dest = np.repeat((fill[to_global] - local_ptr[:-1]).astype(np.int32), form_counts)
            dest += np.arange(dest.size, dtype=np.int32)
            postings[dest] = local_postings + np.int32(base)
            fill[to_global] += form_counts
            del dest, local_postings
        del fill
        doc_offsets = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(np.concatenate(self.doc_tokens or [np.zeros(0, np.int64)]), out=doc_offsets[1:])
        sent_offsets = np.concatenate(self.sent_first + [[n]]).astype(np.int64)
        para_offsets = np.concatenate(self.para_first + [[n]]).astype(np.int64)
        return TokenIndex(
            vocab=vocab,
            ids=self.ids[:n],
            start=self.start[:n],
            length=self.length[:n],
            doc_offsets=doc_offsets,
            sent_offsets=sent_offsets,
            para_offsets=para_offsets,
            postings=postings,
            postings_ptr=postings_ptr,
            fingerprint=fingerprint,
            sentence_model=sentence_model,
            doc_ids=doc_ids,
        )


def _group_positions(ids: np.ndarray) -> np.ndarray:
    """Token positions grouped by id, ascending within each id (a stable argsort of *ids*).

    Two stable 16-bit passes (LSD radix order, which numpy runs as radix sorts) are about twice as
    fast as one stable argsort of 32-bit keys.
    """
    low = (ids & 0xFFFF).astype(np.uint16)
    high = (ids >> 16).astype(np.uint16)
    by_low = np.argsort(low, kind="stable")
    if not high.any():
        return by_low.astype(np.int32)
    return by_low[np.argsort(high[by_low], kind="stable")].astype(np.int32)
