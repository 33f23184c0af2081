"""Actor lists and mentions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mediamon
import mediamon.actors
from mediamon.errors import ActorFileError, MediamonError
from mediamon.text import query_forms

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
    # 16 documents in v1 (mm-sample README); plain regex over the v2 files: 1 English, 2 Russian
    assert m.df.groupby("actor")["doc_id"].nunique()["minnikhanov"] == 16 + 1 + 2


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


# --------------------------------------------------------------------------------------------
# Hostile actor files (issue 15.12, RELIABILITY 30)
# --------------------------------------------------------------------------------------------
def actor_file(tmp_path: Path, text: str | bytes, name: str = "actors.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def test_actor_file_not_utf8_is_an_actor_file_error(tmp_path: Path) -> None:
    path = actor_file(tmp_path, b"- id: a\n  name: Caf\xe9\n")
    with pytest.raises(ActorFileError, match=r"not UTF-8: byte 0xe9 at offset 19 \(line 2\)\. Save the file as UTF-8"):
        mediamon.read_actors(path)


def test_actor_file_nested_deep_is_an_actor_file_error(tmp_path: Path) -> None:
    path = actor_file(tmp_path, "- id: a\n  name: A\n  aliases: " + "[" * 400 + "]" * 400 + "\n")
    with pytest.raises(ActorFileError, match=r"not valid YAML at line 3.*nested deeper than 64 levels"):
        mediamon.read_actors(path)


def test_actor_file_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["- id: a", "  name: A", '  l0: &l0 ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"  l{k}: &l{k} [" + ",".join([f"*l{k - 1}"] * 9) + "]" for k in range(1, 9)]
    path = actor_file(tmp_path, "\n".join(lines) + "\n")
    assert path.stat().st_size < 600
    with pytest.raises(ActorFileError, match="aliases expand to more than 10,000 nodes"):
        mediamon.read_actors(path)


def test_actor_file_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mediamon.actors, "MAX_ACTOR_FILE_BYTES", 100)
    path = actor_file(tmp_path, "- id: a\n  name: A\n" * 20)
    with pytest.raises(ActorFileError, match="larger than 100 bytes"):
        mediamon.read_actors(path)


@pytest.mark.parametrize("alias", [".", "...", "—", "*", "? *", "_", "  "])
def test_alias_without_a_letter_or_digit_is_refused(alias: str) -> None:
    key = "patterns" if "*" in alias or "?" in alias else "aliases"
    with pytest.raises(ActorFileError, match="has no letter or digit"):
        mediamon.read_actors([{"id": "a", "name": "A", key: [alias]}])


def test_aliases_with_punctuation_and_a_word_are_kept() -> None:
    actors = mediamon.read_actors([{"id": "us", "name": "United States", "aliases": ["U.S.", "C++", "3M"]}])
    assert [al.text for al in actors["us"].aliases] == ["U.S.", "C++", "3M"]


def test_ids_and_names_stay_the_strings_written(tmp_path: Path) -> None:
    path = actor_file(
        tmp_path,
        "- id: yes\n  name: Yes Party\n- id: 007\n  name: Agent\n  founded: 1999\n"
        "- id: off\n  name: Off\n  ambiguous: yes\n  aliases: [{alias: OFF, match_case: TRUE}]\n",
    )
    actors = mediamon.read_actors(path)
    assert actors.ids == ["yes", "007", "off"]
    assert actors["007"].meta == {"founded": "1999"}
    assert actors["off"].ambiguous is True and actors["off"].aliases[0].match_case is True
    assert actors["yes"].ambiguous is False


def test_flags_are_read_as_written_not_as_truthy_strings() -> None:
    actors = mediamon.read_actors([
        {"id": "a", "name": "A", "ambiguous": "false", "aliases": [{"alias": "A", "match_case": "no"}]},
        {"id": "b", "name": "B", "ambiguous": 1},
    ])
    assert actors["a"].ambiguous is False and actors["a"].aliases[0].match_case is False
    assert actors["b"].ambiguous is True
    with pytest.raises(ActorFileError, match="ambiguous must be true or false, got 'maybe'"):
        mediamon.read_actors([{"id": "c", "name": "C", "ambiguous": "maybe"}])


def test_fields_that_are_not_text_are_refused(tmp_path: Path) -> None:
    path = actor_file(tmp_path, "- id: a\n  name: A\n  aliases: [[Nested, List]]\n")
    with pytest.raises(ActorFileError, match=r"line 1: an alias must be text, got a list"):
        mediamon.read_actors(path)
    path = actor_file(tmp_path, "- id: {x: 1}\n  name: A\n", name="b.yaml")
    with pytest.raises(ActorFileError, match="id must be text, got a dict"):
        mediamon.read_actors(path)
    path = actor_file(tmp_path, "putin: {name: Putin}\n", name="c.yaml")
    with pytest.raises(ActorFileError, match="must hold a list of actors.*got a mapping"):
        mediamon.read_actors(path)


def test_ten_thousand_actors(tmp_path: Path) -> None:
    n = 10_000
    text = "".join(f"- id: a{i}\n  name: Actor Number{i}\n  aliases: [Number{i}, Actor Number{i}]\n"
                   for i in range(n))
    actors = mediamon.read_actors(actor_file(tmp_path, text))
    assert len(actors) == n and actors.ids[-1] == f"a{n - 1}"
    assert [al.text for al in actors["a1234"].aliases] == ["Number1234", "Actor Number1234"]
    clash = text + "- id: late\n  name: Late\n  aliases: [number77]\n"
    with pytest.raises(ActorFileError, match="alias 'number77' is claimed by 'a77' and 'late'"):
        mediamon.read_actors(actor_file(tmp_path, clash, name="clash.yaml"))


_ALIAS_TEXT = st.text(alphabet="ab.’'s ,-1Пу\u200b\u00ad", max_size=14)


@given(texts=st.lists(_ALIAS_TEXT, max_size=8))
def test_alias_forms_in_one_pass_equal_one_alias_at_a_time(texts: list[str]) -> None:
    assert mediamon.actors.alias_forms(texts) == [tuple(query_forms(t)) for t in texts]


def _leftmost_longest(starts: list[int], ends: list[int]) -> list[int]:
    """The rule of longest_matches, written plainly: left to right, the longest at one start, and
    no span that overlaps one already kept."""
    order = sorted(range(len(starts)), key=lambda i: (starts[i], -ends[i], i))
    kept, last_end, seen_start = [], None, None
    for i in order:
        if starts[i] == seen_start:
            continue  # a shorter (or equal) span at a start already taken
        seen_start = starts[i]
        if last_end is None or starts[i] >= last_end:
            kept.append(i)
            last_end = ends[i]
    return sorted(kept)


@given(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 6)), max_size=80))
def test_longest_matches_equals_the_plain_rule(spans: list[tuple[int, int]]) -> None:
    starts = [a for a, _ in spans]
    ends = [a + n for a, n in spans]
    got = mediamon.analysis.mentions.longest_matches(np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64))
    kept = sorted(got.tolist())
    # the same spans (ties between identical spans may keep either copy)
    assert sorted((starts[i], ends[i]) for i in kept) == sorted((starts[i], ends[i]) for i in _leftmost_longest(starts, ends))
