"""Language per document (mediamon.lang): the data's value first, else py3langid on a bounded prefix.

Texts: English and Russian from the bundled sample (real kremlin.ru / Tehran Times items); Persian quoted
in Tehran Times items (real, CC BY 4.0, URLs below); Arabic constructed for this test (no open Arabic
news text is at hand). The reference for the detector is py3langid's own per-text ``rank``.
"""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from conftest import SAMPLE_DIR
from mediamon import lang as lang_module
from mediamon.errors import InputError
from mediamon.lang import DEFAULT_PREFIX_CHARS, TO_ISO639_1, UNDETERMINED, detect_languages

#: Persian quoted in Tehran Times English items (real text, "Tehran Times / Mehr News Agency, CC BY 4.0").
PERSIAN = {
    # https://www.tehrantimes.com/news/438007/Iran-Russia-say-US-was-isolated-at-IAEA-s-special-meeting
    "tehrantimes-438007": "شکستی دیگر برای آمریکا در مضحکه شورای حکّام آژانس؛ آمریکا بار دیگر به دست خود منزوی شد. "
    "استحکام حقوقی برجام، دیپلماسی فعال و دست پر سیاسی و اخلاقی ایران همه راهها را بر پیمان شکنان پر مدعا می بندد.",
    # https://www.tehrantimes.com/news/449715/Rouhani-advisor-calls-Iran-China-agreement-a-sign-of-strength
    "tehrantimes-449715": "داشتن یک طرح برای همکاری ۲۵ ساله با یک کشور دیگر نشانه ضعف نیست. ضعف در این است که "
    "قراردادهای همکاری بلند مدتمان محدود به یک کشور بماند.",
}
#: Constructed for this test (Modern Standard Arabic): "The Iranian president met the Russian president in Moscow,
#: and the two sides discussed economic cooperation between the two countries."
ARABIC_CONSTRUCTED = "التقى الرئيس الإيراني بالرئيس الروسي في موسكو، وناقش الجانبان التعاون الاقتصادي بين البلدين."


def jsonl(name: str) -> list[dict]:
    with (SAMPLE_DIR / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="module")
def v1() -> list[dict]:
    return jsonl("mm_sample_v1.jsonl")


@pytest.fixture(scope="module")
def ru() -> list[dict]:
    return jsonl("mm_sample_v2_kremlin_ru_2025.jsonl")


@pytest.fixture(scope="module")
def reference() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def reference_code(ident: LanguageIdentifier, text: str) -> tuple[str, float]:
    """py3langid per text, its probabilities folded into codes as the module docstring says."""
    per_code: Counter[str] = Counter()
    for lang, p in ident.rank(text):
        per_code[TO_ISO639_1.get(lang, lang)] += p
    return per_code.most_common(1)[0]


def test_real_english_russian_persian_and_constructed_arabic(v1, ru) -> None:
    english = next(r["text"] for r in v1 if r["id"].startswith("kremlin-"))
    tehran = next(r["text"] for r in v1 if r["id"].startswith("tehrantimes-"))
    russian = ru[0]["text"]
    codes = detect_languages([english, tehran, russian, *PERSIAN.values(), ARABIC_CONSTRUCTED])
    assert codes.tolist() == ["en", "en", "ru", "fa", "fa", "ar"]
    assert codes.dtype == object


def test_the_datas_value_wins_and_is_normalised() -> None:
    texts = [  # the leads of kremlin-66988 and kremlin-ru-76191 (real)
        "Vladimir Putin sent a message of greetings to the staff, students and alumni of the Gnessin Moscow Special "
        "School of Music (college) on its 75th anniversary.",
        "Владимир Путин поздравил предстоятеля Русской православной церкви с шестнадцатой годовщиной интронизации.",
        "x", "", None,
    ]  # fmt: skip
    given = ["RU", "en-GB", None, "fa_IR", float("nan")]
    assert detect_languages(texts, given=given).tolist() == ["ru", "en", UNDETERMINED, "fa", UNDETERMINED]
    assert detect_languages(texts[:2], given=pd.Series(["", "  "])).tolist() == ["en", "ru"]  # empty -> detect
    assert detect_languages(["a"], given=["arz"]).tolist() == ["ar"]  # a 639-3 variety folds into 639-1


def test_bad_given_values_are_refused_with_the_value_named() -> None:
    with pytest.raises(InputError, match=r"given\[1\]='English' is not a language code"):
        detect_languages(["a", "b"], given=["en", "English"])
    with pytest.raises(InputError, match="given has 1 values for 2 texts"):
        detect_languages(["a", "b"], given=["en"])
    with pytest.raises(InputError, match="is not a string"):
        detect_languages(["a"], given=[7])
    with pytest.raises(InputError, match="prefix_chars"):
        detect_languages(["a"], prefix_chars=0)


def test_undecidable_texts_are_und() -> None:
    texts = ["", "   \n", None, "12,345 — 2025.", "!!!", "See also", "OK"]
    assert detect_languages(texts).tolist() == [UNDETERMINED] * len(texts)
    assert detect_languages([]).tolist() == []


def test_only_the_prefix_is_read(v1, ru) -> None:
    english = next(r["text"] for r in v1 if r["id"].startswith("kremlin-") and len(r["text"]) > 2000)
    russian = next(r["text"] for r in ru if len(r["text"]) > 20_000)
    mixed = english[:DEFAULT_PREFIX_CHARS] + " " + russian
    assert detect_languages([mixed]).tolist() == ["en"]
    assert detect_languages([mixed], prefix_chars=len(mixed)).tolist() == ["ru"]


def test_equals_py3langid_on_the_bundled_sample(v1, ru, reference) -> None:
    """The vectorised classifier against py3langid's own per-text computation, same prefixes."""
    texts = [r["text"] for r in v1[::7]] + [r["text"] for r in ru] + list(PERSIAN.values()) + ["See also"]
    ours = detect_languages(texts, min_confidence=0.0)
    theirs = [reference_code(reference, t[:DEFAULT_PREFIX_CHARS]) for t in texts]
    assert ours.tolist() == [code for code, _ in theirs]
    confident = detect_languages(texts)
    expected = [code if p >= 0.5 else UNDETERMINED for code, p in theirs]
    assert confident.tolist() == expected


def test_languages_of_the_bundled_sample(v1, ru, reference) -> None:
    codes = detect_languages([r["text"] for r in v1 + ru], given=[r.get("lang") for r in v1 + ru])
    counts = Counter(codes.tolist())
    # v1 has no lang field: py3langid decides, and its reference count must be met exactly
    ref = Counter(
        code if p >= 0.5 else UNDETERMINED
        for code, p in (reference_code(reference, r["text"][:DEFAULT_PREFIX_CHARS]) for r in v1)
    )
    assert counts == ref + Counter({"ru": len(ru)})
    assert counts["en"] >= 1360  # 1,370 English items; a handful of very short ones may be und
    assert np.all(codes[len(v1) :] == "ru")


def test_an_arrow_column_is_read_in_batches_with_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["President Vladimir Putin met his Iranian counterpart Ebrahim Raisi in Kazan on Thursday, "
             "where the two leaders discussed trade and the situation in the region.", None,
             "Президент России Владимир Путин встретился в Казани с президентом Ирана Эбрахимом Раиси, "
             "и они обсудили торговлю и положение в регионе.", "", "12 34"] * 3
    expected_codes = detect_languages(texts).tolist()
    monkeypatch.setattr(lang_module, "_BATCH", 2)  # several batches over a short column
    column = pd.Series(texts, dtype="str")
    assert detect_languages(column).tolist() == expected_codes
    assert expected_codes[:5] == ["en", "und", "ru", "und", "und"]


def test_a_large_call_releases_the_model_unless_it_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["President Vladimir Putin met his Iranian counterpart Ebrahim Raisi in Kazan on Thursday, "
             "where the two leaders discussed trade and the situation in the region.",
             "Президент России Владимир Путин встретился в Казани с президентом Ирана Эбрахимом Раиси, "
             "и они обсудили торговлю и положение в регионе."] * 2
    expected = ["en", "ru", "en", "ru"]
    monkeypatch.setattr(lang_module, "RELEASE_AFTER_TEXTS", 4)
    assert detect_languages(texts[:3]).tolist() == expected[:3]  # below the threshold: kept
    assert lang_module._model.cache_info().currsize == 1
    with lang_module.model_kept():
        assert detect_languages(texts).tolist() == expected
        assert lang_module._model.cache_info().currsize == 1  # held by the block
    assert detect_languages(texts).tolist() == expected  # the same answer from a model loaded again
    assert lang_module._model.cache_info().currsize == 0
    assert detect_languages(texts[:1]).tolist() == expected[:1]


def test_a_large_call_inside_a_kept_block_releases_the_model_when_the_last_block_closes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lang_module, "RELEASE_AFTER_TEXTS", 2)
    texts = ["Президент России Владимир Путин встретился в Казани с президентом Ирана Эбрахимом Раиси, "
             "и они обсудили торговлю и положение в регионе."] * 2
    with lang_module.model_kept():
        with lang_module.model_kept():
            assert detect_languages(texts).tolist() == ["ru", "ru"]
        assert lang_module._model.cache_info().currsize == 1  # one block still open
    assert lang_module._model.cache_info().currsize == 0
    with lang_module.model_kept():  # only small calls inside: the model stays
        assert detect_languages(texts[:1]).tolist() == ["ru"]
    assert lang_module._model.cache_info().currsize == 1
