"""Console output shared by the ssbi commands: tables on stdout, one-line errors on stderr."""

from __future__ import annotations

import os
import sys
import warnings

import typer
from rich.console import Console
from rich.markup import escape

# library warnings (CIF rounding, deprecations) are noise to a user; errors are ours
warnings.filterwarnings("ignore")

def _width():
    """Tables stay readable when piped or logged (rich falls back to 80 columns there): COLUMNS, else 140."""
    return None if sys.stdout.isatty() else int(os.environ.get("COLUMNS", "140"))


console = Console(width=_width())
err_console = Console(stderr=True, width=10_000)


def fit_console() -> None:
    """The console's width for this command line (the environment may have changed since the import: a test that
    runs several commands in one process)."""
    console.width = _width()


def fail(message: str, code: int = 2) -> None:
    """Print one line on stderr and exit non-zero."""
    err_console.print(f"[bold red]error:[/] {escape(str(message))}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def requested(run_request, what: str = "checking the input"):
    """A request (``run_request(progress)``, a ``run/`` function) with a status line: one line and exit 2 on bad input
    or a failed run; None after saying where a queued or submitted one went; else the request, its documents read."""
    from ssbi.interfaces.errors import SSBIError  # lazy: start-up (pymatgen)

    try:
        with console.status(what) as status:
            req = run_request(lambda stage: status.update(stage))
    except SSBIError as exc:
        fail(str(exc).splitlines()[0])
    o = req.outcome
    if o.status == "failed":
        fail(o.message)
    if o.status in ("queued", "submitted"):
        console.print(f"{o.status}: {req.analysis.label} is workflow {o.workflow}; run it with `ssbi worker`")
        return None
    return req
