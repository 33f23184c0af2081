"""The :class:`TokenIndex`: the vectorised index of one shard of documents, that every analysis runs on.

It knows nothing of corpora or stores: :func:`mediamon.indexbuild.build_index` makes one from texts and
body spans, and the corpus (:meth:`mediamon.corpus.Corpus.token_index`) or the store caches it.

Layout (flat numpy arrays; 14 bytes per token, whatever the number of documents):

``ids``      int32 vocabulary id of each token's matching form (:func:`mediamon.text.normalize`)
``start``    int32 character offset of each token into its document's ORIGINAL ``text``
``length``   uint16 (uint32 when a token is longer) characters of each token
``postings`` int32 every token position grouped by id (a stable argsort of ``ids``);
             ``postings_ptr[i]`` is where id *i*'s positions begin, so a lookup costs its hits

and boundaries instead of per-token numbers: ``doc_offsets``, ``sent_offsets`` and ``para_offsets``
hold the first token of each document, sentence and paragraph (and the number of tokens last). The
per-token views ``doc``, ``sent``, ``para`` and ``end`` are computed for the positions asked
(``ix.doc[hits]`` is a binary search per hit), and only materialised when a caller asks for the whole
array (``np.asarray(ix.doc)``).

Persistence
    :meth:`TokenIndex.save` writes a folder of ``.npy`` files, the vocabulary as UTF-8 text and a
    ``meta.json`` holding the corpus fingerprint and, per file, its size, modification time and
    SHA-256; :meth:`TokenIndex.load` memory-maps the arrays and refuses (returns ``None``) when the
    fingerprint, the format or the sentence model differ, or the folder holds no digests, so a stale
    index is rebuilt, never used. A file that differs from its record (:func:`check_file`: size, then
    the digest when the modification time moved) is damage: ``None`` too, or
    :class:`~mediamon.errors.IntegrityError` with ``strict=True``. No pickle is involved.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .errors import IntegrityError, PatternError
from .options import Match, check_match
from .text import (
    normalize,
    normalize_token,
    query_forms,
)

log = logging.getLogger(__name__)

FORMAT_VERSION = 3  # 3: digests of every file (2: boundary arrays; 1: per-token doc, sentence, paragraph)
_ARRAYS = ("ids", "start", "length", "doc_offsets", "sent_offsets", "para_offsets", "postings", "postings_ptr")
#: Every file of a saved index but meta.json (which records them).
INDEX_FILES = (*(f"{name}.npy" for name in _ARRAYS), "vocab.txt", "doc_ids.txt")
#: Files of formats 1-2 that format 3 no longer writes (a store of an earlier version is still ours to replace).
EARLIER_INDEX_FILES = ("doc.npy", "sent.npy", "para.npy", "end.npy")


class Boundaries:
    """The run (document, sentence or paragraph) of token positions, from the runs' first tokens.

    ``runs[pos]`` is ``searchsorted(offsets, pos, "right") - 1`` for the positions asked: one binary
    search per position, nothing per token of the index. ``np.asarray(runs)`` materialises the run
    of every token (for the rare caller that needs all of them).
    """

    def __init__(self, offsets: np.ndarray) -> None:
        self.offsets = offsets

    def __len__(self) -> int:
        return int(self.offsets[-1]) if len(self.offsets) else 0

    @property
    def size(self) -> int:
        return len(self)

    def __getitem__(self, pos: object) -> np.ndarray | int:
        if isinstance(pos, slice):
            pos = np.arange(len(self))[pos]
        arr = np.asarray(pos)
        if arr.dtype == bool:
            arr = np.flatnonzero(arr)
        runs = np.searchsorted(self.offsets, arr, side="right") - 1
        return int(runs) if runs.ndim == 0 else runs.astype(np.int32)

    def tolist(self) -> list[int]:
        return np.asarray(self).tolist()

    def __array__(self, dtype: object = None, copy: object = None) -> np.ndarray:
        counts = np.diff(np.asarray(self.offsets, dtype=np.int64))
        out = np.repeat(np.arange(counts.size, dtype=np.int32), counts)
        return out if dtype is None else out.astype(dtype)


class Ends:
    """Character end offset of token positions: ``start + length`` for the positions asked."""

    def __init__(self, start: np.ndarray, length: np.ndarray) -> None:
        self.start, self.length = start, length

    def __len__(self) -> int:
        return int(self.start.size)

    def __getitem__(self, pos: object) -> np.ndarray | int:
        value = self.start[pos].astype(np.int64) + self.length[pos]
        return int(value) if np.ndim(value) == 0 else value.astype(np.int32)

    def __array__(self, dtype: object = None, copy: object = None) -> np.ndarray:
        out = (self.start.astype(np.int64) + self.length).astype(np.int32)
        return out if dtype is None else out.astype(dtype)


@dataclass(eq=False)
class TokenIndex:
    """Vectorised token index of one shard of documents (see the module docstring for the layout)."""

    vocab: list[str]
    ids: np.ndarray
    start: np.ndarray
    length: np.ndarray
    doc_offsets: np.ndarray
    sent_offsets: np.ndarray
    para_offsets: np.ndarray
    postings: np.ndarray
    postings_ptr: np.ndarray
    fingerprint: str
    sentence_model: str
    doc_ids: list[str] = field(default_factory=list)

    # -- sizes --------------------------------------------------------------------------------
    @property
    def n_tokens(self) -> int:
        return int(self.ids.size)

    @property
    def n_docs(self) -> int:
        return int(self.doc_offsets.size - 1)

    @property
    def n_sents(self) -> int:
        return int(self.sent_offsets.size - 1)

    @property
    def n_paras(self) -> int:
        return int(self.para_offsets.size - 1)

    # -- per-token views, computed for the positions asked -----------------------------------
    @cached_property
    def doc(self) -> Boundaries:
        """Document row of token positions: ``ix.doc[positions]``."""
        return Boundaries(self.doc_offsets)

    @cached_property
    def sent(self) -> Boundaries:
        """Sentence number (unique in the shard, increasing) of token positions."""
        return Boundaries(self.sent_offsets)

    @cached_property
    def para(self) -> Boundaries:
        """Paragraph number of token positions."""
        return Boundaries(self.para_offsets)

    @cached_property
    def end(self) -> Ends:
        """Character end offset of token positions."""
        return Ends(self.start, self.length)

    @cached_property
    def sent_doc(self) -> np.ndarray:
        """Document row of each sentence."""
        return np.asarray(self.doc[self.sent_offsets[:-1]], dtype=np.int32)

    @cached_property
    def para_doc(self) -> np.ndarray:
        """Document row of each paragraph."""
        return np.asarray(self.doc[self.para_offsets[:-1]], dtype=np.int32)

    @cached_property
    def counts(self) -> np.ndarray:
        """Frequency of each vocabulary id."""
        return np.diff(self.postings_ptr).astype(np.int64)

    @cached_property
    def _vocab_lookup(self) -> dict[str, int]:
        return {form: i for i, form in enumerate(self.vocab)}

    @cached_property
    def _expand_cache(self) -> dict[tuple[str, str], np.ndarray]:
        return {}

    @cached_property
    def _vocab_arrow(self) -> pa.Array:
        return pa.array(self.vocab, type=pa.string())

    @cached_property
    def is_word(self) -> np.ndarray:
        """True for vocabulary forms with a letter or digit; punctuation is False."""
        return np.asarray(pc.match_substring_regex(self._vocab_arrow, r"[\p{L}\p{N}]"), dtype=bool)

    @property
    def nbytes(self) -> int:
        """Bytes held by the token arrays and postings (the resident size of the index)."""
        return int(sum(getattr(self, name).nbytes for name in _ARRAYS))

    def __repr__(self) -> str:
        return (
            f"<TokenIndex: {self.n_tokens:,} tokens, {len(self.vocab):,} forms, "
            f"{self.n_docs:,} documents, {self.n_sents:,} sentences>"
        )

    # -- lookups ------------------------------------------------------------------------------
    def vocab_id(self, form: str) -> int:
        """Id of a matching form (already normalised), or -1."""
        return self._vocab_lookup.get(form, -1)

    def positions(self, ids: int | Iterable[int] | np.ndarray) -> np.ndarray:
        """Sorted token positions of one id or of several ids (their union)."""
        arr = np.atleast_1d(np.asarray(ids, dtype=np.int64))
        arr = arr[(arr >= 0) & (arr < len(self.vocab))]
        if arr.size == 0:
            return np.zeros(0, dtype=np.int64)
        if arr.size == 1:
            i = int(arr[0])
            return self.postings[self.postings_ptr[i] : self.postings_ptr[i + 1]].astype(np.int64)
        parts = [self.postings[self.postings_ptr[i] : self.postings_ptr[i + 1]] for i in arr.tolist()]
        out = np.concatenate(parts).astype(np.int64)
        out.sort()
        return out

    def expand(self, pattern: str, *, match: Match = "fixed") -> np.ndarray:
        """Vocabulary ids of the forms one query *token* stands for.

        ``fixed``: the normalised token itself; ``glob``: shell wildcards ``*``, ``?`` and
        ``[...]`` over normalised forms; ``regex``: a regular expression that must match a whole
        form (case-insensitive: forms are case-folded). Globs and regexes run on RE2 over the
        vocabulary (:func:`token_mask`), in time linear in its size whatever the pattern.
        """
        check_pattern_length(pattern, "TokenIndex.expand()")
        if match == "fixed":
            i = self.vocab_id(normalize_token(pattern))
            return np.array([i] if i >= 0 else [], dtype=np.int64)
        check_match(match, "TokenIndex.expand()")
        key = (match, pattern)
        hit = self._expand_cache.get(key)
        if hit is not None:
            return hit
        token = normalize(pattern) if match == "glob" else pattern
        mask = token_mask(self._vocab_arrow, token, match=match, ignore_case=True, call="TokenIndex.expand()")
        ids = np.flatnonzero(mask).astype(np.int64)
        self._expand_cache[key] = ids
        return ids

    def find(
        self,
        pattern: str | Sequence[str],
        *,
        match: Match = "fixed",
    ) -> tuple[np.ndarray, np.ndarray]:
        """Token spans ``(starts, ends)`` of every hit of a word or phrase (``ends`` exclusive).

        A phrase is tokenised like the corpus and its tokens must follow each other inside one
        document; with ``glob``/``regex`` each token of the phrase is a pattern on its own.
        A list of patterns returns the union, sorted, with the longest hit kept where two overlap
        at the same start.
        """
        if not isinstance(pattern, str):
            spans = [self.find(p, match=match) for p in pattern]
            if not spans:
                return np.zeros(0, np.int64), np.zeros(0, np.int64)
            starts = np.concatenate([s for s, _ in spans])
            ends = np.concatenate([e for _, e in spans])
            order = np.lexsort((-ends, starts))
            starts, ends = starts[order], ends[order]
            keep = np.ones(starts.size, dtype=bool)
            keep[1:] = starts[1:] != starts[:-1]
            return starts[keep], ends[keep]
        check_pattern_length(pattern, "TokenIndex.find()")
        parts = _query_tokens(pattern, match)
        if not parts:
            raise PatternError(f"TokenIndex.find(): pattern {pattern!r} has no tokens.")
        return self.find_sequence([self.expand(p, match=match) for p in parts])

    def find_sequence(self, id_sets: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Token spans ``(starts, ends)`` where one id of each set follows the other, in one document
        (a phrase whose tokens each stand for several forms: globs, inflections)."""
        first = self.positions(id_sets[0])
        if len(id_sets) == 1 or first.size == 0:
            return first, first + 1
        # the k-th token after `first` is in its document iff it comes before the document's end
        doc_end = self.doc_offsets[self.doc[first] + 1]
        ok = np.ones(first.size, dtype=bool)
        for k, ids_k in enumerate(id_sets[1:], start=1):
            at = first + k
            inside = at < doc_end
            ok &= inside
            at = np.where(inside, at, 0)
            ok &= np.isin(self.ids[at], ids_k)
        starts = first[ok]
        return starts, starts + len(id_sets)

    # -- persistence --------------------------------------------------------------------------
    def save(self, folder: str | os.PathLike[str]) -> Path:
        """Write the index to *folder* (``.npy`` arrays, ``vocab.txt``, ``doc_ids.txt`` and, last,
        ``meta.json`` with a :func:`file_record` of each)."""
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        for name in _ARRAYS:
            np.save(path / f"{name}.npy", np.ascontiguousarray(getattr(self, name)), allow_pickle=False)
        # Forms never contain whitespace, so one per line is unambiguous.
        (path / "vocab.txt").write_text("\n".join(self.vocab), encoding="utf-8", errors="surrogatepass")
        (path / "doc_ids.txt").write_text(
            "\n".join(self.doc_ids), encoding="utf-8", errors="surrogatepass"
        )
        meta = {
            "format": FORMAT_VERSION,
            "fingerprint": self.fingerprint,
            "sentence_model": self.sentence_model,
            "n_tokens": self.n_tokens,
            "n_vocab": len(self.vocab),
            "files": {name: file_record(path / name) for name in INDEX_FILES},
        }
        (path / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        return path

    @classmethod
    def load(
        cls,
        folder: str | os.PathLike[str],
        *,
        fingerprint: str | None = None,
        sentence_model: str | None = None,
        mmap: bool = True,
        verify: bool = False,
        strict: bool = False,
    ) -> TokenIndex | None:
        """Read an index saved by :meth:`save`; ``None`` when it is missing, stale or damaged.

        Parameters
        ----------
        fingerprint, sentence_model
            What the index must have been built for (``None``: anything); another is stale.
        mmap
            Memory-map the arrays (else read them into memory).
        verify
            Check every file's SHA-256 (otherwise only where its size or modification time moved).
        strict
            Raise :class:`~mediamon.errors.IntegrityError` naming the file for a damaged index (a
            file missing, differing from its record or not decodable) instead of returning ``None``.
            A stale index is ``None`` either way.
        """
        path = Path(folder)
        try:
            meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT_VERSION:
            return None
        if fingerprint is not None and meta.get("fingerprint") != fingerprint:
            return None
        if sentence_model is not None and meta.get("sentence_model") != sentence_model:
            return None
        records = meta.get("files")
        if not isinstance(records, dict) or not all(isinstance(records.get(n), dict) for n in INDEX_FILES):
            return None  # written without digests (an older mediamon): rebuilt like a stale one
        for name in INDEX_FILES:
            problem = check_file(path / name, records[name], verify=verify)
            if problem is not None:
                return _damaged(path / name, problem, strict)
        try:
            arrays = {
                name: np.load(path / f"{name}.npy", mmap_mode="r" if mmap else None, allow_pickle=False)
                for name in _ARRAYS
            }
            vocab_text = (path / "vocab.txt").read_text(encoding="utf-8", errors="surrogatepass")
            doc_text = (path / "doc_ids.txt").read_text(encoding="utf-8", errors="surrogatepass")
        except (OSError, ValueError) as exc:
            return _damaged(path, f"cannot be read ({exc})", strict)
        vocab = vocab_text.split("\n") if meta.get("n_vocab") else []
        if len(vocab) != meta.get("n_vocab") or arrays["ids"].size != meta.get("n_tokens"):
            return _damaged(path / "meta.json", "does not describe the arrays beside it", strict)
        return cls(
            vocab=vocab,
            fingerprint=meta["fingerprint"],
            sentence_model=meta["sentence_model"],
            doc_ids=doc_text.split("\n") if arrays["doc_offsets"].size > 1 else [],
            **arrays,
        )


def _damaged(path: Path, problem: str, strict: bool) -> None:
    message = f"TokenIndex.load(): {path} {problem}."
    if strict:
        raise IntegrityError(message, path=str(path))
    log.warning("%s The index is rebuilt.", message)
    return None


# ---------------------------------------------------------------------------------------------
# file records: what a reader checks of a file mediamon wrote
# ---------------------------------------------------------------------------------------------
#: Files whose content this process has checked against their record, with the (size, mtime) seen.
_CHECKED: dict[str, tuple[int, int]] = {}


def file_digest(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's content (hex)."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def file_record(path: str | os.PathLike[str]) -> dict[str, int | str]:
    """``{"bytes", "mtime_ns", "sha256"}`` of a file just written, for :func:`check_file`."""
    st = os.stat(path)
    return {"bytes": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": file_digest(path)}


def check_file(path: str | os.PathLike[str], record: Mapping[str, object], *, verify: bool = False) -> str | None:
    """``None`` when *path* still holds what *record* (:func:`file_record`) describes, else what differs.

    The size is checked first (one ``stat``). When it is right but the modification time is not the
    recorded one (the file was copied, touched, or edited in place) the SHA-256 of the content
    decides, as it always does with *verify*. A file found unchanged that way is remembered for this
    process and, where the disk allows, gets its recorded modification time back, so that the next
    check is a ``stat`` again: a copied store is hashed once, not on every open.
    """
    key = os.fspath(path)
    try:
        st = os.stat(key)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if st.st_size != record.get("bytes"):
        return f"has {st.st_size:,} bytes, not the {record.get('bytes')!r} written"
    seen = (st.st_size, st.st_mtime_ns)
    if not verify and (st.st_mtime_ns == record.get("mtime_ns") or _CHECKED.get(key) == seen):
        return None
    try:
        digest = file_digest(key)
        after = os.stat(key)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if digest != record.get("sha256"):
        return "holds other content than was written (its SHA-256 differs)"
    if (after.st_size, after.st_mtime_ns) != seen:
        return "was changed while it was checked"
    _CHECKED[key] = seen
    mtime = record.get("mtime_ns")
    if isinstance(mtime, int) and mtime != st.st_mtime_ns:
        try:
            os.utime(key, ns=(st.st_atime_ns, mtime))
            _CHECKED[key] = (st.st_size, mtime)
        except OSError:
            pass  # a read-only disk: this process remembers the check
    return None


# ---------------------------------------------------------------------------------------------
# user patterns: RE2 (linear time) over Arrow strings
# ---------------------------------------------------------------------------------------------
#: The longest query pattern accepted, in characters: a longer one names no news token and only
#: costs memory to compile (a glob of 100,000 ``*``).
MAX_PATTERN_CHARS = 1_000

# Python's \w and \d are Unicode, RE2's are ASCII: spelled out so that "\w+stan" still meets "тоҷикистан".
_WORD_CLASS = r"\p{L}\p{N}_"
_PERL_CLASSES = {"w": f"[{_WORD_CLASS}]", "W": f"[^{_WORD_CLASS}]", "d": r"\p{Nd}", "D": r"\P{Nd}", "Z": r"\z"}
_PERL_IN_CLASS = {"w": _WORD_CLASS, "d": r"\p{Nd}", "D": r"\P{Nd}"}


def check_pattern_length(pattern: str, call: str) -> None:
    """Refuse a query pattern longer than :data:`MAX_PATTERN_CHARS`."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise PatternError(
            f"{call}: the pattern has {len(pattern):,} characters; at most {MAX_PATTERN_CHARS:,} are accepted. "
            "Query the words or phrases one at a time (a list of patterns)."
        )


def _regex_to_re2(regex: str, call: str) -> str:
    """*regex* with Python's Unicode ``\\w``, ``\\W``, ``\\d``, ``\\D`` and ``\\Z`` written as RE2 means them."""
    out: list[str] = []
    i, n, in_class = 0, len(regex), False
    while i < n:
        ch = regex[i]
        if ch == "\\" and i + 1 < n:
            nxt = regex[i + 1]
            table = _PERL_IN_CLASS if in_class else _PERL_CLASSES
            if nxt in table:
                out.append(table[nxt])
            elif in_class and nxt == "W":
                raise PatternError(
                    f"{call}: bad regex pattern {regex!r}: \\W inside [...] is not supported; "
                    r"write [^\w...] instead."
                )
            else:
                out.append(regex[i : i + 2])
            i += 2
            continue
        if not in_class and ch == "[":
            in_class = True
            out.append(ch)
            i += 1
            if i < n and regex[i] == "^":
                out.append("^")
                i += 1
            if i < n and regex[i] == "]":  # a leading ] is a member, in Python and in RE2
                out.append("\\]")
                i += 1
            continue
        if in_class and ch == "]":
            in_class = False
        out.append("\\[" if in_class and ch == "[" else ch)  # Python reads [ in a class as a member
        i += 1
    return "".join(out)


def _glob_to_re2(glob: str) -> str:
    """The RE2 regex of a shell glob, as :func:`fnmatch.translate` reads it (``*``, ``?``, ``[...]``,
    ``[!...]``; an unclosed ``[`` is literal); runs of ``*`` are one ``*``."""
    out: list[str] = []
    i, n = 0, len(glob)
    while i < n:
        ch = glob[i]
        i += 1
        if ch == "*":
            if not out or out[-1] != ".*":
                out.append(".*")
        elif ch == "?":
            out.append(".")
        elif ch == "[":
            j = i + 1 if i < n and glob[i] == "!" else i
            j = j + 1 if j < n and glob[j] == "]" else j
            close = glob.find("]", j)
            if close < 0:
                out.append(re.escape("["))
                continue
            body = glob[i:close]
            i = close + 1
            negate = body.startswith("!")
            members = body[1:] if negate else body
            # escape everything but range dashes, so that [, \\ and ^ stay members
            escaped = "".join(c if c == "-" else re.escape(c) if not c.isalnum() else c for c in members)
            out.append(f"[{'^' if negate else ''}{escaped}]")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def _re2_mask(values: pa.Array, regex: str, *, ignore_case: bool) -> np.ndarray:
    """Which *values* match *regex* (RE2) as a whole; raises ``pa.ArrowInvalid`` for a bad regex."""
    # A bad pattern must fail even on no values (Arrow compiles it only for a non-empty input); it
    # is compiled alone first, so that a balanced pattern cannot pose as the end of the anchoring group.
    pc.match_substring_regex(pa.array([""], pa.string()), regex, ignore_case=ignore_case)
    if not len(values):
        return np.zeros(0, dtype=bool)
    mask = pc.match_substring_regex(values, f"^(?:{regex})$", ignore_case=ignore_case)
    return np.asarray(mask.fill_null(False), dtype=bool)


def token_mask(values: pa.Array, pattern: str, *, match: Match, ignore_case: bool, call: str) -> np.ndarray:
    """Which of *values* (Arrow strings: vocabulary forms, or the original text of hits) one token
    pattern matches whole.

    ``fixed`` is the literal token; ``glob`` and ``regex`` run on
    RE2 (Arrow's regex engine), whose time is linear in the input, so that a nested quantifier
    such as ``(a+)+`` cannot take exponential time, and a query stops when it is interrupted.
    RE2 has no backreferences or lookaround; ``\\w``, ``\\d`` and their negations keep Python's
    Unicode meaning.

    Raises
    ------
    PatternError
        A pattern longer than :data:`MAX_PATTERN_CHARS`, or one that does not compile.
    """
    check_pattern_length(pattern, call)
    check_match(match, call)
    if match == "fixed" and not ignore_case:
        return np.asarray(pc.equal(values, pattern).fill_null(False), dtype=bool)
    if match == "glob" and not any(ch in pattern for ch in "[]"):
        # '*' and '?' only: Arrow's LIKE (it runs prefix, suffix and substring tests without a regex).
        like = re.sub(r"\*+", "*", re.sub(r"([%_\\])", r"\\\1", pattern)).replace("*", "%").replace("?", "_")
        return np.asarray(pc.match_like(values, like, ignore_case=ignore_case).fill_null(False), dtype=bool)
    if match == "fixed":
        regex = re.escape(pattern)
    else:
        regex = _glob_to_re2(pattern) if match == "glob" else _regex_to_re2(pattern, call)
    try:
        return _re2_mask(values, regex, ignore_case=ignore_case)
    except pa.ArrowInvalid as exc:
        reason = str(exc).removeprefix("Invalid regular expression: ")
        raise PatternError(
            f"{call}: bad {match} pattern {pattern!r}: {reason}. Patterns are RE2 regular expressions "
            "(no backreferences or lookaround); escape metacharacters or use match='fixed'."
        ) from None


@lru_cache(maxsize=4096)
def _query_tokens(pattern: str, match: Match) -> tuple[str, ...]:
    """Split a query into token patterns: phrases by the corpus tokenizer (fixed) or by spaces.

    Kept per pattern (a pure function of it): tokenising even one word costs a fixed ~0.1 ms of
    array set-up, a tenth of a rare word's whole concordance."""
    if match == "fixed":
        return tuple(query_forms(pattern))
    return tuple(pattern.split())
