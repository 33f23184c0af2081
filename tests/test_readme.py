"""The README's Python examples run, in order, as a new user would type them.

Every ```python block is executed in one namespace, in a fresh folder that holds the bundled
``corpora/`` (so that ``stores/...`` written by the examples land in a temporary folder). Blocks
fenced as ```py are illustrations that need a machine we do not have (a running cluster) and are
only checked to compile.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mediamon import executors

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
RUN = re.findall(r"```python\n(.*?)```", README, re.S)
SHOWN = re.findall(r"```py\n(.*?)```", README, re.S)


def test_the_readme_has_examples() -> None:
    assert len(RUN) >= 4 and "mm.kwic" in "".join(RUN)


@pytest.mark.slow
def test_python_examples_run_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "corpora").symlink_to(REPO / "corpora")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    try:
        for i, block in enumerate(RUN):
            exec(compile(block, f"README.md python block {i + 1}", "exec"), namespace)  # noqa: S102
    finally:
        executors.close()
    assert (tmp_path / "stores" / "mm-sample" / "store.json").is_file()


def test_illustrations_compile() -> None:
    for i, block in enumerate(SHOWN):
        compile(block, f"README.md py block {i + 1}", "exec")
