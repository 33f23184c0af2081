"""mediamon.safeyaml: bounded YAML for front matter, actor files and report parameters.

Golden values are the YAML 1.2 core schema's tag-resolution table (yaml.org/spec/1.2.2, 10.3.2),
written by hand; round trips use PyYAML's own dumper as the independent side.
"""

from __future__ import annotations

import json
import math

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from mediamon.errors import InputError, YamlError
from mediamon.safeyaml import HAS_LIBYAML, MAX_ALIAS_NODES, safe_load, safe_load_with_lines


def laughs(levels: int) -> str:
    out = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for k in range(1, levels + 1):
        out.append(f"a{k}: &a{k} [" + ",".join([f"*a{k - 1}"] * 9) + "]")
    return "\n".join(out) + "\n"


def test_billion_laughs_is_refused_early() -> None:
    text = laughs(9)  # 9**9 = 387,420,489 strings from ~600 bytes
    with pytest.raises(YamlError, match="aliases expand to more than 10,000 nodes") as err:
        safe_load(text)
    # a4 holds 9**4 + ... nodes: the cap is hit at the alias after 10,000, on line 5 (a4's line)
    assert err.value.line == 5 and err.value.problem.startswith("aliases expand")


def test_aliases_within_the_cap_are_copies() -> None:
    data = safe_load("base: &b {kind: person, tags: [x]}\none: *b\ntwo: *b\n")
    assert data["one"] == data["two"] == {"kind": "person", "tags": ["x"]}
    data["one"]["tags"].append("y")
    assert data["two"]["tags"] == ["x"]  # independent copies, not shared objects
    assert safe_load(laughs(3))["a3"][0][0][0] == ["lol"] * 9  # 9**3 = 729 + 81 + 9 nodes: allowed


def test_max_alias_nodes_zero_refuses_every_alias() -> None:
    with pytest.raises(YamlError, match="more than 0 nodes"):
        safe_load("a: &x 1\nb: *x", max_alias_nodes=0)
    assert MAX_ALIAS_NODES == 10_000


def test_depth_limit_without_recursion() -> None:
    # the top-level mapping is level 1, so 63 nested lists inside it are the deepest allowed
    assert safe_load("x: " + "[" * 63 + "]" * 63)["x"] is not None
    with pytest.raises(YamlError, match="nested deeper than 64 levels"):
        safe_load("x: " + "[" * 64 + "]" * 64)
    with pytest.raises(YamlError, match="nested deeper|maximum nesting depth"):
        safe_load("x: " + "[" * 50_000 + "]" * 50_000)  # libyaml's limit or ours: no RecursionError
    with pytest.raises(YamlError, match="through alias"):
        safe_load("a: &a " + "[" * 40 + "]" * 40 + "\nb: " + "[" * 30 + "*a" + "]" * 30)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a: 1\na: 2", "key 'a' is used twice"),
        ("- !!python/object/apply:os.system [echo]", "is not allowed"),
        ("x: !!binary aGVsbG8=", "is not allowed"),
        ("x: !custom 1", "is not allowed"),
        ("? [a, b]\n: c", "key must be a scalar"),
        ("--- a\n--- b", "more than one YAML document"),
        ("a: *nowhere", "refers to no complete anchor"),
        ("a: &r [*r]", "refers to no complete anchor"),
        ("a: [1, 2", "expected ',' or ']'"),
        ("a: b\x07", "control characters are not allowed"),
    ],
)
def test_refusals_are_yaml_errors_with_a_position(text: str, problem: str) -> None:
    with pytest.raises(YamlError, match=problem) as err:
        safe_load(text, what="test input")
    assert str(err.value).startswith("test input: not read: ")
    assert err.value.line is not None
    assert isinstance(err.value, InputError)


def test_strings_schema_keeps_what_is_written() -> None:
    data = safe_load("id: 007\nflag: yes\nn: 1.50\nwhen: 2021-07-29\nnothing:\nq: 'x'\nnull: ~")
    assert data == {"id": "007", "flag": "yes", "n": "1.50", "when": "2021-07-29", "nothing": "",
                    "q": "x", "null": "~"}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("null", None), ("Null", None), ("NULL", None), ("~", None), ("", None),
        ("true", True), ("True", True), ("TRUE", True), ("false", False), ("FALSE", False),
        ("0", 0), ("-19", -19), ("+12", 12), ("012", 12), ("0o14", 12), ("0xC", 12),
        ("1.", 1.0), ("-1.5", -1.5), ("2.5e3", 2500.0), (".5", 0.5), (".inf", math.inf),
        ("-.Inf", -math.inf),
        # YAML 1.1 booleans, dates and sexagesimals are strings in the core schema
        ("yes", "yes"), ("No", "No"), ("on", "on"), ("off", "off"), ("y", "y"),
        ("2021-07-29", "2021-07-29"), ("1:20", "1:20"), ("0b101", "0b101"), ("1_000", "1_000"),
        ("'true'", "true"), ('"12"', "12"),
    ],
)
def test_core_schema_table(text: str, value: object) -> None:
    got = safe_load(f"v: {text}", schema="core")["v"]
    assert got == value and type(got) is type(value)


def test_core_schema_nan_and_tags() -> None:
    assert math.isnan(safe_load("v: .nan", schema="core")["v"])
    assert safe_load("v: !!str 12", schema="core")["v"] == "12"
    assert safe_load("v: !!float 12", schema="core")["v"] == 12.0
    with pytest.raises(YamlError, match="'abc' is not a valid int"):
        safe_load("v: !!int abc", schema="core")


def test_long_integers_are_refused_not_parsed() -> None:
    with pytest.raises(YamlError, match="an integer of 5,000 digits"):
        safe_load("v: " + "9" * 5_000, schema="core")
    assert safe_load("v: '" + "9" * 5_000 + "'", schema="core")["v"] == "9" * 5_000


def test_merge_key() -> None:
    data = safe_load("d: &d {kind: person, lang: fa}\nx:\n  <<: *d\n  lang: ru\n")
    assert data["x"] == {"lang": "ru", "kind": "person"}
    assert safe_load("'<<': 1")["<<"] == "1"  # a quoted "<<" is an ordinary key
    with pytest.raises(YamlError, match="merge"):
        safe_load("x:\n  <<: [1, 2]\n")


def test_lines_of_top_level_items() -> None:
    data, lines = safe_load_with_lines("# c\n- id: a\n\n- id: b\n  name: B\n- c\n")
    assert data == [{"id": "a"}, {"id": "b", "name": "B"}, "c"] and lines == [2, 4, 6]
    assert safe_load_with_lines("a: 1\nb:\n  - x\n") == ({"a": "1", "b": ["x"]}, [1, 2])
    assert safe_load_with_lines("") == (None, [])


def test_bad_arguments() -> None:
    with pytest.raises(InputError, match="schema='yaml11' is invalid"):
        safe_load("a: 1", schema="yaml11")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="must be a str"):
        safe_load(b"a: 1")  # type: ignore[arg-type]


def test_the_c_parser_is_used_when_available() -> None:
    assert HAS_LIBYAML == bool(yaml.__with_libyaml__)


# YAML forbids raw control characters (JSON allows DEL and U+0085 raw), so text here has none
_text = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=20)
_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False, allow_infinity=False, width=64), _text,
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=20,
)


@given(value=_values)
def test_json_is_read_as_the_core_schema(value: object) -> None:
    # JSON is YAML 1.2, and the core schema reads JSON values back as themselves
    text = json.dumps({"v": value}, ensure_ascii=False)
    assert safe_load(text, schema="core") == {"v": value}


_words = st.text(alphabet="abc XYZ-", max_size=12)
_plain = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(10**6), 10**6), _words),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_words, inner, max_size=4),
    max_leaves=20,
)


@given(value=_plain)
def test_round_trip_through_pyyaml_dumper(value: object) -> None:
    # block style, anchors-free: PyYAML's dumper on values where YAML 1.1 and 1.2 agree (no
    # digit-only or exponent strings: PyYAML leaves "1e3" unquoted, which YAML 1.2 reads as 1000.0)
    text = yaml.safe_dump({"v": value}, allow_unicode=True)
    assert safe_load(text, schema="core") == {"v": value}
