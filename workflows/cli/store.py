"""ssbi store check / repair / import: verify the result store, rescue a damaged one, bring in an older one."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ssbi.workflows.cli.app import app
from ssbi.workflows.cli.console import console, fail
from ssbi.workflows.cli.options import STORE_OPT

store_app = typer.Typer(help="The result store: check, clean, repair, import.", no_args_is_help=True)
app.add_typer(store_app, name="store")


@store_app.command("check")
def store_check(store: str = STORE_OPT):
    """Verify every document and blob (checksums, decoding, blob references, one result per fingerprint);
    exit 1 when anything is wrong. Reads only."""
    import ssbi.workflows.store.admin as store_admin  # lazy: start-up (maggma)

    report = store_admin.check(store)
    t = Table(title=f"store {report.store}", header_style="bold")
    for col in ("collection", "documents", "unreadable", "problems"):
        t.add_column(col, justify="right" if col in ("documents", "unreadable") else "left")
    for c in report.collections:
        t.add_row(c.collection, str(c.documents), str(len(c.unreadable)) + (f" (rows {', '.join(map(str, c.unreadable[:5]))})" if c.unreadable else ""),
                  "; ".join(dict.fromkeys(c.problems))[:200] or "none")
    console.print(t)
    if report.missing_blobs:
        console.print(f"{len(report.missing_blobs)} large-data blobs referenced but missing, e.g. {report.missing_blobs[0]}")
    if report.duplicate_fingerprints:
        console.print(f"{len(report.duplicate_fingerprints)} fingerprints stored more than once, e.g. "
                      f"{report.duplicate_fingerprints[0]}")
    if report.orphaned_blobs:
        console.print(f"{len(report.orphaned_blobs)} large-data blobs no document refers to (a write cut off, e.g. by "
                      f"a full disk), e.g. {report.orphaned_blobs[0]}: `ssbi store clean` removes them")
    if report.leftover_runs:
        console.print(f"{len(report.leftover_runs)} run folder(s) of killed runs, e.g. {report.leftover_runs[0]}: "
                      "`ssbi store clean` removes them")
    if report.set_aside:
        console.print(f"{report.set_aside} results set aside by a forced re-run (kept until it is stored)")
    if not report.ok:
        fail("the store has problems: `ssbi store repair` copies every readable document into a new store", 1)
    console.print("store check passed")


@store_app.command("clean")
def store_clean(store: str = STORE_OPT):
    """Remove the run folders of killed runs and large data no document refers to."""
    import ssbi.workflows.store.admin as store_admin  # lazy: start-up (maggma)

    counts = store_admin.clean(store)
    console.print(f"removed {counts['runs']} run folder(s) of killed runs and {counts['blobs']} orphaned blob(s)")


@store_app.command("repair")
def store_repair(store: str = STORE_OPT):
    """Copy every readable document of the embedded store into a new file that takes its place; the damaged file
    is kept beside it. Stop workers using the store first."""
    import ssbi.workflows.store.admin as store_admin  # lazy: start-up (maggma)

    file, kept, counts = store_admin.repair(store)
    t = Table(title=f"repaired {file}", header_style="bold")
    for col in ("collection", "rescued", "lost"):
        t.add_column(col, justify="left" if col == "collection" else "right")
    for name, (good, lost) in counts.items():
        t.add_row(name, str(good), str(lost))
    console.print(t)
    console.print(f"the damaged file is kept as {kept}")


@store_app.command("import")
def store_import(folder: Path = typer.Argument(..., help="Folder of an earlier ssbi store (montydb: ssbi/ and "
                                                          "blobs/), e.g. <data dir>/store."),
                 store: str = STORE_OPT):
    """Copy the results of an earlier ssbi store (montydb) into this one; stored fingerprints are skipped."""
    import ssbi.workflows.store.admin as store_admin  # lazy: start-up (maggma)
    from ssbi.workflows.store.jobstore import describe  # lazy: start-up

    counts = store_admin.import_store(folder, store)
    console.print(f"imported into {describe(store)}: {counts['results']} results, {counts['blobs']} blobs, "
                  f"{counts['analysis']} windows/reactions; {counts['duplicates']} duplicates skipped")
