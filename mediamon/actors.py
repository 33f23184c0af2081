"""The actor registry: people, organisations and places, and the names they go by.

Finding their mentions in a corpus is :mod:`mediamon.analysis.mentions`.

An actor list is YAML (or a DataFrame)::

    - id: putin
      name: Vladimir Putin
      kind: person
      aliases: [Vladimir Putin, Putin, President Putin, Путин]
      patterns: ["Путин*"]          # optional: globs for inflected forms, token by token
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
      ``ambiguous: true``; an ambiguous alias yields one mention row for each actor that claims it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from . import display
from .errors import ActorFileError, InputError, NotFoundError
from .text import query_forms

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
    claimed: dict[tuple[tuple[str, ...], bool, bool], str] = {}
    for actor in actors:
        for alias in actor.aliases:
            key = (alias.forms if not alias.match_case else (alias.text,), alias.match_case, alias.is_pattern)
            other = claimed.get(key)
            if other is not None and other != actor.id:
                if not (actor.ambiguous and _actor(actors, other).ambiguous):
                    raise ActorFileError(
                        f"read_actors(): alias {alias.text!r} is claimed by {other!r} and "
                        f"{actor.id!r}; remove it from one of them or mark both 'ambiguous: true'."
                    )
            claimed.setdefault(key, actor.id)


def _actor(actors: Sequence[Actor], actor_id: str) -> Actor:
    return next(a for a in actors if a.id == actor_id)


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------
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
        Bad YAML (with its line), a missing field (with the line of the entry), an unknown kind,
        an id used twice, or an alias claimed by two actors that are not declared ambiguous.

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
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ActorFileError(f"read_actors(): cannot read {str(path)!r}: {exc.strerror or exc}.") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ActorFileError(f"read_actors(): {path.name} is not valid YAML{where}: {problem}.") from None
    if data is None:
        data = []
    if not isinstance(data, list):
        raise ActorFileError(
            f"read_actors(): {path.name} must hold a list of actors (lines starting with '- id:'), "
            f"got a {type(data).__name__}."
        )
    lines = [n.start_mark.line + 1 for n in node.value] if node is not None else []
    return ActorSet(
        _actor_from(item, where=f"{path.name} line {line}") for item, line in zip(data, lines)
    )


def _as_list(value: object) -> list[Any]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split("|") if v.strip()]
    if isinstance(value, (list, tuple, np.ndarray)):
        return list(value)
    return [value]


def _actor_from(item: object, *, where: str) -> Actor:
    if not isinstance(item, Mapping):
        raise ActorFileError(f"read_actors(): {where}: an actor must be a mapping with id, name, aliases.")
    for key in ("id", "name"):
        value = item.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ActorFileError(f"read_actors(): {where}: missing field {key!r} (needed: id, name, aliases).")
    actor_id = str(item["id"]).strip()
    kind = str(item.get("kind") or "other").strip().lower()
    kind = {"organization": "organisation", "org": "organisation", "location": "place"}.get(kind, kind)
    if kind not in KINDS:
        raise ActorFileError(f"read_actors(): {where}: kind {kind!r} is invalid; must be one of {list(KINDS)}.")
    aliases: list[Alias] = []
    for raw in _as_list(item.get("aliases")):
        if isinstance(raw, Mapping):
            text = raw.get("alias") or raw.get("text")
            if not text:
                raise ActorFileError(f"read_actors(): {where}: an alias mapping needs 'alias: <text>'.")
            aliases.append(Alias(str(text), match_case=bool(raw.get("match_case", False))))
        else:
            aliases.append(Alias(str(raw)))
    for raw in _as_list(item.get("patterns")):
        aliases.append(Alias(str(raw), is_pattern=True))
    if not aliases:
        aliases.append(Alias(str(item["name"])))
    for alias in aliases:
        if not alias.forms:
            raise ActorFileError(f"read_actors(): {where}: alias {alias.text!r} has no word in it.")
    known = {"id", "name", "kind", "aliases", "patterns", "ambiguous"}
    return Actor(
        id=actor_id,
        name=str(item["name"]).strip(),
        kind=kind,
        aliases=tuple(dict.fromkeys(aliases)),
        ambiguous=bool(item.get("ambiguous", False)),
        meta={k: v for k, v in item.items() if k not in known},
    )


def resolve_actors(actors: ActorSet | str | os.PathLike[str] | Sequence[Mapping[str, Any]]) -> ActorSet:
    """Accept an ActorSet or anything :func:`read_actors` reads."""
    return actors if isinstance(actors, ActorSet) else read_actors(actors)


def actor_or_error(actors: ActorSet, actor_id: str, *, call: str) -> Actor:
    """Look up an actor id with an error that lists the ids (used by other modules)."""
    if actor_id not in actors:
        raise InputError(f"{call}: unknown actor {actor_id!r}; known ids are {actors.ids}.")
    return actors[actor_id]
