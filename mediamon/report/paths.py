"""Names and files of report runs: safe file names, confinement, atomic writes."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from ..errors import ReportError


ENV_VAR = "MEDIAMON_REPORT_DIR"


"""Environment variable holding the run folder inside a report's kernel."""


RECORD_FILE = "record.json"


KERNEL_LOG = "kernel.log"


MANIFEST_FILE = "manifest.json"


TABLES_DIR = "tables"


FIGURES_DIR = "figures"


PARTIAL_SUFFIX = ".partial"


FAILED_SUFFIX = ".failed"


_MAX_NAME = 100


_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: object, *, call: str = "safe_name()", what: str = "name") -> str:
    """Reduce *name* to a safe file name: ``[A-Za-z0-9._-]``, no leading dot or dash, at most 100 chars.

    >>> safe_name("../../etc")
    'etc'
    >>> safe_name("Raisi / 2024 (draft)")
    'Raisi_2024_draft'
    """
    text = _UNSAFE_CHARS.sub("_", str(name))
    text = re.sub(r"_+", "_", text).strip("._-")[:_MAX_NAME].rstrip("._-")
    if not text:
        raise ReportError(
            f"{call}: {what} {name!r} has no usable characters; use letters, digits, '.', '_' or '-'."
        )
    return text


def inside(path: Path, root: Path) -> bool:
    """Whether *path* is *root* or below it (both resolved)."""
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def write_atomic(target: Path, write: Any) -> None:
    """Call ``write(tmp_path)`` and rename the temporary file onto *target*."""
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        write(str(tmp))
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def read_json(path: Path) -> dict[str, Any]:
    value = json.loads(path.read_text(encoding="utf-8"))
    return value if isinstance(value, dict) else {}
