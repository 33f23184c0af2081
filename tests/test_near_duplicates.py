"""Near-duplicates: exact against a brute-force plain-Python reference, the same on every kind of
corpus, and the ``dedupe="near"`` option of the analyses and of read_corpus.

The test corpus is real text: mm-sample v1 articles, and edited copies of some of them (headline
replaced, dateline changed, a paragraph dropped, one added, 2 % of the words substituted), a few
verbatim reprints under another dateline, and a three-member cluster. The reference tokenises the
bodies with the plain-``re`` tokenizer of ``tests/reference.py``, builds shingle sets as Python sets
of token tuples and links every pair whose Jaccard similarity reaches the threshold.
"""

from __future__ import annotations

import html
import itertools
import json
import re

import numpy as np
import pandas as pd
import pytest
from conftest import ACTORS_FILE, SAMPLE_DIR
from reference import doc_tokens

import mediamon as mm
from mediamon import executors
from mediamon.analysis.duplicates import _form_hashes, duplicate_documents
from mediamon.cli import main
from mediamon.errors import InputError, NotFoundError
from mediamon.ingestion import ingest
from mediamon.assembly import body_token_hashes

V1 = SAMPLE_DIR / "mm_sample_v1.jsonl"
KREMLIN = "President of Russia (en.kremlin.ru)"
WORDS = ["government", "minister", "official", "economy", "region", "country", "meeting", "project"]


def edit(text: str, rng: np.random.Generator, others: list[str]) -> str:
    """A reprint with small edits: another dateline, a paragraph dropped, one added, 2 % of the
    words substituted."""
    paragraphs = text.split("\n\n")
    first = re.sub(r"^[A-Z][A-Za-z ]+\s[–-]\s*", "", paragraphs[0])
    paragraphs[0] = "MASHHAD – " + first
    if len(paragraphs) > 3:
        del paragraphs[int(rng.integers(1, len(paragraphs) - 1))]
    paragraphs.insert(int(rng.integers(1, len(paragraphs) + 1)), others[int(rng.integers(len(others)))])
    words = "\n\n".join(paragraphs).split(" ")
    for k in rng.choice(len(words), size=max(1, len(words) // 50), replace=False).tolist():
        words[k] = WORDS[int(rng.integers(len(WORDS)))]
    return " ".join(words)


@pytest.fixture(scope="module")
def reprints(tmp_path_factory):
    """A JSONL corpus of real articles and 31 reprints of some of them, spread over the file."""
    items = [json.loads(line) for line in V1.read_text(encoding="utf-8").splitlines()]
    usable = [d for d in items if 1500 < len(d["text"]) < 6000 and d["text"].count("\n\n") >= 3]
    tehran = [d for d in usable if d["source"] == "Tehran Times"][:90]
    kremlin = [d for d in usable if d["source"] != "Tehran Times"][:60]
    base = [{"id": d["id"], "text": d["text"], "title": d["title"], "date": d["date"], "source": d["source"]}
            for d in tehran + kremlin]  # fmt: skip
    rng = np.random.default_rng(12)
    fillers = [p for d in kremlin[40:] for p in d["text"].split("\n\n") if len(p) > 200]
    copies = []
    for k, d in enumerate(base[:20]):  # edited reprints, some dated (so they come first)
        copies.append({**d, "id": f"reprint-{k:02d}", "text": edit(d["text"], rng, fillers),
                       "title": f"Another headline {k}", "date": "2020-03-01" if k % 3 == 0 else d["date"]})  # fmt: skip
    for k, d in enumerate(base[20:25]):  # verbatim reprints under another dateline
        copies.append({**d, "id": f"again-{k}", "text": "KAZAN – " + d["text"], "title": "Repeated"})
    for k, d in enumerate(base[25:28]):  # two reprints each: three-member clusters
        copies.append({**d, "id": f"twice-{k}-a", "text": edit(d["text"], rng, fillers)})
        copies.append({**d, "id": f"twice-{k}-b", "text": edit(d["text"], rng, fillers)})
    docs = base[:75] + copies[::2] + base[75:] + copies[1::2]
    path = tmp_path_factory.mktemp("reprints") / "reprints.jsonl"
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def corpus(reprints):
    return mm.read_corpus(reprints)


def shingle_sets(corpus: mm.Corpus, k: int = 5) -> list[set[tuple[str, ...]]]:
    out = []
    for text, a, b in zip(corpus.docs["text"], corpus.docs["body_start"], corpus.docs["body_end"]):
        forms = [t[2] for t in doc_tokens(text, int(a), int(b))]
        out.append({tuple(forms[p : p + k]) for p in range(len(forms) - k + 1)} if len(forms) >= k else {tuple(forms)})
    return out


def reference_clusters(corpus: mm.Corpus, threshold: float) -> dict[frozenset[str], tuple[str, dict[str, float]]]:
    """Connected components of all pairs with Jaccard >= threshold (plain Python), each with its
    representative (earliest date, then smallest doc_id) and every member's similarity to it."""
    sets = shingle_sets(corpus)
    ids = corpus.docs["doc_id"].tolist()
    dates = corpus.docs["date"].tolist()
    jac = lambda a, b: len(sets[a] & sets[b]) / len(sets[a] | sets[b])  # noqa: E731
    parent = list(range(len(ids)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in itertools.combinations(range(len(ids)), 2):
        if sets[a] & sets[b] and jac(a, b) >= threshold:
            parent[find(a)] = find(b)
    groups: dict[int, list[int]] = {}
    for d in range(len(ids)):
        groups.setdefault(find(d), []).append(d)
    out = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        rep = min(members, key=lambda d: (pd.isna(dates[d]), dates[d] if not pd.isna(dates[d]) else 0, ids[d]))
        out[frozenset(ids[d] for d in members)] = (ids[rep], {ids[d]: jac(d, rep) for d in members})
    return out


def found_clusters(result) -> dict[frozenset[str], tuple[str, dict[str, float]]]:
    out = {}
    for _, g in result.df.groupby("cluster"):
        out[frozenset(g["doc_id"])] = (g["representative"].iloc[0], dict(zip(g["doc_id"], g["similarity"])))
    return out


@pytest.mark.parametrize("threshold", [0.5, 0.8])
def test_clusters_representatives_and_similarities_equal_the_brute_force_reference(corpus, threshold):
    want = reference_clusters(corpus, threshold)
    got = found_clusters(mm.near_duplicates(corpus, threshold=threshold))
    assert got.keys() == want.keys()
    for members, (rep, sims) in want.items():
        assert got[members][0] == rep
        for doc_id, value in sims.items():
            assert got[members][1][doc_id] == pytest.approx(value, abs=1e-12)
    planted = {m for c in want for m in c if m.startswith(("reprint-", "again-", "twice-"))}
    assert len(planted) >= (25 if threshold == 0.5 else 5)  # at 0.5 most of the 31 planted reprints


def test_the_result_tables(corpus):
    found = mm.near_duplicates(corpus, threshold=0.5)
    p = found.params
    assert (p["bands"], p["rows"]) == (42, 3) and p["n_docs"] == len(corpus)
    assert p["n_folded"] == len(found.folded) == int((~found.keep).sum()) == len(found.df) - p["n_clusters"]
    # a dated reprint of an undated article is the representative; verbatim reprints have similarity 1
    rows = found.df.set_index("doc_id")
    dated_reprints = [f"reprint-{k:02d}" for k in range(0, 20, 3) if f"reprint-{k:02d}" in rows.index]
    assert dated_reprints and all(rows.loc[r, "representative"] == r for r in dated_reprints)
    assert rows.loc["again-0", "similarity"] == 1.0
    assert set(found.folded.columns) == {"doc_id", "duplicate_of", "similarity"}
    linked = found.pairs[found.pairs["linked"]]
    assert (linked["similarity"] >= 0.5).all() and (found.pairs["doc_a"] < found.pairs["doc_b"]).all()
    assert "Near-duplicates" in found._repr_html_() and len(found.clusters()) == p["n_clusters"]
    keep, folded = duplicate_documents(corpus, "near", threshold=0.5, shingle=5)
    assert np.array_equal(keep, found.keep)
    pd.testing.assert_frame_equal(folded, found.folded)


def test_options_are_checked(corpus):
    for bad, match in [({"threshold": 0}, "threshold=0"), ({"threshold": 1.5}, "threshold"), ({"shingle": 0}, "shingle"),
                       ({"num_perm": 1}, "num_perm"), ({"bands": 1}, "bands"), ({"seed": -1}, "seed"),
                       ({"threshold": True}, "threshold")]:  # fmt: skip
        with pytest.raises(InputError, match=match):
            mm.near_duplicates(corpus, **bad)
    with pytest.raises(InputError, match="dedupe='fuzzy' is invalid"):
        mm.cooccurrence(corpus, "corpora/actors.yaml", dedupe="fuzzy")


def test_compare_marks_the_differing_spans_and_escapes_the_text(tmp_path):
    a = "TEHRAN – Putin met Raisi in Kazan on Monday.\n\nThey discussed trade and energy at length today."
    b = "TEHRAN – Putin met Raisi in Kazan on Monday.\n\n<script>alert(1)</script> \u202eevil\n\nThey discussed trade and energy at length today."
    src = tmp_path / "d.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": t, "title": f"<b>{i}</b>"}) + "\n" for i, t in (("a", a), ("b", b))))
    c = mm.read_corpus(src)
    found = mm.near_duplicates(c, threshold=0.3)
    view = found.compare("a", "b")
    spans = view.spans
    equal = spans[spans["op"] == "equal"]
    assert all(a[r.a_start : r.a_end] == b[r.b_start : r.b_end] for r in equal.itertuples())
    inserted = spans[spans["op"] == "insert"].iloc[0]
    assert b[inserted.b_start : inserted.b_end] == "<script>alert(1)</script> \u202eevil"
    page = view.html
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\u202e" not in page and "<ins>" in page and "<bdi>" in page and "&lt;b&gt;a&lt;/b&gt;" in page
    assert html.unescape(re.sub(r"<[^>]+>", "", page.split("<td>")[1].split("</td>")[0])) == a.replace("\u202e", "")
    sa, sb = shingle_sets(c)
    assert view.similarity == pytest.approx(len(sa & sb) / len(sa | sb))
    with pytest.raises(NotFoundError, match="not a doc_id"):
        found.compare("a", "zzz")


# ---------------------------------------------------------------------------------------------
# every kind of corpus
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def kinds(corpus, reprints, tmp_path_factory):
    store = ingest(reprints, tmp_path_factory.mktemp("store") / "s", shard_size=25)
    assert store.n_shards >= 4
    mm.index(corpus)
    view = corpus.sample(90, seed=2)
    yield {
        "memory": (corpus, corpus),
        "memory view": (view, view),
        "store": (store, corpus),
        "store view": (store.sample(90, seed=2), view),
        "dask": (store.using("dask"), corpus),
    }
    executors.close()


def fresh(c: mm.Corpus) -> mm.Corpus:
    return mm.Corpus(c.docs.copy(), c.manifest, name=c.name)


@pytest.mark.parametrize("kind", ["memory", "memory view", "store", "store view", "dask"])
def test_the_same_clusters_on_every_kind_of_corpus(kinds, kind, actors):
    data, selection = kinds[kind]
    want = mm.near_duplicates(fresh(selection), threshold=0.6)
    got = mm.near_duplicates(data, threshold=0.6)
    assert len(want.df) > 10
    for attribute in ("df", "folded", "pairs"):
        pd.testing.assert_frame_equal(getattr(got, attribute), getattr(want, attribute), obj=f"{kind} {attribute}")
    first = want.folded.iloc[0]
    assert got.compare(first.duplicate_of, first.doc_id).similarity == pytest.approx(first.similarity)
    m_got = mm.mentions(data, actors, dedupe=got)
    m_want = mm.mentions(fresh(selection), actors, dedupe=want)
    pd.testing.assert_frame_equal(m_got.df, m_want.df)
    co_got = mm.cooccurrence(data, actors, dedupe="near")
    co_want = mm.cooccurrence(fresh(selection), actors, dedupe="near")
    pd.testing.assert_frame_equal(co_got.df, co_want.df)
    assert co_got.params["n_duplicates"] == len(mm.near_duplicates(fresh(selection)).folded)


# ---------------------------------------------------------------------------------------------
# dedupe="near" in the analyses: the same counts as the corpus without the folded documents
# ---------------------------------------------------------------------------------------------
NUMBERED = ["doc", "sentence", "paragraph", "token_start", "token_end"]


@pytest.fixture(scope="module")
def folded(corpus):
    found = mm.near_duplicates(corpus, threshold=0.6)
    assert len(found.folded) >= 20
    rest = mm.Corpus(corpus.docs[~corpus.docs["doc_id"].isin(found.folded["doc_id"])].reset_index(drop=True),
                     corpus.manifest, name=corpus.name)  # fmt: skip
    return found, rest


def test_dedupe_near_counts_each_cluster_once(corpus, folded, actors):
    found, rest = folded
    n = len(found.folded)
    m = mm.mentions(corpus, actors, dedupe=found)
    ref = mm.mentions(rest, actors)
    pd.testing.assert_frame_equal(m.df.drop(columns=NUMBERED), ref.df.drop(columns=NUMBERED))
    assert m.params["dedupe"] == "near" and m.params["n_duplicates"] == n and len(m.duplicates) == n
    assert not set(m.df["doc_id"]) & set(found.folded["doc_id"])
    assert m.df["doc"].max() >= len(rest)  # the corpus's document numbers are kept
    for unit in ("sentence", "document"):
        co, co_ref = mm.cooccurrence(corpus, actors, unit=unit, dedupe=found), mm.cooccurrence(rest, actors, unit=unit)
        pd.testing.assert_frame_equal(co.df, co_ref.df)
        assert co.n == co_ref.n and co.params["n_duplicates"] == n
    col, col_ref = mm.collocates(corpus, "Iran", min_count=1, dedupe=found), mm.collocates(rest, "Iran", min_count=1)
    pd.testing.assert_frame_equal(col.df, col_ref.df)
    assert col.params["hits"] == col_ref.params["hits"] and col.params["n_duplicates"] == n
    putin = mm.mentions(corpus, actors).of("putin")
    pd.testing.assert_frame_equal(mm.collocates(corpus, putin, min_count=1, dedupe=found).df,
                                  mm.collocates(rest, mm.mentions(rest, actors).of("putin"), min_count=1).df)  # fmt: skip
    tl, tl_ref = mm.timeline(corpus, actors, freq="Y", dedupe=found), mm.timeline(rest, actors, freq="Y")
    pd.testing.assert_frame_equal(tl.df, tl_ref.df)
    pd.testing.assert_frame_equal(tl.undated, tl_ref.undated)
    assert tl.params["n_duplicates"] == n and len(tl.duplicates) == n
    docs_only = mm.timeline(corpus, freq="Y", dedupe=found)
    pd.testing.assert_frame_equal(docs_only.df, mm.timeline(rest, freq="Y").df)
    # dedupe="near" is the same as passing the default result
    pd.testing.assert_frame_equal(mm.cooccurrence(corpus, actors, dedupe="near").df,
                                  mm.cooccurrence(corpus, actors, dedupe=mm.near_duplicates(corpus)).df)  # fmt: skip


def test_dedupe_near_in_keyness_quoted_roles_and_the_command_line(corpus, folded, actors, reprints, capsys):
    found, rest = folded
    n = len(found.folded)
    target, target_ref = corpus.filter(source="Tehran Times"), rest.filter(source="Tehran Times")
    k, k_ref = mm.keyness(corpus, target, dedupe=found), mm.keyness(rest, target_ref)
    pd.testing.assert_frame_equal(k.df, k_ref.df)
    assert k.params["dedupe"] == "near" and k.params["dedupe_threshold"] == 0.6 and k.params["n_duplicates"] == n
    # another corpus as the reference gets its own near-duplicates, with the options of the result given
    other, other_ref = mm.read_corpus(reprints), mm.Corpus(rest.docs.copy(), rest.manifest, name="rest again")
    k = mm.keyness(corpus, target, other.filter(source=KREMLIN), dedupe=found)
    k_ref = mm.keyness(rest, target_ref, other_ref.filter(source=KREMLIN))
    pd.testing.assert_frame_equal(k.df, k_ref.df)
    assert k.params["tokens_reference"] == k_ref.params["tokens_reference"]
    # roles: quoted mentions and quotations in folded reprints are not counted either
    q, q_ref = mm.mentions(corpus, actors, role="quoted", dedupe=found), mm.mentions(rest, actors, role="quoted")
    pd.testing.assert_frame_equal(q.df.drop(columns=NUMBERED), q_ref.df.drop(columns=NUMBERED))
    assert len(q_ref.df) > 0 and q.params["role"] == "quoted" and q.params["n_duplicates"] == n
    tl, tl_ref = mm.timeline(corpus, actors, freq="Y", roles=True, dedupe=found), mm.timeline(rest, actors, freq="Y", roles=True)
    pd.testing.assert_frame_equal(tl.df, tl_ref.df)
    pd.testing.assert_frame_equal(tl.undated, tl_ref.undated)
    assert tl.params["roles"] and tl.params["n_duplicates"] == n
    assert main(["mentions", str(reprints), "--actors", str(ACTORS_FILE), "--dedupe", "near", "--dedupe-threshold", "0.6"]) == 0
    assert f"-- {n:,} documents left out as near-duplicates at Jaccard >= 0.6" in capsys.readouterr().out
    assert main(["cooc", str(reprints), "--actors", str(ACTORS_FILE), "--dedupe"]) == 0
    assert "exact duplicates" in capsys.readouterr().out
    assert main(["cooc", str(reprints), "--actors", str(ACTORS_FILE), "--dedupe-threshold", "0.6"]) == 2
    assert "--dedupe-threshold needs --dedupe near" in capsys.readouterr().err


def test_ingest_refuses_near_dedupe(reprints, tmp_path):
    with pytest.raises(InputError, match="dedupe='near' is not applied while writing a store"):
        ingest(reprints, tmp_path / "store", dedupe="near")
    assert not (tmp_path / "store").exists()


def test_a_result_of_another_corpus_is_refused(corpus, folded, actors):
    found, rest = folded
    with pytest.raises(InputError, match="another corpus"):
        mm.mentions(rest, actors, dedupe=found)


# ---------------------------------------------------------------------------------------------
# read_corpus(dedupe="near")
# ---------------------------------------------------------------------------------------------
def test_read_corpus_skips_near_duplicates_with_the_id_they_duplicate(reprints, corpus, actors):
    loaded = mm.read_corpus(reprints, dedupe="near")
    found = mm.near_duplicates(corpus)
    skipped = loaded.manifest[loaded.manifest["reason"] == "near_duplicate"]
    assert len(skipped) == len(found.folded) > 0 and (skipped["status"] == "skipped").all()
    pairs = dict(zip(found.folded["doc_id"], found.folded["duplicate_of"]))
    assert dict(zip(skipped["doc_id"], skipped["duplicate_of"])) == pairs
    sims = dict(zip(found.folded["doc_id"], found.folded["similarity"]))
    for r in skipped.itertuples():
        assert f"near-duplicate of {r.duplicate_of}: Jaccard similarity {sims[r.doc_id]:.3f}" in r.message
    counts = loaded.manifest_counts()
    assert counts["loaded"] == len(loaded) == len(corpus) - len(skipped)
    assert counts["loaded"] + counts["rejected"] + counts["skipped"] == counts["discovered"]
    # nothing lost: every document is loaded or named in the manifest with the one it repeats
    assert set(loaded.docs["doc_id"]) | set(skipped["doc_id"]) == set(corpus.docs["doc_id"])
    # the same numbers whether the reprints were skipped at load or folded in the analysis
    pd.testing.assert_frame_equal(mm.cooccurrence(loaded, actors).df, mm.cooccurrence(corpus, actors, dedupe="near").df)
    with pytest.raises(InputError, match="dedupe='fuzzy' is invalid"):
        mm.read_corpus(reprints, dedupe="fuzzy")


def test_load_time_tokens_are_the_index_tokens():
    c = mm.read_corpus(V1)
    ix = mm.index(c)
    tokens, offsets = body_token_hashes(c.docs["text"].tolist(), c.docs["body_start"].to_numpy(), c.docs["body_end"].to_numpy())
    assert np.array_equal(offsets, np.asarray(ix.doc_offsets)) and np.array_equal(tokens, _form_hashes(ix)[np.asarray(ix.ids)])
