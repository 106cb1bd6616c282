"""Options shared by several ssbi commands, defined once, and the local LaunchPad lock."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer
from pydantic import BaseModel, Field

from ssbi.interfaces.errors import InputError
from ssbi.workflows.engines.config import engine_names

ENGINE_OPT = typer.Option("chgnet", "--engine", "-e", help=f"One of {', '.join(engine_names())} (`ssbi engines`).")
STORE_OPT = typer.Option(None, "--store", help="Store name from configs/stores.yaml or a mongodb:// URI (default: embedded).")
KIND_ARG = typer.Argument(..., help="relax or static.")
MATERIAL_ARG = typer.Argument(..., help="Library material or structure file.")
TARGET_OPT = typer.Option("bulk", help="bulk (cell relaxes), slab or interface (cell fixed).")
VARIANT_OPT = typer.Option("experimental", help="Library structure: experimental or chgnet.")


def settings_options(model, into: str, exclude: tuple[str, ...] = (), defaults: dict | None = None):
    """Decorator: the fields of the pydantic ``model`` (their types, defaults and descriptions) become options of
    the command, so each option set is defined once; the command receives them as one dict in ``into``.
    ``defaults``: a command's own default for a field (said in its help)."""
    import functools
    import inspect
    import typing

    defaults = defaults or {}

    def option_type(annotation):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if typing.get_origin(annotation) is typing.Literal:
            return str
        if args and len(args) == 1:  # Optional[X]
            return typing.Optional[args[0]]
        return annotation

    def decorate(func):
        signature = inspect.signature(func)
        names = [n for n in model.model_fields if n not in exclude]
        added = []
        for name in names:
            field = model.model_fields[name]
            flag = "--" + name.replace("_", "-")
            decls = [f"{flag}/--no-{name.replace('_', '-')}"] if field.annotation is bool else [flag]
            decls = list((field.json_schema_extra or {}).get("flags", decls))
            default = defaults.get(name, field.default)
            help_text = field.description or ""
            if name in defaults and defaults[name] != field.default:
                help_text += f" (this command's default; elsewhere {field.default})"
            added.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY,
                                           default=typer.Option(default, *decls, help=help_text),
                                           annotation=option_type(field.annotation)))
        kept = [p for p in signature.parameters.values() if p.name != into]

        @functools.wraps(func)
        def command(*args, **kwargs):
            kwargs[into] = {n: _checked(model, n, kwargs.pop(n)) for n in names if n in kwargs}
            return func(*args, **kwargs)

        positional = [p for p in kept if p.kind != inspect.Parameter.KEYWORD_ONLY]
        keyword = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in kept if p not in positional]
        command.__signature__ = signature.replace(parameters=[*positional, *keyword, *added])
        return command

    return decorate


def output_problem(path: Path, kind: str = "folder") -> Optional[str]:
    """Why ``path`` cannot be written as an output ``folder`` (or ``file``), checked before any work: nothing is
    created here."""
    path = Path(path).expanduser()
    if kind == "folder" and path.exists() and not path.is_dir():
        return f"{path} is a file: give a folder"
    if kind == "file" and path.is_dir():
        return f"{path} is a folder: give a file name"
    parent = path if kind == "folder" else path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        return f"{parent} is a file, so {path} cannot be made"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"{parent} is not writable, so {path} cannot be written"
    return None


def output_folder(path: Optional[Path]) -> Optional[Path]:
    """typer callback of the -o/--out folder options: one line before any work if it cannot be written."""
    import typer

    if path is not None and (problem := output_problem(path)):
        raise typer.BadParameter(problem)
    return path


def output_file(path: Optional[Path]) -> Optional[Path]:
    """typer callback of -o/--out file options."""
    import typer

    if path is not None and (problem := output_problem(path, "file")):
        raise typer.BadParameter(problem)
    return path


def _checked(model, name: str, value):
    """The value of one option, validated against its field's constraints (one line if it fails)."""
    import typing

    from pydantic import TypeAdapter, ValidationError

    field = model.model_fields[name]
    if value is None and field.default is None:
        return value
    if name == "out" and (problem := output_problem(value)):  # every output folder, before any work
        raise InputError(f"-o/--out {value}: {problem}")
    try:
        return TypeAdapter(typing.Annotated[field.annotation, field]).validate_python(value)
    except ValidationError as exc:
        error = exc.errors()[0]
        cap = " (a hard cap: beyond it the work runs for hours and can exhaust memory)" \
            if error["type"] in ("less_than_equal", "less_than") and name != "max_strain" else ""
        raise InputError(f"--{name.replace('_', '-')} {value!r}: {error['msg'].lower()}{cap}") from None


class EntrySource(BaseModel):
    """Where the entries of a window or reaction come from, and on which energy scale (``window``, ``windows``,
    ``react``)."""

    entries: str = Field("store", description="Entry source: store (engine's relaxations), mp, or a JSON file of "
                                              "ComputedEntry dicts.")
    engine: str = Field("chgnet", description="an engine of configs/engines (`ssbi engines`)",
                        json_schema_extra={"flags": ["--engine", "-e"]})
    scale: Optional[str] = Field(None, description="Energy scale to analyse on: mp2020 or raw-gga (MP2020 "
                                                   "corrections removed). Default: the entries' own.")
    file_scale: Optional[str] = Field(None, description="Scale of file entries that do not say (MP exports: mp2020).")
    store: Optional[str] = Field(None, description="Store name from configs/stores.yaml or a mongodb:// URI "
                                                   "(default: embedded).")
    arbitrary: bool = Field(False, description="Accept arbitrary compositions (neither library materials nor "
                                               "phases of the entries); their results are shown, not stored.",
                            json_schema_extra={"flags": ["--formula/--no-formula"]})
    known_phases_only: bool = Field(True, description="Hull of known phases: the curated hypothetical phases "
                                                      "(LiS4, Li2S2, P2S7 ...; `ssbi reference list` shows them) "
                                                      "left out; --all-phases keeps them.",
                                    json_schema_extra={"flags": ["--known-phases-only/--all-phases"]})
    out: Path = Field(Path("out/stability"), description="Folder for the plots.",
                      json_schema_extra={"flags": ["-o", "--out"]})


RANK_BY_HELP = ("the ranking rule: weakest-side (default: the worse of the anode and cathode sides, a cell fails at "
                "its worst interface), anode, cathode, dendrite (Monroe–Newman first), adhesion (W_ad with the anode)")


def rank_by_option(value: str) -> str:
    from ssbi.interfaces.analysis.ranking import RANK_BY  # lazy: start-up

    if value not in RANK_BY:
        raise typer.BadParameter(f"unknown rule {value!r}; allowed: {', '.join(RANK_BY)}")
    return value
