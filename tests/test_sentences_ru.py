"""Russian sentence splitting with the bundled news-ru Punkt parameters (trained by tools/train_punkt.py).

Expected sentences were checked by reading the real kremlin.ru items of the bundled sample
(corpora/mm-sample/mm_sample_v2_kremlin_ru_2025.jsonl); the one constructed text is marked.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

import mediamon
from conftest import REPO, SAMPLE_DIR, shared_path
from mediamon.sentences import bundled_model

sys.path.insert(0, str(REPO / "tools"))
import punkt_agreement  # noqa: E402  (the measuring tool is tested with the code it measures)

RU_FILE = SAMPLE_DIR / "mm_sample_v2_kremlin_ru_2025.jsonl"
MODEL_DIR = REPO / "mediamon" / "data" / "punkt" / "news-ru"


@pytest.fixture(scope="module")
def ru_texts() -> dict[str, str]:
    with RU_FILE.open(encoding="utf-8") as fh:
        return {r["id"]: r["text"] for r in map(json.loads, fh)}


def split(*texts: str) -> list[list[str]]:
    corpus = mediamon.Corpus(pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": list(texts)}))
    ix = mediamon.index(corpus, sentences="news-ru")
    out: list[list[str]] = [[] for _ in texts]
    for s in range(ix.n_sents):
        a, b = ix.sent_offsets[s], ix.sent_offsets[s + 1]
        out[ix.doc[a]].append(texts[ix.doc[a]][ix.start[a] : ix.end[b - 1]])
    return out


def test_news_ru_loads_as_text() -> None:
    model = bundled_model("news-ru")
    assert model.name == "news-ru"
    assert sorted(p.name for p in MODEL_DIR.iterdir()) == [
        "abbrev_types.txt", "collocations.tab", "ortho_context.tab", "sent_starters.txt"]  # fmt: skip
    assert {"г", "гг", "т.е", "т.к", "им", "млн", "в", "д.в"} <= model.abbrev_types
    assert not {"моря", "тыва", "я"} & model.abbrev_types  # words, not abbreviations (see train_punkt.py)
    assert model.ortho_context["путин"] > 0
    assert bundled_model("news-en").abbrev_types != model.abbrev_types


def test_decree_with_year_abbreviation_and_initials(ru_texts) -> None:
    # kremlin-ru-76232, whole text: "2021 г." and the initials "А.С." do not end a sentence
    assert split(ru_texts["kremlin-ru-76232"])[0] == [
        "Президент подписал Указ «О досрочном прекращении полномочий Губернатора Новгородской области».",
        "Текст Указа: В связи с заявлением Губернатора Новгородской области Никитина A.С. o досрочном прекращении "
        "полномочий и в соответствии с пунктом 2 части 1 статьи 28 Федерального закона от 21 декабря 2021 г. "
        "№ 414-ФЗ «Об общих принципах организации публичной власти в субъектах Российской Федерации» постановляю: "
        "1. Принять отставку Губернатора Новгородской области Никитина А.С. по собственному желанию в связи с "
        "переходом на другую работу.",
        "2. Настоящий Указ вступает в силу со дня его подписания.",
    ]


def test_imeni_and_initials_before_a_name(ru_texts) -> None:
    # kremlin-ru-76690, the lead and first body sentence: "им. Н.Э.Баумана" stays inside its sentence
    text = ru_texts["kremlin-ru-76690"]
    cut = text.index("Глава государства начал")
    assert split(text[:cut])[0] == [
        "Владимир Путин посетил Московский государственный технический университет им. Н.Э.Баумана, где осмотрел "
        "новый корпус и пообщался со студентами.",
        "Президента сопровождали: Первый заместитель Председателя Правительства Российской Федерации, председатель "
        "попечительского совета МГТУ им. Н.Э.Баумана Денис Мантуров, заместитель Руководителя Администрации "
        "Президента Максим Орешкин, помощник Президента Андрей Фурсенко, Министр науки и высшего образования "
        "Валерий Фальков, мэр Москвы Сергей Собянин, ректор МГТУ им. Н.Э.Баумана Михаил Гордин.",
    ]


def test_speaker_labels_with_initials(ru_texts) -> None:
    # kremlin-ru-76685: the exchange closing Minnikhanov's report
    text = ru_texts["kremlin-ru-76685"]
    start = text.index("Р.Минниханов: Спасибо, Владимир Владимирович.")
    end = text.index("В.Путин: Спасибо Вам.", start) + len("В.Путин: Спасибо Вам.")
    assert split(text[start:end])[0] == ["Р.Минниханов: Спасибо, Владимир Владимирович.", "В.Путин: Спасибо Вам."]


def test_spaced_and_unspaced_initials_constructed() -> None:
    # constructed: the corpus writes "В.В.Путин"/"В.Путин"; spaced initials ("В. В. Путин") do not occur in it
    assert split("Его встретил В. В. Путин. Встреча прошла в Кремле. В.В.Путин провёл встречу, т.е. беседу.")[0] == [
        "Его встретил В. В. Путин.",
        "Встреча прошла в Кремле.",
        "В.В.Путин провёл встречу, т.е. беседу.",
    ]
    assert split("Я так думаю. Это сказал я. Мы согласны.")[0] == ["Я так думаю.", "Это сказал я.", "Мы согласны."]


def test_agreement_with_nltk_using_the_same_parameters() -> None:
    """Implementation fidelity on the bundled Russian items: NLTK's own Punkt with news-ru as the reference."""
    corpus = mediamon.read_corpus(RU_FILE)
    model = bundled_model("news-ru")
    ours = punkt_agreement.boundaries_mediamon(corpus, model)
    theirs = punkt_agreement.boundaries_nltk(corpus, punkt_agreement.nltk_tokenizer(model))
    precision, recall, f1 = punkt_agreement.prf(ours, theirs)
    assert len(theirs) > 3000
    assert f1 >= 0.99, (precision, recall)


@pytest.mark.slow
def test_training_reproduces_the_bundled_files(tmp_path) -> None:
    source = shared_path("corpora", "kremlin-ru-2025", "kremlin_ru_2025-02_2025-05.jsonl.gz")
    subprocess.run(
        [sys.executable, str(REPO / "tools" / "train_punkt.py"), "--language", "ru", str(source), "--out", str(tmp_path)],
        check=True, capture_output=True, cwd=REPO,
    )  # fmt: skip
    for p in MODEL_DIR.iterdir():
        assert (tmp_path / p.name).read_bytes() == p.read_bytes(), p.name
