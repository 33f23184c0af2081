"""The actor registry: people, organisations and places, and the names they go by.

Finding their mentions in a corpus is :mod:`mediamon.analysis.mentions`.

An actor list is YAML (or a DataFrame)::

    - id: putin
      name: Vladimir Putin
      kind: person
      aliases: [Vladimir Putin, Putin, President Putin, Путин]   # Путина, Путину, В.Путин match too
      patterns: ["Putin*"]          # optional: globs over tokens
    - id: oic
      name: Organization of Islamic Cooperation
      kind: organisation
      aliases:
        - Organization of Islamic Cooperation
        - {alias: OIC, match_case: true}   # only "OIC" in capitals

Matching rules (applied by :func:`mediamon.mentions`)
    * case-insensitive on the matching form (:func:`mediamon.text.normalize`) unless an alias opts
      into ``match_case``, in which case the original text must equal the alias exactly;
    * possessives count: "Putin’s" is tokenised ``Putin`` + ``’s``, so the alias "Putin" matches;
    * the longest match wins: "President Vladimir Putin" is one mention, not three;
    * an alias (its matching form) claimed by two actors is an error unless both declare
      ``ambiguous: true``; an ambiguous alias yields one mention row for each actor that claims it;
    * Russian inflection: a Cyrillic alias token matches every form of it (Путин: Путина, Путину,
      Путиным, Путине, and В.Путин; :mod:`mediamon.morphology`), and for people, places and
      organisations the first word of the match must be capitalised in the text (путина, the fishing
      season, is not Путина). ``inflect: false`` on an actor matches its aliases as written.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import display
from .errors import ActorFileError, InputError, NotFoundError, YamlError
from .safeyaml import safe_load_with_lines
from .text import codepoints, normalize, query_forms, tokenize_spans

log = logging.getLogger(__name__)

KINDS = ("person", "organisation", "place", "other")


@dataclass(frozen=True)
class Alias:
    """One way of naming an actor: literal text or a glob pattern (token by token)."""

    text: str
    match_case: bool = False
    is_pattern: bool = False

    @property
    def forms(self) -> tuple[str, ...]:
        """Matching forms of the alias tokens (patterns are split on spaces)."""
        if self.is_pattern:
            return tuple(self.text.split())
        return tuple(query_forms(self.text))


@dataclass(frozen=True)
class Actor:
    """A political actor and the names it goes by."""

    id: str
    name: str
    kind: str = "other"
    aliases: tuple[Alias, ...] = ()
    ambiguous: bool = False
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False)
    #: Match the inflected forms of Cyrillic alias tokens (see the module docstring).
    inflect: bool = True

    def __str__(self) -> str:
        return self.name


class ActorSet:
    """An ordered, validated collection of :class:`Actor` (look one up with ``actors["putin"]``)."""

    def __init__(self, actors: Iterable[Actor]) -> None:
        self._actors: tuple[Actor, ...] = tuple(actors)
        self._by_id = {a.id: a for a in self._actors}
        if len(self._by_id) != len(self._actors):
            seen: set[str] = set()
            dup = [a.id for a in self._actors if a.id in seen or seen.add(a.id)]  # type: ignore[func-returns-value]
            raise ActorFileError(f"read_actors(): actor id {dup[0]!r} is used twice.")
        _check_alias_conflicts(self._actors)

    def __iter__(self) -> Iterator[Actor]:
        return iter(self._actors)

    def __len__(self) -> int:
        return len(self._actors)

    def __contains__(self, actor_id: object) -> bool:
        return actor_id in self._by_id

    def __getitem__(self, actor_id: str) -> Actor:
        try:
            return self._by_id[actor_id]
        except KeyError:
            raise NotFoundError(
                f"ActorSet: no actor {actor_id!r}; ids are {list(self._by_id)}."
            ) from None

    @property
    def ids(self) -> list[str]:
        return list(self._by_id)

    def subset(self, ids: Iterable[str]) -> ActorSet:
        """The actors with these ids, in this set's order."""
        wanted = set(ids)
        missing = wanted - set(self._by_id)
        if missing:
            raise NotFoundError(f"ActorSet.subset(): unknown ids {sorted(missing)}.")
        return ActorSet(a for a in self._actors if a.id in wanted)

    def to_frame(self) -> pd.DataFrame:
        """One row per actor: id, name, kind, aliases (joined with " | "), ambiguous."""
        return pd.DataFrame(
            {
                "id": [a.id for a in self],
                "name": [a.name for a in self],
                "kind": [a.kind for a in self],
                "aliases": [" | ".join(al.text for al in a.aliases) for a in self],
                "ambiguous": [a.ambiguous for a in self],
            }
        )

    def __repr__(self) -> str:
        return f"<ActorSet: {len(self)} actors: {', '.join(self.ids[:8])}{' …' if len(self) > 8 else ''}>"

    def _repr_html_(self) -> str:
        return display.join([display.caption(f"{len(self)} actors"), display.table(self.to_frame(), max_rows=50)])


def _check_alias_conflicts(actors: Sequence[Actor]) -> None:
    literal = [al for a in actors for al in a.aliases if not al.is_pattern and not al.match_case]
    forms = iter(alias_forms([al.text for al in literal]))
    by_id = {a.id: a for a in actors}
    claimed: dict[tuple[tuple[str, ...], bool, bool], str] = {}
    for actor in actors:
        for alias in actor.aliases:
            if alias.match_case:
                matched: tuple[str, ...] = (alias.text,)
            elif alias.is_pattern:
                matched = alias.forms
            else:
                matched = next(forms)  # same order as `literal`
            key = (matched, alias.match_case, alias.is_pattern)
            other = claimed.get(key)
            if other is not None and other != actor.id:
                if not (actor.ambiguous and by_id[other].ambiguous):
                    raise ActorFileError(
                        f"read_actors(): alias {alias.text!r} is claimed by {other!r} and "
                        f"{actor.id!r}; remove it from one of them or mark both 'ambiguous: true'."
                    )
            claimed.setdefault(key, actor.id)


def alias_forms(texts: Sequence[str]) -> list[tuple[str, ...]]:
    """:attr:`Alias.forms` of many literal aliases at once: one tokenizer pass over all of them.

    The texts are joined with newlines; the tokenizer's rules look at most at neighbouring
    characters and never join across whitespace, so each alias gets exactly the tokens it gets
    alone (``query_forms``). Equal surfaces are normalised once.
    """
    if not texts:
        return []
    joined = "\n".join(texts)
    starts, ends = tokenize_spans(codepoints(joined))
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    begins = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    owner = np.searchsorted(begins, starts, side="right") - 1
    cache: dict[str, str] = {}
    surfaces = [joined[a:b] for a, b in zip(starts.tolist(), ends.tolist())]
    normal = [cache[x] if x in cache else cache.setdefault(x, normalize(x)) for x in surfaces]
    cuts = np.searchsorted(owner, np.arange(len(texts) + 1), side="left").tolist()
    return [tuple(normal[cuts[i]:cuts[i + 1]]) for i in range(len(texts))]


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------
#: Largest actor file read_actors() reads (an actor list is a few MB at most).
MAX_ACTOR_FILE_BYTES = 64 * 1024 * 1024
_KIND_SYNONYMS = {"organization": "organisation", "org": "organisation", "location": "place"}
_FLAGS = {"true": True, "yes": True, "on": True, "1": True, "false": False, "no": False, "off": False, "0": False}
_HAS_WORD = re.compile(r"[^\W_]")  # a letter or a digit


def read_actors(source: str | os.PathLike[str] | pd.DataFrame | Sequence[Mapping[str, Any]]) -> ActorSet:
    """Read an actor list from a YAML file, a DataFrame or a list of dicts.

    Parameters
    ----------
    source
        Path to a YAML file (a list of mappings with ``id``, ``name``, ``kind``, ``aliases``,
        optional ``patterns`` and ``ambiguous``); or a DataFrame with those columns (``aliases`` and
        ``patterns`` as lists or " | "-separated strings); or the parsed list itself.

    Returns
    -------
    ActorSet

    Raises
    ------
    ActorFileError
        A file that is not UTF-8 (with the byte offset and line), over
        :data:`MAX_ACTOR_FILE_BYTES`, bad YAML (with its line), YAML past the safety limits of
        :mod:`mediamon.safeyaml` (alias expansion, nesting deeper than 64), a missing field (with
        the line of the entry), an unknown kind, an alias or pattern without a letter or digit
        (``"."`` would count every full stop), an id used twice, or an alias claimed by two actors
        that are not declared ambiguous.

    Notes
    -----
    A YAML file is read with :func:`mediamon.safeyaml.safe_load` and the ``"strings"`` schema: every
    value is the text written, so ``id: yes`` is the id ``"yes"`` and ``id: 007`` is ``"007"``
    (PyYAML's YAML 1.1 rules would give ``True`` and ``7``). ``ambiguous`` and ``match_case``
    accept true/false (also yes/no, on/off, 1/0), in any case.

    Examples
    --------
    >>> actors = read_actors([{"id": "putin", "name": "Vladimir Putin", "kind": "person",
    ...                        "aliases": ["Putin", "Vladimir Putin"]}])
    >>> actors["putin"].name
    'Vladimir Putin'
    """
    if isinstance(source, pd.DataFrame):
        records = source.to_dict("records")
        return ActorSet(_actor_from(r, where=f"row {i + 1}") for i, r in enumerate(records))
    if isinstance(source, (list, tuple)):
        return ActorSet(_actor_from(r, where=f"entry {i + 1}") for i, r in enumerate(source))
    path = Path(source)
    text = _actor_file_text(path)
    try:
        data, lines = safe_load_with_lines(text, schema="strings", what=f"read_actors(): {path.name}")
    except YamlError as exc:
        where = f" at line {exc.line}" if exc.line is not None else ""
        where += f", column {exc.column}" if exc.line is not None and exc.column is not None else ""
        raise ActorFileError(f"read_actors(): {path.name} is not valid YAML{where}: {exc.problem}.") from None
    if data is None:
        data = []
    if not isinstance(data, list):
        raise ActorFileError(
            f"read_actors(): {path.name} must hold a list of actors (lines starting with '- id:'), "
            f"got a {'mapping' if isinstance(data, dict) else 'single value'}."
        )
    return ActorSet(
        _actor_from(item, where=f"{path.name} line {line}") for item, line in zip(data, lines)
    )


def _actor_file_text(path: Path) -> str:
    """The text of an actor file: at most MAX_ACTOR_FILE_BYTES, strict UTF-8 (a BOM is dropped)."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_ACTOR_FILE_BYTES + 1)
    except OSError as exc:
        raise ActorFileError(f"read_actors(): cannot read {str(path)!r}: {exc.strerror or exc}.") from None
    if len(data) > MAX_ACTOR_FILE_BYTES:
        raise ActorFileError(
            f"read_actors(): {path.name} is larger than {MAX_ACTOR_FILE_BYTES:,} bytes; an actor list "
            "is a few MB at most. Check that this is the right file."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ActorFileError(
            f"read_actors(): {path.name} is not UTF-8: byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start:,} (line {line}). Save the file as UTF-8."
        ) from None


def _as_list(value: object) -> list[Any]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split("|") if v.strip()]
    if isinstance(value, (list, tuple, np.ndarray)):
        return list(value)
    return [value]


def _text_field(value: object, key: str, where: str) -> str:
    """A scalar field (id, name, alias) as text; lists and mappings are refused, not stringified."""
    if isinstance(value, (Mapping, list, tuple, set, np.ndarray)):
        raise ActorFileError(
            f"read_actors(): {where}: {key} must be text, got a {type(value).__name__} ({str(value)[:60]!r})."
        )
    return str(value).strip()


def _flag(value: object, key: str, where: str) -> bool:
    """A true/false field; a string such as "false" is read as written, never as a truthy string."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return False
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _FLAGS:
        return _FLAGS[value.strip().lower()]
    raise ActorFileError(f"read_actors(): {where}: {key} must be true or false, got {value!r}.")


def _actor_from(item: object, *, where: str) -> Actor:
    if not isinstance(item, Mapping):
        raise ActorFileError(f"read_actors(): {where}: an actor must be a mapping with id, name, aliases.")
    for key in ("id", "name"):
        value = item.get(key)
        if value is None or (isinstance(value, float) and np.isnan(value)) or (
            isinstance(value, str) and not value.strip()
        ):
            raise ActorFileError(f"read_actors(): {where}: missing field {key!r} (needed: id, name, aliases).")
    actor_id = _text_field(item["id"], "id", where)
    name = _text_field(item["name"], "name", where)
    kind = _text_field(item.get("kind") or "other", "kind", where).lower()
    kind = _KIND_SYNONYMS.get(kind, kind)
    if kind not in KINDS:
        raise ActorFileError(f"read_actors(): {where}: kind {kind!r} is invalid; must be one of {list(KINDS)}.")
    aliases: list[Alias] = []
    for raw in _as_list(item.get("aliases")):
        if isinstance(raw, Mapping):
            text = raw.get("alias") or raw.get("text")
            if not text:
                raise ActorFileError(f"read_actors(): {where}: an alias mapping needs 'alias: <text>'.")
            aliases.append(Alias(_text_field(text, "an alias", where),
                                 match_case=_flag(raw.get("match_case"), "match_case", where)))
        else:
            aliases.append(Alias(_text_field(raw, "an alias", where)))
    for raw in _as_list(item.get("patterns")):
        aliases.append(Alias(_text_field(raw, "a pattern", where), is_pattern=True))
    if not aliases:
        aliases.append(Alias(name))
    for alias in aliases:
        if not _HAS_WORD.search(alias.text):
            what = "pattern" if alias.is_pattern else "alias"
            raise ActorFileError(
                f"read_actors(): {where}: {what} {alias.text!r} has no letter or digit, so it would "
                f"match punctuation or every word; remove it or write the name it stands for."
            )
    known = {"id", "name", "kind", "aliases", "patterns", "ambiguous", "inflect"}
    return Actor(
        id=actor_id,
        name=name,
        kind=kind,
        aliases=tuple(dict.fromkeys(aliases)),
        ambiguous=_flag(item.get("ambiguous"), "ambiguous", where),
        meta={k: v for k, v in item.items() if k not in known},
        inflect=True if item.get("inflect") is None else _flag(item.get("inflect"), "inflect", where),
    )


def resolve_actors(actors: ActorSet | str | os.PathLike[str] | Sequence[Mapping[str, Any]]) -> ActorSet:
    """Accept an ActorSet or anything :func:`read_actors` reads."""
    return actors if isinstance(actors, ActorSet) else read_actors(actors)


def actor_or_error(actors: ActorSet, actor_id: str, *, call: str) -> Actor:
    """Look up an actor id with an error that lists the ids (used by other modules)."""
    if actor_id not in actors:
        raise InputError(f"{call}: unknown actor {actor_id!r}; known ids are {actors.ids}.")
    return actors[actor_id]
