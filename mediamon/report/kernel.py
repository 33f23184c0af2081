"""The kernel a report runs on: this environment's own interpreter, found or installed once.

:func:`ensure_kernel` installs (once) a kernelspec named ``mediamon-<hash of sys.executable>`` under
``sys.prefix/share/jupyter/kernels`` whose ``argv[0]`` is :data:`sys.executable`, so a fresh virtual
environment needs no global Jupyter set-up and the user's global kernels are never used unless
``kernel_name`` names one.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ipykernel.kernelspec import get_kernel_dict
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.paths import jupyter_data_dir
from traitlets import default

from ..errors import ReportError
from .paths import write_atomic


def kernel_name_for_interpreter(executable: str | None = None) -> str:
    """The kernelspec name mediamon uses for an interpreter: ``mediamon-<10 hex of its path>``."""
    path = executable or sys.executable
    return "mediamon-" + hashlib.sha256(path.encode("utf-8", "surrogatepass")).hexdigest()[:10]


def ensure_kernel() -> str:
    """Return the name of a kernelspec that runs :data:`sys.executable`, installing it if needed.

    The kernelspec is written to ``sys.prefix/share/jupyter/kernels/<name>/kernel.json`` (or the
    user's Jupyter data folder when ``sys.prefix`` is read-only). Its ``argv[0]`` is the absolute
    interpreter path, so the report's kernel sees exactly the packages of this environment.

    Raises
    ------
    ReportError
        When no kernelspec can be written or found.
    """

    name = kernel_name_for_interpreter()
    try:
        spec = KernelSpecManager().get_kernel_spec(name)
        if spec.argv[:1] == [sys.executable]:
            return name
    except NoSuchKernel:
        pass
    errors = []
    for folder in _kernel_dirs():
        try:
            _write_kernelspec(folder / name)
            break
        except OSError as exc:
            errors.append(f"{folder}: {exc.strerror or exc}")
    try:
        spec = KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        spec = None
    if spec is None or spec.argv[:1] != [sys.executable]:
        raise ReportError(
            f"ensure_kernel(): could not install a Jupyter kernel for {sys.executable} "
            f"({'; '.join(errors) or 'not on the Jupyter path'}). Run "
            f"'{sys.executable} -m ipykernel install --user --name {name}' or pass kernel_name=."
        )
    return name


def _kernel_dirs() -> list[Path]:

    return [Path(sys.prefix) / "share" / "jupyter" / "kernels", Path(jupyter_data_dir()) / "kernels"]


def _write_kernelspec(folder: Path) -> None:
    try:  # ipykernel's own spec for this interpreter (argv[0] is sys.executable)

        spec = dict(get_kernel_dict())
    except ImportError as exc:
        raise ReportError(
            f"ensure_kernel(): ipykernel is not installed in {sys.prefix}. "
            f"Run '{sys.executable} -m pip install ipykernel'."
        ) from exc
    spec["argv"] = [sys.executable, *spec["argv"][1:]]
    spec["display_name"] = f"Python ({Path(sys.prefix).name}, mediamon)"
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(spec, indent=1)
    write_atomic(folder / "kernel.json", lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def check_kernel(name: str) -> None:

    manager = KernelSpecManager()
    try:
        manager.get_kernel_spec(name)
    except NoSuchKernel:
        known = ", ".join(sorted(manager.find_kernel_specs())) or "none"
        raise ReportError(
            f"run_report(): kernel {name!r} not found; installed kernels: {known}. "
            f"Pass kernel_name=None to use this environment's interpreter."
        ) from None


def kernel_manager_class(env: Mapping[str, str], log_path: Path) -> type:
    """A kernel manager class that adds *env* to the kernel's environment at launch.

    The kernel process's own stdout/stderr (not the cells' output, which goes to the notebook) is
    appended to *log_path*, so a kernel that dies leaves its last words in the run folder.
    """

    extra = dict(env)

    class ReportKernelManager(AsyncKernelManager):  # type: ignore[misc]
        @default("transport_encryption")
        def _default_transport_encryption(self) -> str:
            return "auto"  # CurveZMQ when the kernel and pyzmq support it

        async def _async_pre_start_kernel(self, **kw: Any) -> Any:
            kw["env"] = {**kw.get("env", os.environ), **extra}
            return await super()._async_pre_start_kernel(**kw)

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            with open(log_path, "ab") as log_file:  # the child keeps its own copy of the handle
                kw["stdout"] = kw["stderr"] = log_file
                await super()._async_launch_kernel(kernel_cmd, **kw)

    return ReportKernelManager
