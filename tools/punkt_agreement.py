"""Measure sentence-boundary agreement between mediamon and NLTK's Punkt.

Usage::

    .venv/bin/python tools/punkt_agreement.py corpora/mm-sample \
        [--nltk-model ../shared/nltk_data/tokenizers/punkt_tab/english]

For every document, the sentence starts inside the body (character offsets, the first sentence
excluded) found by mediamon's index are compared with those of NLTK's ``PunktSentenceTokenizer``
run on the same body text with (a) the same bundled parameters — implementation fidelity — and
(b) the given NLTK model — agreement with NLTK's official English model. Prints precision,
recall and F1 of mediamon's boundaries against NLTK's.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

import mediamon
from mediamon.sentences import PunktModel, bundled_model
from mediamon.indexbuild import build_index


def nltk_tokenizer(model: PunktModel) -> PunktSentenceTokenizer:
    params = PunktParameters()
    params.abbrev_types = set(model.abbrev_types)
    params.collocations = set(model.collocations)
    params.sent_starters = set(model.sent_starters)
    params.ortho_context = defaultdict(int, model.ortho_context)
    return PunktSentenceTokenizer(params)


def boundaries_nltk(corpus: mediamon.Corpus, tok: PunktSentenceTokenizer) -> set[tuple[int, int]]:
    out = set()
    for row, (text, a, b) in enumerate(zip(corpus.docs.text, corpus.docs.body_start, corpus.docs.body_end)):
        body = text[a:b]
        # NLTK never splits at blank lines; mediamon always does. Compare inside paragraphs.
        pos = 0
        for para in body.split("\n\n"):
            spans = list(tok.span_tokenize(para))
            out.update((row, a + pos + s) for s, _ in spans[1:])
            pos += len(para) + 2
    return out


def boundaries_mediamon(corpus: mediamon.Corpus, model: str | PunktModel) -> set[tuple[int, int]]:
    docs = corpus.docs
    ix = build_index(docs["text"].tolist(), docs["body_start"].to_numpy(), docs["body_end"].to_numpy(),
                     fingerprint=corpus.fingerprint, doc_ids=docs["doc_id"].tolist(), sentences=model, progress=False)
    first = np.zeros(ix.n_tokens, dtype=bool)
    first[ix.sent_offsets[:-1]] = True
    para_first = np.zeros(ix.n_tokens, dtype=bool)
    para_first[np.searchsorted(ix.para, np.arange(ix.n_paras))] = True
    keep = first & ~para_first
    return set(zip(ix.doc[keep].tolist(), ix.start[keep].tolist()))


def prf(ours: set, theirs: set) -> tuple[float, float, float]:
    tp = len(ours & theirs)
    p = tp / len(ours) if ours else 1.0
    r = tp / len(theirs) if theirs else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--nltk-model", type=Path)
    args = parser.parse_args()
    corpus = mediamon.read_corpus(args.corpus)
    bundled = bundled_model()
    ours = boundaries_mediamon(corpus, bundled)
    same = boundaries_nltk(corpus, nltk_tokenizer(bundled))
    p, r, f = prf(ours, same)
    print(json.dumps({"comparison": "mediamon vs NLTK, bundled news-en parameters", "boundaries": len(same), "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}))
    if args.nltk_model:
        official = PunktModel.from_dir(args.nltk_model, name="nltk-english")
        theirs = boundaries_nltk(corpus, nltk_tokenizer(official))
        p, r, f = prf(ours, theirs)
        print(json.dumps({"comparison": "mediamon (news-en) vs NLTK official English punkt_tab", "boundaries": len(theirs), "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}))
        ours_official = boundaries_mediamon(corpus, official)
        p, r, f = prf(ours_official, theirs)
        print(json.dumps({"comparison": "mediamon vs NLTK, both with official English punkt_tab", "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}))


if __name__ == "__main__":
    main()
