"""The base class of every analysis result: a table, the call that made it, and its display.

A result holds a plain :class:`pandas.DataFrame` (``df``, never subclassed) and the parameters of the
call (``params``, for provenance). ``len(result)`` is the number of rows; ``to_csv`` and
``to_parquet`` write the table's public columns; ``_repr_html_`` shows a caption and an escaped
static table. Subclasses add their own fields (evidence, sorting) and say what their caption is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

from . import display


@dataclass(frozen=True, eq=False, repr=False)
class Result:
    """A table of results (``df``) and the call that produced it (``params``)."""

    df: pd.DataFrame
    params: dict[str, Any]

    #: The columns written by :meth:`to_csv` / :meth:`to_parquet` (``None``: all of ``df``).
    columns: ClassVar[tuple[str, ...] | None] = None
    #: Rows shown in the HTML display.
    display_rows: ClassVar[int] = 20

    def __len__(self) -> int:
        return len(self.df)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.caption()}>"

    def caption(self) -> str:
        """One line saying what the table holds (shown above it)."""
        return f"{len(self.df):,} rows"

    def table(self) -> pd.DataFrame:
        """The public columns of ``df`` (what is written and shown)."""
        if self.columns is None:
            return self.df
        return self.df[[c for c in self.columns if c in self.df.columns]]

    def to_csv(self, path: str | os.PathLike[str], **kwargs: Any) -> None:
        """Write the table as CSV (UTF-8, no index); *kwargs* go to :meth:`pandas.DataFrame.to_csv`."""
        self.table().to_csv(path, index=False, **kwargs)

    def to_parquet(self, path: str | os.PathLike[str], **kwargs: Any) -> None:
        """Write the table as Parquet; *kwargs* go to :meth:`pandas.DataFrame.to_parquet`."""
        self.table().to_parquet(path, index=False, **kwargs)

    def _repr_html_(self) -> str:
        return display.join([display.caption(self.caption()), display.table(self.table(), max_rows=self.display_rows)])
