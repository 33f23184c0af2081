"""Small JSON files that mark folders: a folder's description, and who is writing a folder.

:func:`read_marker`
    The JSON value of a small marker file (a store's ``store.json``, an index's ``meta.json``), with
    a size cap, or ``None``: what is not a marker mediamon wrote is never trusted.
Owners
    A folder being written (an ingest's, a report run's, a batch's) holds :data:`OWNER_FILE`, naming
    the process that writes it: :func:`claim_folder` creates a folder for this process exclusively,
    :func:`release_folder` removes the record once the folder is complete, :func:`abandoned_folders`
    lists folders whose writer is gone (:func:`owner_alive`), and :func:`take_over` moves one aside
    atomically, so that one process sweeps it.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import re
import shutil
import socket
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .errors import InUseError

__all__ = [
    "MARKER_MAX_BYTES", "OWNER_FILE", "abandoned_folders", "claim_folder", "describe_owner", "owner_alive",
    "owner_record", "read_marker", "read_owner", "release_folder", "take_over", "write_owner",
]  # fmt: skip


#: A store.json (or an index's meta.json) larger than this is not one mediamon wrote.
MARKER_MAX_BYTES = 64 * 1024 * 1024


def read_marker(path: str | os.PathLike[str]) -> Any:
    """The JSON value of a small marker file (``store.json``, an index's ``meta.json``), or ``None``
    when it is missing, unreadable, too large or not JSON."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MARKER_MAX_BYTES + 1)
    except OSError:
        return None
    if len(data) > MARKER_MAX_BYTES:
        return None
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None


# ---------------------------------------------------------------------------------------------
# folders being written, and the processes writing them
# ---------------------------------------------------------------------------------------------
#: The file inside a folder being written (an ingest's, a report run's) that names its process.
OWNER_FILE = ".mediamon-owner.json"


def _process_start(pid: int) -> int | None:
    """When process *pid* started (clock ticks after boot; Linux only, else ``None``): tells the
    process from a later one that got the same pid."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
        return int(stat[stat.rindex(b")") + 2 :].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def owner_record() -> dict[str, Any]:
    """This process as an owner: ``pid``, ``host``, ``started`` (see :func:`owner_alive`), ``since``
    (UTC) and a random ``token`` that tells two claims apart."""
    pid = os.getpid()
    return {
        "pid": pid,
        "host": socket.gethostname(),
        "started": _process_start(pid),
        "since": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "token": uuid.uuid4().hex,
    }


def write_owner(folder: Path, owner: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Record *owner* (default: this process) in *folder*; returns it."""
    record = dict(owner) if owner is not None else owner_record()
    (folder / OWNER_FILE).write_text(json.dumps(record), encoding="utf-8")
    return record


def read_owner(folder: Path) -> dict[str, Any] | None:
    """The owner recorded in *folder*, or ``None`` (no owner file, or not one mediamon wrote)."""
    value = read_marker(folder / OWNER_FILE)
    return value if isinstance(value, dict) else None


def owner_alive(owner: Mapping[str, Any]) -> bool:
    """Whether the process that recorded *owner* may still be running.

    Asked with ``os.kill(pid, 0)``; on Linux the process's start time must also be the recorded
    one (a pid is reused after the process ends). A process on another machine (or on a system
    without POSIX signals) may always be running: it cannot be asked.
    """
    if owner.get("host") != socket.gethostname() or os.name != "posix":
        return True  # on Windows os.kill(pid, 0) would end the process, not ask about it
    pid = owner.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it runs, as another user
    except OSError:
        return True
    started = owner.get("started")
    now = _process_start(pid) if isinstance(started, int) else None
    return now is None or now == started


def describe_owner(owner: Mapping[str, Any]) -> str:
    """``process 123 on host (since 2025-03-01T10:15:00+00:00)``."""
    return f"process {owner.get('pid')} on {owner.get('host')} (since {owner.get('since')})"


def take_over(folder: Path, judged: Mapping[str, Any] | None) -> Path | None:
    """Move *folder*, judged abandoned with owner *judged*, aside (atomically: one process gets it).

    Returns where it now is, or ``None`` when it was gone, or was claimed again meanwhile by a live
    process (then it is put back).
    """
    aside = folder.with_name(f"{folder.name}.swept-{uuid.uuid4().hex[:12]}")
    try:
        os.rename(folder, aside)
    except FileNotFoundError:
        return None
    now = read_owner(aside)
    if (now or {}).get("token") != (judged or {}).get("token"):
        with contextlib.suppress(OSError):
            os.rename(aside, folder)
        return None
    return aside


def claim_folder(folder: Path) -> dict[str, Any]:
    """Create *folder* for this process, exclusively, with an owner file in it; returns the owner.

    A prepared sibling is renamed onto the name, which fails while another folder holds it, so the
    folder never exists without its owner file. A folder already there whose owner is gone, or that
    has no owner file (left by an older mediamon), is removed first.

    Raises
    ------
    InUseError
        A process that may still be running owns the folder.
    OSError
        The folder cannot be created (permissions, a file of that name).
    """
    owner = owner_record()
    for _ in range(8):
        prepared = folder.with_name(f"{folder.name}.claim-{owner['token'][:12]}")
        prepared.mkdir()
        try:
            write_owner(prepared, owner)
            os.rename(prepared, folder)
            return owner
        except OSError:
            shutil.rmtree(prepared, ignore_errors=True)
            if not folder.is_dir() or folder.is_symlink():
                raise
        held = read_owner(folder)
        if held is not None and owner_alive(held):
            raise InUseError(f"{folder} is being written by {describe_owner(held)}.", owner=held)
        aside = take_over(folder, held)
        if aside is not None:
            shutil.rmtree(aside, ignore_errors=True)
    raise InUseError(f"{folder} could not be claimed: other processes keep claiming it.")


def release_folder(folder: Path) -> None:
    """Remove the owner file from *folder*, once it is written (it is not part of what was written)."""
    with contextlib.suppress(FileNotFoundError):
        (folder / OWNER_FILE).unlink()


def abandoned_folders(parent: Path, name: re.Pattern[str]) -> Iterator[tuple[Path, re.Match[str], dict[str, Any]]]:
    """Folders of *parent* whose names match *name* and whose recorded owner is gone (folders
    without an owner file are never listed: nothing says who writes them)."""
    try:
        entries = sorted(os.scandir(parent), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        found = name.fullmatch(entry.name)
        if found is None or not entry.is_dir(follow_symlinks=False):
            continue
        owner = read_owner(Path(entry.path))
        if owner is not None and not owner_alive(owner):
            yield Path(entry.path), found, owner
