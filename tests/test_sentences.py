"""Sentence boundaries: vectorised Punkt against NLTK's own PunktSentenceTokenizer."""

from __future__ import annotations

import sys
from pathlib import Path

import nltk.data
import pandas as pd
import pytest

import mediamon
from conftest import REPO, shared_path
from mediamon.errors import NotFoundError
from mediamon.sentences import PunktModel, bundled_model
from conftest import fresh_index as build_index

sys.path.insert(0, str(REPO / "tools"))
import punkt_agreement  # noqa: E402  (the measuring tool is tested with the code it measures)


def sentences_of(corpus: mediamon.Corpus, row: int = 0) -> list[str]:
    ix = mediamon.index(corpus)
    text = corpus.docs["text"].iloc[row]
    out = []
    for s in range(ix.n_sents):
        a, b = ix.sent_offsets[s], ix.sent_offsets[s + 1]
        if ix.doc[a] == row:
            out.append(text[ix.start[a] : ix.end[b - 1]])
    return out


def test_seed_article_has_its_twelve_hand_counted_sentences(seed_corpus: mediamon.Corpus) -> None:
    sents = sentences_of(seed_corpus)
    starts = [
        "The meeting of the ambassadors", "In the meeting that ambassadors", "Addressing the meeting",
        "In his speech at the meeting", "Jalali stated that", "Referring to Raisi's visit",
        "“We are happy", "On June 18, Raisi won", "After Raisi’s triumph", "Boris Dolgov, an expert",
        "Vladimir Sazhin, a senior fellow", "In April 2017, Raisi held",
    ]  # fmt: skip
    assert len(sents) == len(starts)
    for sent, start in zip(sents, starts):
        assert sent.startswith(start)
    assert sents[2].endswith("products.”")  # closing quote stays with its sentence
    assert sents[-1].endswith("with Russia and Tatarstan.")


def corpus_of(*texts: str) -> mediamon.Corpus:
    return mediamon.Corpus(pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": list(texts)}))


def test_abbreviations_initials_and_numbers_do_not_end_sentences() -> None:
    c = corpus_of("Mr. Putin met Dr. Smith in the U.S. capital. They talked. J. S. Bach was not there.")
    assert sentences_of(c) == [
        "Mr. Putin met Dr. Smith in the U.S. capital.",
        "They talked.",
        "J. S. Bach was not there.",
    ]


def test_question_exclamation_quotes_and_blank_lines() -> None:
    c = corpus_of('Is it over? "Yes!" he said.\n\nA new paragraph without a period\nstill one sentence. End')
    assert sentences_of(c) == [
        "Is it over?",
        '"Yes!"',  # as Punkt: "!" always ends a sentence; the quote stays with it
        "he said.",
        "A new paragraph without a period\nstill one sentence.",
        "End",
    ]


HANDCRAFTED = [
    "He arrived at 5 p.m. on Monday. The talks began.",
    "Prices rose 3.5 percent in Jan. and fell in Feb. Analysts were surprised.",
    "The ministers (Iran and Russia) met. (They agreed.) Then they left...  Nobody spoke.",
    "“We are ready,” he said. ‘Fine.’ She nodded! Why? Because.",
    "The No. 1 priority is trade. See Fig. 2 for details. U.N. officials agreed.",
    "Gen. Smith and Col. Jones met Sen. Brown at St. Petersburg. It was cold.",
]


@pytest.mark.parametrize("text", HANDCRAFTED)
def test_handcrafted_texts_split_as_nltk_does_with_the_same_parameters(text: str) -> None:
    expected = list(punkt_agreement.nltk_tokenizer(bundled_model()).tokenize(text))
    assert sentences_of(corpus_of(text)) == expected


def test_no_sentence_crosses_a_document() -> None:
    c = corpus_of("First doc without period", "Second doc. Two sentences.")
    ix = mediamon.index(c)
    assert list(ix.sent_doc) == [0, 1, 1]


def test_agreement_with_nltk_using_the_same_parameters(sample_corpus: mediamon.Corpus) -> None:
    """Implementation fidelity: same parameters, NLTK's object-per-token Punkt as the reference."""
    model = bundled_model()
    ours = punkt_agreement.boundaries_mediamon(sample_corpus, model)
    nltk_b = punkt_agreement.boundaries_nltk(sample_corpus, punkt_agreement.nltk_tokenizer(model))
    precision, recall, f1 = punkt_agreement.prf(ours, nltk_b)
    assert len(nltk_b) > 20_000
    assert f1 >= 0.99, (precision, recall)


def test_agreement_with_nltk_official_english_model(sample_corpus: mediamon.Corpus) -> None:
    folder = shared_path("nltk_data", "tokenizers", "punkt_tab", "english")
    official = PunktModel.from_dir(folder, name="nltk-english")
    ours = punkt_agreement.boundaries_mediamon(sample_corpus, bundled_model())
    theirs = punkt_agreement.boundaries_nltk(sample_corpus, punkt_agreement.nltk_tokenizer(official))
    assert punkt_agreement.prf(ours, theirs)[2] >= 0.97


def test_nltk_model_is_an_opt_in_and_never_downloaded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)])
    c = corpus_of("One sentence. Two.")
    with pytest.raises(NotFoundError, match="never downloads"):
        build_index(c, sentences="nltk")
    data = shared_path("nltk_data")
    monkeypatch.setattr(nltk.data, "path", [str(data)])
    ix = build_index(c, sentences="nltk:english")
    assert ix.sentence_model == "nltk:english"
    assert ix.n_sents == 2


def test_bundled_parameters_are_text_files_not_pickles() -> None:
    folder = REPO / "mediamon" / "data" / "punkt" / "news-en"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["abbrev_types.txt", "collocations.tab", "ortho_context.tab", "sent_starters.txt"]
    for p in folder.iterdir():
        p.read_text(encoding="utf-8")  # plain UTF-8 text
    assert not list(REPO.joinpath("mediamon").rglob("*.pickle")) and not list(REPO.joinpath("mediamon").rglob("*.pkl"))
    assert {"mr", "u.s"} <= bundled_model().abbrev_types
