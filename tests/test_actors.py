"""Actor lists and mentions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import mediamon
from mediamon.errors import ActorFileError, MediamonError

REQUIRED = {
    "putin": "person", "raisi": "person", "minnikhanov": "person", "jalali": "person", "suslov": "person",
    "dolgov": "person", "sazhin": "person", "oic": "organisation", "oriental_studies": "organisation",
    "mehr": "organisation", "russia": "place", "iran": "place", "tatarstan": "place", "kazan": "place",
    "tehran": "place", "moscow": "place",
}  # fmt: skip


def corpus_of(*texts: str) -> mediamon.Corpus:
    return mediamon.Corpus(pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": list(texts)}))


def test_bundled_actor_file_has_the_seed_actors(actors: mediamon.ActorSet) -> None:
    assert {a.id: a.kind for a in actors} == REQUIRED
    raisi = {al.text for al in actors["raisi"].aliases}
    assert {"Seyed Ebrahim Raisi", "Ebrahim Raisi", "Raeisi", "Raisi"} <= raisi
    assert "Russian Federation" in {al.text for al in actors["russia"].aliases}
    assert "Islamic Republic of Iran" in {al.text for al in actors["iran"].aliases}


def test_seed_mentions_are_the_hand_counts(seed_corpus, actors) -> None:
    m = mediamon.mentions(seed_corpus, actors)
    counts = m.df["actor"].value_counts()
    assert counts["raisi"] == 7 and counts["putin"] == 3 and counts["minnikhanov"] == 2 and counts["jalali"] == 3
    # "TEHRAN —" is the dateline and "Mehr News Agency" the licence trailer: not article text
    assert counts["tehran"] == 2 and "mehr" not in counts
    # longest match: "Rustam Minnikhanov" and "Seyed Ebrahim Raisi" are one mention each
    assert set(m.df.loc[m.df.actor == "minnikhanov", "matched"]) == {"Rustam Minnikhanov"}
    assert "Seyed Ebrahim Raisi" in set(m.df.loc[m.df.actor == "raisi", "matched"])
    assert "Islamic Republic of Iran" in set(m.df.loc[m.df.actor == "iran", "matched"])


def test_every_mention_points_at_its_text(sample_corpus, actors) -> None:
    m = mediamon.mentions(sample_corpus, actors)
    assert list(m.df.columns) == list(mediamon.analysis.mentions.MENTION_COLUMNS)
    texts = dict(zip(sample_corpus.docs.doc_id, sample_corpus.docs.text))
    for doc_id, a, b, matched in zip(m.df.doc_id, m.df.char_start, m.df.char_end, m.df.matched):
        assert texts[doc_id][a:b] == matched
    assert m.df.groupby("actor")["doc_id"].nunique()["minnikhanov"] == 16  # mm-sample README


def test_possessives_longest_match_case_and_patterns() -> None:
    actors = mediamon.read_actors(
        [
            {"id": "putin", "name": "Vladimir Putin", "kind": "person",
             "aliases": ["Vladimir Putin", "President Vladimir Putin", "Putin"], "patterns": ["Путин*"]},
            {"id": "oic", "name": "OIC", "kind": "organisation", "aliases": [{"alias": "OIC", "match_case": True}]},
        ]
    )  # fmt: skip
    c = corpus_of("President Vladimir Putin’s visit. Putin's aide. Путина встретили. The oic and the OIC.")
    m = mediamon.mentions(c, actors).df
    assert m["matched"].tolist() == ["President Vladimir Putin", "Putin", "Путина", "OIC"]


def test_alias_conflicts_need_ambiguous_and_then_count_for_both(tmp_path: Path) -> None:
    a = {"id": "a", "name": "A", "kind": "person", "aliases": ["Smith"]}
    b = {"id": "b", "name": "B", "kind": "person", "aliases": ["smith"]}
    with pytest.raises(ActorFileError, match="claimed by 'a' and 'b'"):
        mediamon.read_actors([a, b])
    actors = mediamon.read_actors([{**a, "ambiguous": True}, {**b, "ambiguous": True}])
    m = mediamon.mentions(corpus_of("Smith spoke."), actors).df
    assert sorted(m["actor"]) == ["a", "b"]


def test_bad_yaml_and_missing_fields_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: a\n  name: A\n  aliases: [A, B\n- id: b\n", encoding="utf-8")
    with pytest.raises(ActorFileError, match=r"not valid YAML at line \d+"):
        mediamon.read_actors(bad)
    missing = tmp_path / "missing.yaml"
    missing.write_text("- id: a\n  name: A\n  aliases: [A]\n\n- id: b\n  aliases: [B]\n", encoding="utf-8")
    with pytest.raises(ActorFileError, match=r"missing.yaml line 5: missing field 'name'"):
        mediamon.read_actors(missing)
    kind = tmp_path / "kind.yaml"
    kind.write_text("- id: a\n  name: A\n  kind: planet\n", encoding="utf-8")
    with pytest.raises(ValueError, match="kind 'planet' is invalid"):
        mediamon.read_actors(kind)
    with pytest.raises(MediamonError, match="cannot read"):
        mediamon.read_actors(tmp_path / "nope.yaml")


def test_actor_table_input_and_html_is_escaped() -> None:
    df = pd.DataFrame({"id": ["x"], "name": ["<script>alert(1)</script>"], "kind": ["person"], "aliases": ["X | Ex"]})
    actors = mediamon.read_actors(df)
    assert [al.text for al in actors["x"].aliases] == ["X", "Ex"]
    html = actors._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
