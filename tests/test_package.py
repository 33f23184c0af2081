"""The package surface: lazy, side-effect-free import; every public name resolves to what it says."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import mediamon


def test_import_is_cheap_and_does_no_work() -> None:
    code = "import sys, mediamon; print(sorted(m for m in ('pandas', 'numpy', 'nltk', 'papermill') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_public_functions_stay_functions_after_every_submodule_is_imported() -> None:
    for info in pkgutil.walk_packages(mediamon.__path__, prefix="mediamon."):
        importlib.import_module(info.name)
    for name in mediamon.__all__:
        value = getattr(mediamon, name)
        assert not isinstance(value, type(mediamon)), f"mediamon.{name} is a module, not the API"
    for name in ("kwic", "timeline", "index", "mentions", "cooccurrence", "collocates", "word_pairs", "ingest",
                 "read_corpus"):
        assert callable(getattr(mediamon, name))
