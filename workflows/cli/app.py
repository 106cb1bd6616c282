"""The typer application every ssbi command module registers on, with the one error handler of the CLI.

Any :class:`~interfaces.errors.SSBIError` a command raises (bad input, unknown material, engine or store, an
unreachable database, a failed run) ends as one line on stderr and exit code 2, wherever it is raised.
"""

import typer
from typer.core import TyperGroup

from interfaces.errors import SSBIError


class GuardedGroup(TyperGroup):
    """Click group that turns our errors into one line (sub-groups are invoked inside it)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SSBIError as exc:
            from workflows.console import fail

            fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)


app = typer.Typer(cls=GuardedGroup, help="ssb-interfaces: interfaces of all-solid-state Li-S batteries.",
                  no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)
materials_app = typer.Typer(help="The curated materials library.", no_args_is_help=True)
app.add_typer(materials_app, name="materials")


def main() -> None:
    app()
