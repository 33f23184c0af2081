"""One actor counts its mentions in every script (Latin, Cyrillic, Persian/Arabic), keeping the
surface form it matched.

Persian text: real sentences quoted (as tweets) in Tehran Times items, CC BY 4.0 ("Tehran Times /
Mehr News Agency, CC BY 4.0"), with their URLs below. No open Persian text names Putin or Raisi in
our corpora, so the Putin and Raisi lines are CONSTRUCTED snippets, marked as such.
"""

from __future__ import annotations

import pandas as pd

import mediamon as mm
from conftest import ACTORS_FILE

#: https://www.tehrantimes.com/news/438007/Iran-Russia-say-US-was-isolated-at-IAEA-s-special-meeting
REAL_IRAN = (
    "شکستی دیگر برای آمریکا در مضحکه شورای حکّام آژانس؛ آمریکا بار دیگر به دست خود منزوی شد. "
    "استحکام حقوقی برجام، دیپلماسی فعال و دست پر سیاسی و اخلاقی ایران همه راهها را بر پیمان شکنان پر مدعا می بندد."
)
#: https://www.tehrantimes.com/news/439281/Gibraltar-releases-Iranian-oil-tanker-Grace-1
REAL_TANKER = (
    "لحظاتی پیش با تصمیم مقامات جبل الطارق و تایید دادگاه، نفتکش حامل نفت ایران از توقیف غیرقانونی آزاد گردید."
)
CONSTRUCTED = {
    "en": "President Putin met President Raisi in Tehran.",
    "ru": "Владимир Путин встретился с Раиси в Тегеране, Путину показали город.",
    "fa": "پوتین و رئیسی در تهران دیدار کردند.",
}


def _mentions(texts: dict[str, str]) -> pd.DataFrame:
    corpus = mm.Corpus(pd.DataFrame({"doc_id": list(texts), "text": list(texts.values())}))
    return mm.mentions(corpus, mm.read_actors(ACTORS_FILE)).df


def test_real_persian_sentences_name_iran() -> None:
    m = _mentions({"iaea": REAL_IRAN, "tanker": REAL_TANKER})
    iran = m[m["actor"] == "iran"]
    assert iran.groupby("doc_id").size().to_dict() == {"iaea": 1, "tanker": 1}  # "ایران" once in each
    assert set(iran["matched"]) == {"ایران"}


def test_arabic_letter_variants_match_the_persian_alias() -> None:
    # the same real sentence typed with Arabic yeh and kaf (ي, ك) instead of the Persian ی, ک
    arabic = REAL_TANKER.replace("ی", "ي").replace("ک", "ك")
    assert arabic != REAL_TANKER
    m = _mentions({"arabic": arabic})
    assert m.loc[m["actor"] == "iran", "matched"].tolist() == ["ايران"]  # the surface as written


def test_one_actor_in_every_script_keeps_the_matched_form() -> None:
    m = _mentions(CONSTRUCTED)
    putin = m[m["actor"] == "putin"].groupby("doc_id")["matched"].apply(list).to_dict()
    assert putin == {"en": ["President Putin"], "ru": ["Владимир Путин", "Путину"], "fa": ["پوتین"]}
    raisi = m[m["actor"] == "raisi"].groupby("doc_id")["matched"].apply(list).to_dict()
    assert raisi == {"en": ["President Raisi"], "ru": ["Раиси"], "fa": ["رئیسی"]}
    tehran = m[m["actor"] == "tehran"].groupby("doc_id")["matched"].apply(list).to_dict()
    assert tehran == {"en": ["Tehran"], "ru": ["Тегеране"], "fa": ["تهران"]}
    counts = m.groupby("actor").size()
    assert counts["putin"] == 4 and counts["raisi"] == 3
