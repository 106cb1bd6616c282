"""The ``ssbi`` command line (typer + rich): one module per command group, registered on one app; each command
parses, calls one library function and prints."""

from ssbi.workflows.cli import (  # noqa: F401 - each module registers its commands on the app
    adhesion,
    adsorption,
    alloy,
    band_gap,
    build,
    cluster,
    execution,
    materials,
    md,
    query,
    reference,
    stability,
    store,
    study,
    surfaces,
)
from ssbi.workflows.cli.app import app, main

__all__ = ["app", "main"]
