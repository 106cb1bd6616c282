"""Rows of results for people and for programs: a terminal table that fits the terminal (short headers with a
legend; one block per row where even that does not fit), or JSON, CSV and Markdown. Floats are rounded to the
digits that carry meaning in the table and Markdown; JSON and CSV keep full precision for programs."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from ssbi.interfaces.errors import InputError

FORMATS = ("table", "json", "csv", "md")

# decimals by the unit at the end of a column's key: model errors make more digits noise
# (MLIP energies ~10-30 meV/atom, W_ad ~0.05 J/m², moduli ~1 GPa)
DIGITS_BY_SUFFIX = (("_meV", 0), ("meV_atom", 0), ("eV_atom", 3), ("eV_per_atom", 4), ("energy_eV", 3),
                    ("_J_m2", 2), ("_GPa", 1), ("_pct", 1), ("_A2", 1), ("_A", 2), ("_V", 2), ("_K", 0),
                    ("_ps", 2), ("_cm2_s", 3), ("ratio", 2), ("G_over_G_Li", 2))


@dataclass(frozen=True)
class Column:
    """One column: its key in the rows, a short ``head`` for the terminal, what the head means (``legend``,
    with the unit), decimals, and an optional ``short`` form of values for the narrow table."""

    key: str
    head: Optional[str] = None
    legend: str = ""
    digits: Optional[int] = None
    short: Optional[Callable[[Any], str]] = None
    optional: bool = False  # left out of the table (named under it) where the terminal is too narrow for it

    @property
    def title(self) -> str:
        return self.head or self.key


def digits_for(key: str) -> Optional[int]:
    """Decimals that mean something for a column named ``key`` (by its unit suffix); None: 4 significant."""
    for suffix, n in DIGITS_BY_SUFFIX:
        if key.endswith(suffix):
            return n
    return None


def cell(value: Any, column: Column, short: bool = False) -> str:
    """A value as the table shows it: rounded floats, "—" for missing, shortened where asked."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if short and column.short is not None:
        return column.short(value)
    if isinstance(value, float):
        n = column.digits if column.digits is not None else digits_for(column.key)
        return f"{value:.{n}f}" if n is not None else f"{value:.4g}"
    if column.key in ("id", "uuid") and isinstance(value, str) and len(value) > 8:
        return value[:8]  # `ssbi show` takes a unique prefix
    return str(value)


def columns_of(rows: Sequence[dict], columns: Optional[Sequence[Column]] = None) -> list[Column]:
    """The given columns, else one per key of the first row."""
    if columns:
        return list(columns)
    return [Column(k) for k in (rows[0] if rows else [])]


def rich_table(rows: Sequence[dict], columns: Sequence[Column], title: str, short: bool = True) -> Table:
    """A compact table (no vertical rules; short heads and values)."""
    table = Table(title=title, header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True,
                  title_justify="left")
    for c in columns:
        numeric = any(isinstance(r.get(c.key), (int, float)) and not isinstance(r.get(c.key), bool) for r in rows)
        table.add_column(c.title, justify="right" if numeric else "left", no_wrap=True)
    for r in rows:
        table.add_row(*[cell(r.get(c.key), c, short) for c in columns])
    return table


def vertical(rows: Sequence[dict], columns: Sequence[Column], title: str, width: int) -> list[Table]:
    """One two-column block per row (what the field is, its value): for rows too wide for the terminal."""
    names = [c for c in columns if c.key in ("electrolyte", "name", "material", "label", "id")]
    first = names[0] if names else columns[0]
    blocks = []
    for i, r in enumerate(rows, 1):
        t = Table(title=f"{title} {i}/{len(rows)}: {cell(r.get(first.key), first)}", show_header=False,
                  box=box.SIMPLE, pad_edge=False, title_justify="left")
        t.add_column("field", style="bold", overflow="fold", max_width=max(12, width // 2))
        t.add_column("value", overflow="fold", min_width=min(24, width // 3))
        for c in columns:
            if c is not first:
                t.add_row(c.legend or c.key, cell(r.get(c.key), c))
        blocks.append(t)
    return blocks


def markdown(rows: Sequence[dict], columns: Sequence[Column]) -> str:
    """A Markdown table with full headers (legend where given), rounded values."""
    heads = [c.legend or c.key for c in columns]
    lines = ["| " + " | ".join(heads) + " |", "|" + " --- |" * len(columns)]
    lines += ["| " + " | ".join(cell(r.get(c.key), c).replace("|", "\\|") for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def as_csv(rows: Sequence[dict]) -> str:
    buf = io.StringIO()
    if rows:
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return buf.getvalue()


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise InputError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")


def emit(rows: Sequence[dict], fmt: str, title: str, console: Console,
         columns: Optional[Sequence[Column]] = None) -> None:
    """Print ``rows`` as ``fmt``: a table that fits ``console``'s width (else one block per row), with the short
    heads' legend under it; JSON, CSV (every key, full precision) or Markdown. ``columns`` choose what the table
    and Markdown show; the keys they leave out are named under the table."""
    check_format(fmt)
    rows = list(rows)
    if fmt == "json":
        console.print(json.dumps(rows, default=str, indent=1), markup=False, highlight=False, soft_wrap=True)
        return
    if fmt == "csv":
        console.print(as_csv(rows), end="", markup=False, highlight=False, soft_wrap=True)
        return
    cols = columns_of(rows, columns)
    if fmt == "md":
        console.print(markdown(rows, cols), markup=False, highlight=False, soft_wrap=True)
        return
    if not rows:
        console.print(f"{title}: no results")
        return
    def fits(columns: list[Column]) -> Optional[Table]:
        table = rich_table(rows, columns, f"{title}: {len(rows)} row(s)")
        natural = Measurement.get(console, console.options.update_width(10_000), table).maximum
        return table if natural <= console.width else None

    table = fits(cols)
    while table is None and any(c.optional for c in cols):
        cols = [c for c in cols if c is not [o for o in cols if o.optional][-1]]
        table = fits(cols)
    hidden = [k for k in rows[0] if k not in {c.key for c in cols} and any(r.get(k) is not None for r in rows)]
    if table is not None:
        console.print(table)
        legend = [f"{c.title}: {c.legend}" for c in cols if c.legend and c.legend not in (c.title, c.key)]
        if legend:
            console.print("; ".join(legend), style="dim", highlight=False)
    else:
        for block in vertical(rows, cols, title, console.width):
            console.print(block)
    if hidden:
        console.print(f"also in --format json or csv: {', '.join(hidden)}", style="dim", highlight=False)
