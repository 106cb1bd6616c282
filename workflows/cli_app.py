"""The typer application every ssbi command module registers on."""

import typer

app = typer.Typer(help="ssb-interfaces: interfaces of all-solid-state Li-S batteries.", no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)
materials_app = typer.Typer(help="The curated materials library.", no_args_is_help=True)
app.add_typer(materials_app, name="materials")
