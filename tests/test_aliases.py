"""Alias discovery on the bundled sample, against plain-Python counts over the original text.

mm-sample v1 writes Raisi as "Raeisi" too, calls him "Seyed Ebrahim Raisi" and "Ayatollah Raisi":
the reference finds the maximal capitalised word sequences around each "Raisi" with the plain-``re``
tokenizer of ``tests/reference.py`` and counts them; the variant is counted token by token.
"""

from __future__ import annotations

import json
from collections import Counter

import pandas as pd
import pytest

import mediamon as mm
from mediamon import executors
from mediamon.analysis.aliases import FUNCTION_WORDS, yaml_quote
from mediamon.cli import main
from mediamon.errors import InputError, NotFoundError
from mediamon.ingestion import ingest
from mediamon.safeyaml import safe_load
from mediamon.stopwords import stopwords

from conftest import ACTORS_FILE, SAMPLE_DIR
from reference import doc_tokens

V1 = SAMPLE_DIR / "mm_sample_v1.jsonl"
STOP = stopwords("english")


@pytest.fixture(scope="module")
def v1():
    return mm.read_corpus(V1)


def reference_runs(corpus: mm.Corpus, anchor: str) -> Counter:
    """Maximal capitalised sequences around each token *anchor* (same paragraph; to the left also
    hyphen-joined words; no opening hyphen or lower-case word; no opening stopword at a sentence
    start, nor a function word anywhere), counted once per sequence."""
    runs: Counter = Counter()
    for text, a, b in zip(corpus.docs["text"], corpus.docs["body_start"], corpus.docs["body_end"]):
        toks = doc_tokens(text, int(a), int(b))

        def cap(k: int) -> bool:
            return text[toks[k][0]].isupper() and any(ch.isalnum() for ch in toks[k][2])

        def joined(k: int) -> bool:  # token k follows token k - 1 in the same paragraph
            return k > 0 and "\n\n" not in text[toks[k - 1][1] : toks[k][0]]

        def glued(k: int) -> bool:
            return k > 0 and toks[k - 1][1] == toks[k][0]

        def sentence_start(k: int) -> bool:
            return k == 0 or not joined(k) or toks[k - 1][2] in {".", "!", "?"}

        seen = set()
        for k, (_, _, form) in enumerate(toks):
            if form != anchor:
                continue
            first, steps = k, 0
            while first > 0 and joined(first) and steps < 8:
                p = first - 1
                hyphen = toks[p][2] == "-" and glued(p + 1) and glued(p)
                word_to_hyphen = any(ch.isalnum() for ch in toks[p][2]) and glued(p + 1) and toks[p + 1][2] == "-"
                if not (cap(p) or hyphen or word_to_hyphen):
                    break
                first, steps = p, steps + 1
            last = k
            while last + 1 < len(toks) and joined(last + 1) and cap(last + 1) and not glued(last + 1) and last - k < 8:
                last += 1
            while first < k and (not cap(first) or toks[first][2] in FUNCTION_WORDS
                                 or (toks[first][2] in STOP and sentence_start(first))):
                first += 1
            if last > first and (first, last) not in seen:  # a sequence with two anchors counts once
                seen.add((first, last))
                runs[" ".join(text[toks[first][0] : toks[last][1]].split())] += 1
    return runs


def token_counts(corpus: mm.Corpus, form: str) -> tuple[int, int]:
    n, docs = 0, 0
    for text, a, b in zip(corpus.docs["text"], corpus.docs["body_start"], corpus.docs["body_end"]):
        k = sum(t[2] == form for t in doc_tokens(text, int(a), int(b)))
        n, docs = n + k, docs + (k > 0)
    return n, docs


def test_the_sample_names_raisi_three_more_ways(v1):
    found = mm.suggest_aliases(v1, "Raisi")
    df = found.df.set_index(["suggestion", "kind"])
    runs = reference_runs(v1, "raisi")
    for name in ("Ayatollah Raisi", "Seyed Ebrahim Raisi", "President Raisi", "Iranian President Ebrahim Raisi"):
        assert df.loc[(name, "sequence"), "count"] == runs[name] > 0, name
    count, documents = token_counts(v1, "raeisi")
    assert (df.loc[("Raeisi", "variant"), "count"], df.loc[("Raeisi", "variant"), "documents"]) == (count, documents) == (48, 19)
    assert df.loc[("Raeisi", "variant"), "resembles"] == "raisi"
    titles = found.df.loc[found.df["kind"] == "title", "suggestion"].tolist()
    assert {"President", "Ayatollah", "Iranian President"} <= set(titles)
    assert "Ebrahim" not in titles  # a first name, not a title
    # every sequence the reference sees at least twice is suggested with its count
    sequences = found.df[found.df["kind"] == "sequence"].set_index("suggestion")["count"].to_dict()
    assert {k: v for k, v in runs.items() if v >= 2} == sequences


def test_an_organisation_is_anchored_on_its_whole_names(v1, actors):
    found = mm.suggest_aliases(v1, "oic", actors=actors)
    anchors = found.params["anchors"].split(", ")
    assert "organization of islamic cooperation" in anchors and "oic" in anchors and "cooperation" not in anchors
    runs = reference_runs(v1, "oic")
    sequences = found.df[found.df["kind"] == "sequence"].set_index("suggestion")["count"]
    for name in ("OIC Summit", "OIC Member States"):
        assert sequences[name] == runs[name] > 0
    assert not any(s.startswith("The ") for s in sequences.index)
    assert all("OIC" in s or "Islamic" in s for s in sequences.index)


def test_known_covered_and_claimed(v1, actors):
    mine = mm.suggest_aliases(v1, "raisi", actors=actors).df.set_index(["suggestion", "kind"])
    assert mine.loc[("Raeisi", "variant"), "known"] and mine.loc[("President Raisi", "sequence"), "known"]
    assert mine.loc[("Ayatollah Raisi", "sequence"), "covered"] and not mine.loc[("Ayatollah Raisi", "sequence"), "known"]
    assert (mine["claimed_by"] == "").all()
    by_name = mm.suggest_aliases(v1, "Raisi", actors=actors).df.set_index(["suggestion", "kind"])
    assert by_name.loc[("Raeisi", "variant"), "claimed_by"] == "raisi"
    assert by_name.loc[("Ayatollah Raisi", "sequence"), "claimed_by"] == ""
    assert not by_name["known"].any()


def test_kwic_lines_point_into_the_original_text(v1):
    found = mm.suggest_aliases(v1, "Raisi", examples=2)
    texts = dict(zip(v1.docs["doc_id"], v1.docs["text"]))
    assert len(found.examples) > 20
    for r in found.examples.itertuples():
        assert texts[r.doc_id][r.char_start : r.char_end] == r.match
        assert texts[r.doc_id][: r.char_start].endswith(r.left) and texts[r.doc_id][r.char_end :].startswith(r.right)
    assert (found.examples.groupby(["suggestion", "kind"]).size() <= 2).all()
    assert len(found.kwic("Ayatollah Raisi")) == 2
    with pytest.raises(NotFoundError):
        found.kwic("Nobody")
    page = found._repr_html_()
    assert "Ayatollah Raisi" in page and "<mark>" in page


def test_to_yaml_is_a_ready_to_paste_entry(v1, actors, tmp_path):
    found = mm.suggest_aliases(v1, "raisi", actors=actors)
    text = found.to_yaml()
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    back = mm.read_actors(tmp_path / "a.yaml")
    assert back.ids == ["raisi"]
    old = [a.text for a in actors["raisi"].aliases]
    new = [a.text for a in back["raisi"].aliases]
    assert new[: len(old)] == old
    added = found.df[~found.df["known"] & (found.df["claimed_by"] == "") & (found.df["kind"] == "variant")
                     & found.df["resembles"].isin(["raisi", "raeisi"])]["suggestion"].tolist()  # fmt: skip
    assert added and set(added) <= set(new[len(old) :])
    assert '# title "Ayatollah"' in text  # titles are comments, never aliases
    by_name = mm.suggest_aliases(v1, "Raisi").to_yaml()
    entry = safe_load(by_name)
    assert entry[0]["id"] == "raisi" and "Ayatollah Raisi" in entry[0]["aliases"]


HOSTILE = ['Say "hi"', "back\\slash", "new\nline\n- id: evil", "para\u2028graph", "bidi \u202eevil", "# not a comment",
           "tab\there", "\x00nul", "ﷺ زمان", "key: value", "{alias: x}", "'single'"]  # fmt: skip


@pytest.mark.parametrize("value", HOSTILE)
def test_yaml_quoting_reads_back_exactly(value):
    assert safe_load(f"- {yaml_quote(value)}\n") == [value]
    assert "\n" not in yaml_quote(value) and "\u2028" not in yaml_quote(value)


def test_a_hostile_actor_entry_cannot_add_another(v1, tmp_path):
    name = 'Raisi "x"\n- id: evil\n  name: Evil # \u202e'
    actors = mm.read_actors([{"id": "raisi\n- id: evil2", "name": name, "kind": "person", "aliases": ["Raisi", name]}])
    text = mm.suggest_aliases(v1, "raisi\n- id: evil2", actors=actors).to_yaml()
    (tmp_path / "h.yaml").write_text(text, encoding="utf-8")
    back = mm.read_actors(tmp_path / "h.yaml")
    assert back.ids == ["raisi\n- id: evil2"] and back.ids[0] in back and back["raisi\n- id: evil2"].name == name


def test_errors(v1, actors):
    with pytest.raises(InputError, match="actor_or_name"):
        mm.suggest_aliases(v1, 42)
    with pytest.raises(InputError, match="similarity"):
        mm.suggest_aliases(v1, "Raisi", similarity=0)
    with pytest.raises(InputError, match="min_count"):
        mm.suggest_aliases(v1, "Raisi", min_count=-1)
    with pytest.raises(InputError, match="no word"):
        mm.suggest_aliases(v1, "...")
    empty = mm.suggest_aliases(v1, "Zzyzx")
    assert len(empty) == 0 and "0 occurrences" in empty.caption()


@pytest.fixture(scope="module")
def v1_store(tmp_path_factory):
    store = ingest(V1, tmp_path_factory.mktemp("aliases") / "s", shard_size=343)
    yield store
    executors.close()


@pytest.mark.parametrize("kind", ["store", "store view", "dask"])
def test_the_same_suggestions_on_every_kind_of_corpus(v1, v1_store, actors, kind):
    data = {"store": v1_store, "store view": v1_store.head(900), "dask": v1_store.using("dask")}[kind]
    reference = v1 if kind != "store view" else mm.Corpus(v1.docs.head(900).copy(), v1.manifest, name=v1.name)
    assert v1_store.n_shards == 4
    got = mm.suggest_aliases(data, "raisi", actors=actors)
    want = mm.suggest_aliases(reference, "raisi", actors=actors)
    pd.testing.assert_frame_equal(got.df, want.df)
    pd.testing.assert_frame_equal(got.examples, want.examples)


def test_cli_actors_suggest(tmp_path, capsys):
    out = tmp_path / "raisi.yaml"
    code = main(["actors", "suggest", str(V1), "raisi", "--actors", str(ACTORS_FILE), "--yaml", str(out), "--max-rows", "5"])
    printed = capsys.readouterr().out
    assert code == 0 and "Ayatollah Raisi" in printed and "Alias suggestions for 'raisi'" in printed
    assert mm.read_actors(out).ids == ["raisi"]
    assert main(["actors", "suggest", str(V1), "Raeisi"]) == 0
    assert '- id: "raeisi"' in capsys.readouterr().out
    assert main(["actors", "suggest", str(V1), "Raisi", "--similarity", "500"]) == 2
    json.dumps(capsys.readouterr().err)
