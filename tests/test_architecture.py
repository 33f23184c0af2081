"""The architecture is a fact, not a hope: the layers contract (import-linter, configured in
pyproject.toml) holds, every module sits in a layer, and imports inside functions are only the
optional heavy dependencies, each with a comment saying why."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import mediamon

REPO = Path(__file__).resolve().parent.parent
PACKAGE = Path(mediamon.__file__).resolve().parent
#: What may be imported inside a function: heavy or optional dependencies loaded on first use.
LAZY_ALLOWED = (
    "matplotlib", "networkx", "nltk", "dask", "distributed", "playwright", "papermill", "nbconvert", "mediamon.report",
    "snowballstemmer", "scipy.sparse",
)


def _modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_layers_contract_holds() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.skip("import-linter is not installed (pip install -e '.[dev]')")
    done = subprocess.run([str(lint)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_every_module_sits_in_a_layer() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers = [c for c in config["contracts"] if c["type"] == "layers"][0]["layers"]
    placed = {name.strip() for layer in layers for name in layer.split("|")}
    for module in _modules():
        if module == "mediamon":
            continue
        assert any(module == p or module.startswith(p + ".") for p in placed), f"{module} is in no layer"


def test_imports_inside_functions_are_heavy_dependencies_with_a_reason() -> None:
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    names = [a.name for a in inner.names] if isinstance(inner, ast.Import) else [inner.module or ""]
                    if isinstance(inner, ast.ImportFrom) and inner.level:
                        names = ["mediamon." + (inner.module or "")]
                    where = f"{path.relative_to(REPO)}:{inner.lineno}"
                    assert all(n.startswith(LAZY_ALLOWED) for n in names), f"{where}: import {names} inside a function"
                    context = " ".join(lines[max(0, inner.lineno - 3) : inner.end_lineno])
                    assert "#" in context, f"{where}: say in a comment why {names} is imported here"
