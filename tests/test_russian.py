"""Russian text end to end: the language column, Russian sentences, and actor mentions in every
inflected form, against an independent reference (a regex over the declension endings).

The bundled sample's Russian items (``mm_sample_v2_kremlin_ru_2025.jsonl``: 83 kremlin.ru items)
run always; the whole kremlin-ru-2025 corpus of ../shared (200 items) when it is there.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import mediamon as mm
from conftest import ACTORS_FILE, SAMPLE_DIR, shared_path

RUSSIAN_FILE = SAMPLE_DIR / "mm_sample_v2_kremlin_ru_2025.jsonl"
#: actor -> regex over the raw text: the base form and its case endings (the fishing season
#: "путина" is lower case, so the capital in the pattern keeps it out)
REFERENCE = {
    "putin": r"(?<!\w)Путин(?:а|у|ым|е)?(?!\w)",
    "minnikhanov": r"(?<!\w)Минниханов(?:а|у|ым|е)?(?!\w)",
    "tatarstan": r"(?<!\w)Татарстан(?:а|у|ом|е)?(?!\w)",
    "kazan": r"(?<!\w)Казан(?:ь|и|ью)(?!\w)",
}


def agreement(corpus: mm.Corpus, actor: str) -> tuple[int, int, float, float]:
    """(reference count, mediamon count, precision, recall) per document, in the article bodies."""
    found = mm.mentions(corpus, mm.read_actors(ACTORS_FILE)).df
    docs = corpus.docs
    ref = np.array([sum(s <= m.start() < e for m in re.finditer(REFERENCE[actor], t))
                    for t, s, e in zip(docs["text"], docs["body_start"], docs["body_end"])])  # fmt: skip
    ours = found[found["actor"] == actor].groupby("doc").size().reindex(range(len(docs)), fill_value=0).to_numpy()
    both = np.minimum(ref, ours).sum()
    return int(ref.sum()), int(ours.sum()), both / max(ours.sum(), 1), both / max(ref.sum(), 1)


@pytest.fixture(scope="module")
def bundled_russian() -> mm.Corpus:
    return mm.read_corpus(RUSSIAN_FILE)


@pytest.mark.parametrize("actor", sorted(REFERENCE))
def test_inflected_mentions_in_the_bundled_russian_items(bundled_russian, actor) -> None:
    ref, ours, precision, recall = agreement(bundled_russian, actor)
    assert ref > 0
    assert (precision, recall) == (1.0, 1.0), (actor, ref, ours)


@pytest.mark.slow
@pytest.mark.parametrize("actor", ["putin", "minnikhanov"])
def test_inflected_mentions_in_kremlin_ru_2025(actor) -> None:
    corpus = mm.read_corpus(shared_path("corpora", "kremlin-ru-2025"))
    ref, ours, precision, recall = agreement(corpus, actor)
    assert ref >= {"putin": 1000, "minnikhanov": 20}[actor]
    assert precision >= 0.99 and recall >= 0.99, (actor, ref, ours, precision, recall)


def test_the_fishing_season_is_not_putin() -> None:
    text = "Путина в разгаре: рыбаки вышли в море. Владимир Путин встретился с рыбаками. Путину доложили."
    c = mm.Corpus(pd.DataFrame({"doc_id": ["a"], "text": [text], "lang": ["ru"]}))
    m = mm.mentions(c, mm.read_actors(ACTORS_FILE))
    # "Путина в разгаре" starts a sentence with a capital: the one false friend a capital cannot rule out
    assert m.df.loc[m.df["actor"] == "putin", "matched"].tolist() == ["Путина", "Владимир Путин", "Путину"]
    lower = mm.Corpus(pd.DataFrame({"doc_id": ["b"], "text": ["Сейчас путина, и все рыбаки в море."]}))
    assert len(mm.mentions(lower, mm.read_actors(ACTORS_FILE))) == 0


def test_language_column_and_russian_sentences(bundled_russian) -> None:
    assert set(bundled_russian.docs["lang"]) == {"ru"}  # the data's value
    ix = mm.index(bundled_russian)
    assert ix.sentence_model == "news"
    # initials do not end a sentence in the Russian model: "В.В.Путин" stays inside its sentence
    text = "Президент В.В.Путин провёл встречу. Затем он уехал."
    c = mm.Corpus(pd.DataFrame({"doc_id": ["r"], "text": [text]}))
    assert c.docs.loc[0, "lang"] == "ru"  # detected
    ix = mm.index(c)
    assert ix.n_sents == 2
    en = mm.Corpus(pd.DataFrame({"doc_id": ["e"], "text": ["The two presidents met in Kazan on Tuesday, and they discussed trade at length. Then they left for Moscow."]}))
    assert en.docs.loc[0, "lang"] == "en" and mm.index(en).n_sents == 2


def test_collocates_leave_out_the_stopwords_of_each_language(bundled_russian, sample_v1) -> None:
    ru = mm.collocates(bundled_russian, mm.mentions(bundled_russian, mm.read_actors(ACTORS_FILE)).of("putin"), min_count=2)
    assert ru.params["stopwords"] == "ru"
    words = set(ru.df["collocate"])
    assert words and not words & {"и", "в", "с", "на", "что", "по"}
    assert mm.collocates(sample_v1, "Putin").params["stopwords"] == "en"
