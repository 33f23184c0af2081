"""The documents and the manifest of a read, assembled from the frames of its files.

:func:`assemble` joins the per-file frames of :func:`mediamon.readers.read_corpus`, decides per
document whether it is loaded (a text, not blank, not too long), drops repeated texts (exact, and
near-duplicates with ``dedupe="near"``), makes ids unique, finds each body (dateline, editor code,
licence) and fills the standard columns; :func:`manifest_frame` orders the manifest rows. The rules
are listed in :mod:`mediamon.readers`.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from . import minhash
from .corpus import MANIFEST_COLUMNS
from .newstext import find_bodies
from .text import codepoints, normalize, split_utf8, tokenize_spans, utf8_positions

__all__ = ["NEAR_RULE", "assemble", "body_token_hashes", "first_occurrences", "manifest_frame", "take_sorted"]


def _jsonify(col: pd.Series) -> pd.Series:
    if col.dtype != object:
        return col
    values = col.tolist()
    if not any(isinstance(v, (list, dict)) for v in values):
        return col
    return pd.Series(
        [json.dumps(v, ensure_ascii=False, default=_json_default) if isinstance(v, (list, dict)) else v
         for v in values],
        index=col.index, dtype=object,
    )


def _json_default(value: Any) -> str:
    """Values inside Parquet lists/structs that JSON has no type for: dates as ISO text, else str."""
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def assemble(
    frames: list[pd.DataFrame], dedupe: bool | str, max_doc_chars: int
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    if not frames:
        empty = pd.DataFrame({"doc_id": pd.Series([], dtype=object), "text": pd.Series([], dtype=object)})
        return empty, None
    all_docs = pd.concat(frames, ignore_index=True, sort=False) if len(frames) > 1 else frames[0]
    all_docs = all_docs.reset_index(drop=True)
    frames.clear()  # the per-file frames now live on only in all_docs, freed once docs are taken
    n = len(all_docs)
    # Arrow strings, one chunk per file; "" where the value read was not a string (_compact_text)
    text: pa.ChunkedArray = all_docs["text"].array.__arrow_array__()
    is_str = all_docs["_mm_text_ok"].to_numpy(dtype=bool)
    blank = all_docs["_mm_blank"].to_numpy(dtype=bool)
    missing = ~is_str
    status = np.full(n, "loaded", dtype=object)
    reason = np.where(all_docs["_mm_rep"].to_numpy() > 0, "lossy", "ok").astype(object)
    message = all_docs["_mm_note"].astype(object).to_numpy().copy()
    status[missing | blank] = "rejected"
    reason[missing] = "missing_text"
    reason[blank] = "empty"
    message[missing] = all_docs["_mm_text_kind"].to_numpy(dtype=object)[missing]
    message[blank] = "text is empty or whitespace only"
    lengths = all_docs["_mm_length"].to_numpy(dtype=np.int64)
    too_long = is_str & ~blank & (lengths > max_doc_chars)
    if too_long.any():
        status[too_long] = "rejected"
        reason[too_long] = "text_too_large"
        message[too_long] = [
            f"text of {k:,} characters; max_doc_chars is {max_doc_chars:,} (its token index would need "
            f"about {40 * k / 1e9:.1f} GB); pass max_doc_chars= to keep it, or split the document"
            for k in lengths[too_long].tolist()
        ]

    # ids: from the data when present, else stable path-based ids
    if "doc_id" in all_docs.columns:
        auto = all_docs["_mm_auto_id"].tolist()
        ids = np.array(
            [g if g is not None else a for g, a in zip(map(_id_string, all_docs["doc_id"].tolist()), auto)],
            dtype=object,
        )
    else:
        ids = all_docs["_mm_auto_id"].astype(object).to_numpy().copy()
    ok = status == "loaded"
    dup_of = np.full(n, None, dtype=object)
    if dedupe:
        # being loaded depends on the text alone, so a loaded text's first occurrence is loaded
        first = first_occurrences(text, all_docs["_mm_hash"].to_numpy(dtype=np.int64))
        dup = (first != np.arange(n)) & ok
    else:
        dup = np.zeros(n, dtype=bool)
    keep = ok & ~dup
    # unique ids among kept documents, in reading order
    kept_idx = np.flatnonzero(keep)
    kept_ids = pd.Series(ids[kept_idx], dtype=object)
    if kept_ids.duplicated().any():
        used = set(kept_ids)
        counter = kept_ids.groupby(kept_ids, sort=False).cumcount().to_numpy()
        for pos in np.flatnonzero(counter > 0):
            base = kept_ids.iloc[pos]
            k = counter[pos] + 1
            new = f"{base}~{k}"
            while new in used:
                k += 1
                new = f"{base}~{k}"
            used.add(new)
            row = kept_idx[pos]
            ids[row] = new
            note = f"doc_id {base!r} already used; renamed {new!r}"
            message[row] = f"{message[row]}; {note}" if message[row] else note
    if dup.any():
        dup_of[dup] = ids[first[dup]]
        status[dup] = "skipped"
        reason[dup] = "duplicate"
        message[dup] = "same text as an earlier document"

    rows = pd.DataFrame(
        {
            "item": all_docs["_mm_item"].astype(object),
            "path": all_docs["_mm_path"].astype(object),
            "line": all_docs["_mm_line"],
            "status": status,
            "reason": reason,
            "doc_id": ids,
            "duplicate_of": dup_of,
            "message": message,
            "encoding": all_docs["_mm_enc"].astype(object),
            "replaced_chars": all_docs["_mm_rep"].astype(np.int64),
            "nul_stripped": all_docs["_mm_nul"].astype(np.int64),
            "_seq": all_docs["_mm_seq"],
        }
    )
    kept_text = take_sorted(text, kept_idx)
    columns = [c for c in all_docs.columns if not c.startswith("_mm_")]
    docs = all_docs.loc[keep, [c for c in columns if c != "text"]].reset_index(drop=True)
    del all_docs, text  # the texts as read: only kept_text holds them now
    # one chunk, as every consumer of the column wants it (pa.array() of many chunks copies them)
    kept_text = kept_text.combine_chunks()
    docs.insert(columns.index("text"), "text", pd.array(kept_text, dtype="str"))
    docs["doc_id"] = ids[keep]
    for col in docs.columns:
        if col not in ("text", "date"):
            docs[col] = _jsonify(docs[col])
    parts = find_bodies(_texts_in_chunks(docs["text"]))
    docs["body_start"] = parts["body_start"].to_numpy()
    docs["body_end"] = parts["body_end"].to_numpy()
    docs["editor_code"] = parts["editor_code"].to_numpy()
    docs["license_text"] = parts["license_text"].to_numpy()
    docs["dateline"] = _fill(docs, "dateline", parts["dateline"])
    docs["license"] = _fill(docs, "license", parts["license"])
    docs["source"] = _fill(docs, "source", parts["license_holder"])
    if dedupe == "near" and len(docs):
        docs = _skip_near_duplicates(docs, rows, kept_idx)
    return docs, rows


def first_occurrences(texts: pa.ChunkedArray, hashes: np.ndarray) -> np.ndarray:
    """Per text, the position of the first text equal to it.

    Grouped by *hashes* (Python's hash of each text, taken per file by :func:`_compact_text` while
    the texts were Python strings anyway), then each text said to repeat an earlier one is compared
    with it byte for byte, so a hash collision can never make two different texts duplicates; should
    one occur, the texts are grouped by Arrow's exact dictionary encoding instead (slower, and it
    copies every distinct text).
    """
    _, first_of_hash, group = np.unique(hashes, return_index=True, return_inverse=True)
    first = first_of_hash[group]
    repeats = np.flatnonzero(first != np.arange(hashes.size))
    # text by text (Arrow's take over many chunks would first join them all: a copy of every text)
    if any(texts[i].as_py() != texts[j].as_py() for i, j in zip(repeats.tolist(), first[repeats].tolist())):
        codes = np.concatenate([c.indices.to_numpy() for c in texts.dictionary_encode().chunks])
        first = np.unique(codes, return_index=True)[1][codes]
    return first


def take_sorted(values: pa.ChunkedArray, positions: np.ndarray) -> pa.ChunkedArray:
    """``values.take(positions)`` for ascending *positions*, chunk by chunk: Arrow's own take over
    a chunked string array joins all chunks first, a transient copy of every text."""
    bounds = np.cumsum([0] + [len(c) for c in values.chunks])
    cuts = np.searchsorted(positions, bounds)
    pieces = [chunk.take(pa.array(positions[lo:hi] - start)) if hi - lo < len(chunk) else chunk
              for chunk, start, lo, hi in zip(values.chunks, bounds[:-1].tolist(), cuts[:-1].tolist(), cuts[1:].tolist())]
    return pa.chunked_array(pieces, type=values.type)


#: Texts turned into Python strings at a time by :func:`_texts_in_chunks`.
_TEXT_CHUNK = 4096


def _texts_in_chunks(texts: pd.Series) -> Iterator[str]:
    """The texts of an Arrow string column one by one, as Python strings made :data:`_TEXT_CHUNK`
    at a time (so a pass over a corpus never holds a Python copy of every text)."""
    for at in range(0, len(texts), _TEXT_CHUNK):
        yield from texts.iloc[at : at + _TEXT_CHUNK].tolist()


#: The near-duplicate rule applied at load: the defaults of mediamon.near_duplicates().
NEAR_RULE = dict(minhash.DEFAULTS)


def _skip_near_duplicates(docs: pd.DataFrame, rows: pd.DataFrame, manifest_row: np.ndarray) -> pd.DataFrame:
    """*docs* without the near-duplicates of others, which become skipped manifest rows (*rows*,
    updated in place; ``manifest_row[p]`` is the manifest row of ``docs`` row *p*)."""
    tokens, offsets = body_token_hashes(_texts_in_chunks(docs["text"]), docs["body_start"].to_numpy(), docs["body_end"].to_numpy())
    dates = pd.to_datetime(docs["date"], utc=True).to_numpy(dtype="datetime64[ns]").view(np.int64)
    ids = docs["doc_id"].to_numpy(dtype=object)
    found = minhash.find_near_duplicates(tokens, offsets, minhash.preference_rank(dates, ids), **NEAR_RULE)  # type: ignore[arg-type]
    folding = found.folding
    out = folding.folded
    if not out.size:
        return docs
    at = manifest_row[out]
    rep = ids[folding.representative[out]]
    rows.loc[at, "status"] = "skipped"
    rows.loc[at, "reason"] = "near_duplicate"
    rows.loc[at, "duplicate_of"] = rep
    notes = [f"near-duplicate of {r}: Jaccard similarity {sim:.3f} of {NEAR_RULE['shingle']}-token shingles "
             f"(threshold {NEAR_RULE['threshold']})" for r, sim in zip(rep.tolist(), folding.similarity[out].tolist())]  # fmt: skip
    rows.loc[at, "message"] = [f"{old}; {new}" if old else new for old, new in zip(rows.loc[at, "message"].tolist(), notes)]
    return docs.drop(index=docs.index[out]).reset_index(drop=True)


def body_token_hashes(texts: Iterable[str], body_start: np.ndarray, body_end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Form hashes of the tokens of each body, as the token index has them, and their offsets.

    The bodies are tokenised a batch of about 4 million characters at a time, joined by blank
    lines (the tokenizer never joins across whitespace, so each body gets the tokens it gets
    alone); each distinct surface is normalised and hashed once (:func:`mediamon.minhash.form_hashes`).
    """
    pieces = [t[s:e] for t, s, e in zip(texts, body_start.tolist(), body_end.tolist())]
    lengths = np.fromiter((len(p) + 2 for p in pieces), dtype=np.int64, count=len(pieces))
    bounds = np.unique(np.concatenate(([0], np.searchsorted(np.cumsum(lengths), np.arange(4_000_000, int(lengths.sum()), 4_000_000)), [len(pieces)])))
    forms: dict[str, int] = {}
    hashes: list[np.ndarray] = []
    per_doc = np.zeros(len(pieces), dtype=np.int64)
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        joined = "\n\n".join(pieces[lo:hi])
        cps = codepoints(joined)
        starts, ends = tokenize_spans(cps)
        if not starts.size:
            continue
        begins = np.concatenate(([0], np.cumsum(lengths[lo:hi])[:-1]))
        per_doc[lo:hi] = np.bincount(np.searchsorted(begins, starts, side="right") - 1, minlength=hi - lo)
        byte_at = utf8_positions(cps)
        cuts = np.empty(2 * starts.size + 1, dtype=np.int64)
        cuts[0], cuts[1::2], cuts[2::2] = 0, byte_at[starts], byte_at[ends]
        surfaces = split_utf8(joined.encode("utf-8", "surrogatepass"), cuts).take(pa.array(np.arange(1, cuts.size - 1, 2)))
        encoded = surfaces.dictionary_encode()
        # one normalisation per distinct surface of the batch, one hash per distinct form overall
        codes = np.fromiter((forms.setdefault(normalize(x), len(forms)) for x in encoded.dictionary.to_pylist()),
                            dtype=np.int64, count=len(encoded.dictionary))  # fmt: skip
        hashes.append(codes[encoded.indices.to_numpy(zero_copy_only=False)])
    form_hash = minhash.form_hashes(forms, len(forms))
    tokens = form_hash[np.concatenate(hashes)] if hashes else np.zeros(0, dtype=np.uint64)
    offsets = np.zeros(len(pieces) + 1, dtype=np.int64)
    np.cumsum(per_doc, out=offsets[1:])
    return tokens, offsets


def _fill(docs: pd.DataFrame, col: str, detected: pd.Series) -> np.ndarray:
    det = detected.to_numpy(dtype=object)
    if col not in docs.columns:
        return det
    have = docs[col].astype(object).tolist()
    return np.array(
        [d if (h is None or (isinstance(h, float) and np.isnan(h)) or (isinstance(h, str) and not h.strip()))
         else h for h, d in zip(have, det)],
        dtype=object,
    )


def _id_string(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    return s or None


def manifest_frame(rows: list[dict[str, Any]], doc_rows: pd.DataFrame | None) -> pd.DataFrame:
    parts = [pd.DataFrame.from_records(rows)] if rows else []
    if doc_rows is not None:
        parts.append(doc_rows)
    if not parts:
        man = pd.DataFrame({c: pd.Series([], dtype=object) for c in MANIFEST_COLUMNS})
    else:
        man = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        line_key = man["line"].astype("Float64").fillna(0)
        man = (
            man.assign(_line=line_key)
            .sort_values(["_seq", "_line"], kind="stable")
            .drop(columns=["_seq", "_line"])
            .reset_index(drop=True)
        )
    man["line"] = man["line"].astype("Int64")
    man["replaced_chars"] = man["replaced_chars"].fillna(0).astype(np.int64)
    man["nul_stripped"] = man["nul_stripped"].fillna(0).astype(np.int64)
    for c in ("item", "path", "status", "reason", "doc_id", "duplicate_of", "message", "encoding"):
        man[c] = man[c].astype(object).where(man[c].notna(), None)
    return man[list(MANIFEST_COLUMNS)]
