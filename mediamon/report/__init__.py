"""Run notebooks as parameterized reports with Papermill, and the helpers those notebooks use.

The package follows papermill's seams: :mod:`~mediamon.report.params` (a notebook's parameters, typed
and validated), :mod:`~mediamon.report.kernel` (this environment's kernel), :mod:`~mediamon.report.run`
(one run into its folder), :mod:`~mediamon.report.batch` (a grid of runs) and
:mod:`~mediamon.report.helpers` (what a notebook calls: ``save_table``, ``say``, ``show_table``, ...).
Names are exported lazily, so a notebook that only imports the helpers does not load Papermill.

:func:`run_report` executes one notebook with validated parameters on a kernel of the current Python
environment and writes everything about that run into one folder; :func:`run_batch` runs a grid of
parameter sets and summarises the outcomes. ``mediamon report`` (see :mod:`mediamon.cli`) wraps both.

Layout of a run
---------------
``<out>/<notebook-stem>/<run-id>/``::

    <stem>.ipynb       the executed notebook (parameters injected by Papermill)
    <stem>.html        HTML export (code cells hidden unless ``hide_code=False``)
    tables/<name>.csv  tables the notebook saved with :func:`save_table`
    figures/<name>.png figures the notebook saved with :func:`save_figure`
    record.json        values the notebook recorded with :func:`record`
    kernel.log         the kernel process's own stdout/stderr (warnings, a dying kernel's last words)
    manifest.json      parameters, notebook path and hash, versions, times, status, error

The run id defaults to ``<UTC timestamp>-<hash of the parameters>`` (e.g. ``20250301T101500Z-3f2a9c1e``);
a run id you pass is reduced to a safe file name (letters, digits, ``.``, ``_``, ``-``). A run is written
under ``.<run-id>.partial/`` and renamed to ``<run-id>/`` only when it succeeded, so nothing half-written
ever carries the final name. A failed run is renamed to ``<run-id>.failed/`` and keeps the partial
executed notebook and a manifest with ``"status": "failed"`` (``"interrupted"`` after Ctrl-C; a run whose
process was killed is marked ``"killed"`` by the next run in that folder). Running the same id again removes
its earlier ``.failed`` folder and replaces an earlier successful run of that id; an id that a running
process holds is refused (see :mod:`mediamon.report.run`).

Conventions for notebook authors
--------------------------------
* The first code cell is tagged ``parameters`` and assigns literal defaults, one per line::

      actor = "raisi"             # actor id from actors.yaml
      date_from = "2024-01-01"    # a str default stays a str: -p date_from 2024 gives "2024"
      top = 20                    # int: -p top 30
      min_count: float = 2        # an annotation wins over the default's type
      actors: list[str] | None = None   # list from JSON/YAML: -p actors '["raisi", "putin"]'

  The type of a parameter is its annotation if it has one, otherwise the type of its default. Values
  given on the command line are converted to that type strictly (``bool`` accepts ``true``/``false``
  only; a default of ``None`` without an annotation takes strings, or ``null``). Unknown names and values
  of the wrong type are rejected before anything runs.
* Write results through the helpers; outside a report run they do nothing and return ``None``,
  so the same notebook works interactively in JupyterLab::

      from mediamon.report import save_table, save_figure, record
      save_table(kwic_result, "kwic")          # tables/kwic.csv (a DataFrame or a result with .df)
      save_figure(ax, "timeline")              # figures/timeline.png (a Figure or an Axes)
      record("corpus_fingerprint", corpus.fingerprint)   # copied into manifest.json

* Under a report the environment variable ``MEDIAMON_REPORT_DIR`` (:data:`ENV_VAR`) holds the run folder;
  code that writes its own files should write there. The kernel's working directory is the notebook's
  folder, as in JupyterLab, so relative paths to corpora behave the same in both.
* Display article text only through :mod:`mediamon.display` or result ``_repr_html_`` (escaped). The
  HTML export does not sanitise anything and hiding code is not sanitising.

Kernel
------
Reports run on the interpreter of the current environment: :func:`ensure_kernel` installs (once) a
kernelspec named ``mediamon-<hash of sys.executable>`` under ``sys.prefix/share/jupyter/kernels`` whose
``argv[0]`` is :data:`sys.executable`, so a fresh virtual environment needs no global Jupyter set-up and
the user's global kernels are never used unless ``kernel_name`` names one.
"""


from __future__ import annotations

from ..lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "ENV_VAR": "paths",
    "safe_name": "paths",
    "report_dir": "helpers",
    "save_table": "helpers",
    "save_figure": "helpers",
    "record": "helpers",
    "say": "helpers",
    "heading": "helpers",
    "show_table": "helpers",
    "show_facts": "helpers",
    "plain_label": "helpers",
    "neutralise_formulas": "helpers",
    "period": "helpers",
    "Period": "helpers",
    "ParameterSpec": "params",
    "notebook_parameters": "params",
    "validate_params": "params",
    "convert_cli_params": "params",
    "load_params_file": "params",
    "ensure_kernel": "kernel",
    "kernel_name_for_interpreter": "kernel",
    "ReportFailure": "run",
    "ReportRun": "run",
    "ReportExecutionError": "run",
    "default_run_id": "run",
    "run_report": "run",
    "expand_grid": "batch",
    "BatchResult": "batch",
    "run_batch": "batch",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
