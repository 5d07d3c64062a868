"""Running a notebook top to bottom in a fresh kernel: the one way the book does it.

Used by the chapter runner (``scripts/run_chapter.py``), the Colab check (``scripts/check_colab.py``)
and the grading command (:mod:`emergent.core.grading`). This module imports nothing from the rest of
the library: the Colab check loads it by path in an environment where the library is not installed
yet (a notebook's own first cell installs it).
"""

from __future__ import annotations

import time
from pathlib import Path


def execute_notebook(
    notebook,
    folder: Path,
    cell_timeout: int,
    allow_errors: bool = False,
    write_to: Path | None = None,
) -> float:
    """Execute ``notebook`` (an nbformat node, changed in place) in a fresh ``python3`` kernel whose
    working folder is ``folder``; return the seconds it took.

    With ``write_to``, the notebook is written there after every cell, so whatever ran before a
    failure or a time limit is kept. With ``allow_errors``, cells go on running after an error (as
    grading needs); otherwise the first error raises ``nbclient.exceptions.CellExecutionError``.
    """
    import nbformat
    from nbclient import NotebookClient

    if cell_timeout <= 0:
        raise ValueError(f"cell_timeout is in seconds and must be positive, got {cell_timeout}.")

    def keep(cell, cell_index, execute_reply):
        nbformat.write(notebook, write_to)

    client = NotebookClient(
        notebook,
        timeout=cell_timeout,
        allow_errors=allow_errors,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
        on_cell_executed=keep if write_to is not None else None,
    )
    if write_to is not None:
        Path(write_to).parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    try:
        client.execute()
    finally:
        if write_to is not None:
            nbformat.write(notebook, write_to)
    return time.perf_counter() - start
