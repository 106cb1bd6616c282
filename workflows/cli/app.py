"""The typer application every ssbi command module registers on, with the one error handler of the CLI.

Any :class:`~ssbi.interfaces.errors.SSBIError` a command raises (bad input, unknown material, engine or store, an
unreachable database, a failed run) ends as one line on stderr and exit code 2, wherever it is raised.
"""

import os

import typer
from typer.core import TyperGroup

from ssbi.interfaces.errors import SSBIError
from ssbi.workflows.cli.console import fail, fit_console

TRIPLE_OPTIONS = ("--film-miller", "--substrate-miller")  # options that take h k l


class GuardedGroup(TyperGroup):
    """Click group that turns our errors, and click's usage errors, into one line (sub-groups are invoked inside
    it)."""

    def parse_args(self, ctx, args):
        if ctx.parent is None:  # the whole command line, once: malformed h k l, and the console for this run
            check_triples(list(args))
            fit_console()
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SSBIError as exc:
            fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        except OSError as exc:
            if exc.filename is None and not isinstance(exc, (PermissionError, FileExistsError, NotADirectoryError)):
                raise
            fail(_write_error(exc))
        except _usage_errors() as exc:
            command = exc.ctx.command_path if exc.ctx else "ssbi"
            fail(f"{exc.format_message().splitlines()[0]} (see `{command} --help`)")


def _write_error(exc: OSError) -> str:
    """One line for a file that could not be written: in the data folder, name SSBI_DATA_DIR; else the path."""
    from pathlib import Path

    from ssbi.workflows.paths import data_dir  # lazy: start-up

    where = Path(str(exc.filename or ""))
    reason = exc.strerror or type(exc).__name__
    try:
        folder = data_dir()
    except SSBIError as bad:
        return str(bad)
    if where and (where == folder or folder in where.resolve().parents):
        return (f"cannot write {where} in the data folder {folder}: {reason}: set SSBI_DATA_DIR to a folder you can "
                "write, or fix its permissions")
    hint = "; -o/--out takes a folder" if isinstance(exc, (FileExistsError, NotADirectoryError)) else ""
    return f"cannot write {where}: {reason}{hint}"


def _usage_errors() -> tuple[type, ...]:
    """click's usage error (typer may vendor its own click)."""
    found = []
    for module in ("typer._click.exceptions", "click.exceptions"):
        try:
            found.append(__import__(module, fromlist=["UsageError"]).UsageError)
        except ImportError:
            pass
    return tuple(found)


def check_triples(argv: list[str]) -> None:
    """``--film-miller 1 0 --substrate-miller ...``: click would take the next option as the third value and
    blame it; say what is wrong with the option itself."""
    for i, arg in enumerate(argv):
        if arg in TRIPLE_OPTIONS:
            values = argv[i + 1:i + 4]
            if len(values) < 3 or not all(v.lstrip("-").isdigit() for v in values):
                given = " ".join(v for v in values if not v.startswith("--")) or "nothing"
                fail(f"{arg} takes three integers h k l, got {given!r}")


app = typer.Typer(cls=GuardedGroup, help="ssb-interfaces: interfaces of all-solid-state Li-S batteries.",
                  no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)
materials_app = typer.Typer(help="The curated materials library.", no_args_is_help=True)
app.add_typer(materials_app, name="materials")


def main() -> None:
    if os.environ.get("SSBI_TEST_MONGOMOCK_FILE"):  # tests only: mongodb:// URIs on a mongomock stand-in
        from ssbi.workflows.testing.mongodb_stand_in import install_from_env  # lazy: start-up (mongomock)

        install_from_env()
    app()
