"""Regenerate an engine's shipped reference entries (``ssbi reference build``).

The same steps as a phase set (:class:`~ssbi.workflows.flows.phase_set.PhaseSetMaker`):
single points of every reference structure of the shipped systems, the selection,
relaxations of the selected polymorphs (volume verdict recorded) and of the library
phases, each run through ``CalcMaker`` exactly as a flow runs it. Calculations are
spread over worker processes, and each finished one is appended to a checkpoint file
next to the output, so an interrupted build continues where it stopped.
"""

from __future__ import annotations

import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from ssbi.interfaces.phase_set import DEFAULT_AT_MOST, select_for_relaxation, volume_verdict
from ssbi.interfaces.reference import reference_phases
from ssbi.workflows.engines.registry import get_engine
from ssbi.workflows.flows.calc import CalcMaker
from ssbi.workflows.flows.phase_set import PhaseSetMaker, library_phases
from ssbi.workflows.run.local import run_flow
from ssbi.workflows.store.entries import elements_of
from ssbi.workflows.store.shipped import (
    input_key,
    item_from_calc,
    load_shipped,
    shipped_path,
    shipped_systems,
    write_shipped,
)


@dataclass(frozen=True)
class CalcTask:
    kind: str  # static | relax
    label: str  # reference id or library name
    origin: str  # reference | library
    structure: dict
    check_volume: bool = False


def _die_with_parent() -> None:
    """A worker stops when its build is killed (Linux PR_SET_PDEATHSIG) instead of computing for no one."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the build died before this worker asked
        os._exit(1)


def _init_worker(data_dir: str) -> None:
    _die_with_parent()
    os.environ["SSBI_DATA_DIR"] = data_dir
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = "1"
    import torch

    torch.set_num_threads(1)


def run_calc_task(engine: str, task: CalcTask) -> dict:
    """One CalcMaker flow in a private in-memory store; returns its CalcDoc as plain JSON data."""
    from jobflow import JobStore
    from maggma.stores import MemoryStore
    from monty.json import jsanitize
    from pymatgen.core import Structure

    maker = CalcMaker(engine=engine, kind=task.kind, target="bulk",
                      check_volume=task.check_volume)
    flow = maker.make(Structure.from_dict(task.structure), material=task.label)
    store = JobStore(MemoryStore(), additional_stores={"data": MemoryStore()})
    store.connect()
    start = time.process_time()
    run_flow(flow, store)
    doc = store.query_one({"uuid": flow.output.uuid}, load=True)
    return {**jsanitize(doc["output"], strict=False, enum_values=True), "cpu_seconds": time.process_time() - start}


def _checkpoint(path: Path) -> dict:
    """The finished calculations of the checkpoint; a line torn by a killed build is skipped (computed again)."""
    done = {}
    if path.is_file():
        for line in path.read_text().splitlines():
            try:
                row = json.loads(line) if line.strip() else None
            except json.JSONDecodeError:
                continue
            if row:
                done[(row["kind"], row["label"], row["key"])] = row["output"]
    return done


def _torn(path: Path) -> bool:
    """Whether the checkpoint ends inside a line (the build was killed while writing it)."""
    if not path.is_file() or path.stat().st_size == 0:
        return False
    with open(path, "rb") as fh:
        fh.seek(-1, 2)
        return fh.read(1) != b"\n"


def _elements(task: CalcTask) -> frozenset[str]:
    return frozenset(sp["element"] for site in task.structure["sites"] for sp in site["species"])


def _cheapest_systems_first(todo: list, systems: list[str]) -> list:
    """Tasks grouped by system, the systems with the fewest atoms to compute first and the largest cells first
    within each (balance), so that an interrupted build has finished whole systems, which ``--finished-only`` can
    ship. A task shared by several systems (Li-Si: Li-O-Si and Li-P-S-Si) goes with the cheapest of them."""
    def holders(task):
        return [s for s in systems if _elements(task) <= set(s.split("-"))] or [""]

    whole: dict = {}  # atoms of every task a system needs
    for task, _ in todo:
        for s in holders(task):
            whole[s] = whole.get(s, 0) + len(task.structure["sites"])

    def home(task):
        return min(holders(task), key=lambda s: (whole[s], s))

    return sorted(todo, key=lambda tk: (whole[home(tk[0])], home(tk[0]), -len(tk[0].structure["sites"])))


def _run_all(engine: str, tasks: list[tuple[CalcTask, str]], workers: int, checkpoint: Path,
             progress: Callable[[str, int, int], None], data_dir: str, systems: Optional[list[str]] = None) -> dict:
    """Run ``(task, key)`` pairs not in the checkpoint (cheapest systems first); returns every output by (kind,
    label, key)."""
    done = _checkpoint(checkpoint)
    todo = [(t, k) for t, k in tasks if (t.kind, t.label, k) not in done]
    todo = _cheapest_systems_first(todo, systems or [])
    n, total = len(tasks) - len(todo), len(tasks)
    progress("", n, total)
    if todo:
        with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(data_dir,),
                                 mp_context=__import__("multiprocessing").get_context("spawn")) as pool:
            futures = {pool.submit(run_calc_task, engine, t): (t, k) for t, k in todo}
            torn = _torn(checkpoint)
            with open(checkpoint, "a") as fh:
                if torn:  # a killed build's last line: start the next one on its own line
                    fh.write("\n")
                for fut in as_completed(futures):
                    task, key = futures[fut]
                    output = fut.result()
                    done[(task.kind, task.label, key)] = output
                    fh.write(json.dumps({"kind": task.kind, "label": task.label, "key": key, "output": output}) + "\n")
                    fh.flush()
                    n += 1
                    progress(f"{task.kind} {task.label}", n, total)
    return done


def build_reference_set(engine_name: str, systems: Optional[list[str]] = None, workers: int = 2,
                        out: Optional[Path] = None, n_lowest: Optional[int] = None, window: Optional[float] = None,
                        progress: Callable[[str, int, int], None] = lambda *a: None,
                        recompute: tuple[str, ...] = (),
                        on_selection: Callable[[list[dict]], None] = lambda rows: None,
                        finished_only: bool = False) -> tuple[Path, dict]:
    """Compute and write ``configs/reference/entries/<engine>.json.gz`` (or ``out``).

    ``systems`` named: they are added to the shipped file, whose other systems and items are kept; none named: the
    file is regenerated for configs/reference/systems.yaml (items of systems no longer listed are dropped).

    ``recompute``: kinds (``static``, ``relax``) computed again even where the previous file has them; the
    largest change against the previous energies is returned (eV/atom) with the counts. ``finished_only``: run no
    relaxation; write the systems whose relaxations the checkpoint already holds (an interrupted build, shipped in
    part; the checkpoint is kept, so the build continues later).
    """
    import tempfile

    from pymatgen.core import Structure

    engine = get_engine(engine_name)
    engine.check()
    named = bool(systems)  # systems named: the file's other systems and their items are kept beside them
    systems = ["-".join(elements_of(s)) for s in (systems or shipped_systems())]
    maker = PhaseSetMaker(engine=engine.name, use_shipped=False)
    if n_lowest is not None:
        maker.n_lowest = n_lowest
    if window is not None:
        maker.window = window
    refs = {p.id: p for s in systems for p in reference_phases(elements_of(s))}
    library = sorted({n for s in systems for n in library_phases(s)})
    cells = {i: maker.reference_cell(i) for i in sorted(refs)}
    lib_cells = {n: maker.library_cell(n) for n in library}
    identity = engine.identity()
    out = Path(out or shipped_path(engine.name))
    out.parent.mkdir(parents=True, exist_ok=True)
    checkpoint = out.with_name(out.name + ".partial.jsonl")
    data_dir = tempfile.mkdtemp(prefix="ssbi-reference-build-")

    previous = load_shipped(engine.name) if out == shipped_path(engine.name) else None
    previous = previous if previous is not None and previous.matches(engine) else None

    def reuse(tasks, kind):
        """Items of the previous shipped file with the same input key are kept, not recomputed."""
        known = (previous.screened if kind == "static" else previous.relaxed) if previous else {}
        if kind in recompute:
            return list(tasks), {}
        return [(t, k) for t, k in tasks if k not in known], {k: known[k] for t, k in tasks if k in known}

    def change(kind, tasks):
        """Largest |ΔE| (eV/atom) of recomputed items against the previous file."""
        known = (previous.screened if kind == "static" else previous.relaxed) if previous else {}
        diffs = [abs(done[(kind, t.label, k)]["energy_per_atom"] - known[k]["energy_per_atom"])
                 for t, k in tasks if k in known and (kind, t.label, k) in done]
        return {"n": len(diffs), "max_abs_ev_per_atom": max(diffs, default=0.0)}

    statics = [(CalcTask("static", i, "reference", c.as_dict()), input_key(c, "static", identity))
               for i, c in cells.items()]
    pending, kept_static = reuse(statics, "static")
    done = _run_all(engine.name, pending, workers, checkpoint,
                    lambda d, n, t: progress(f"single points: {d}", n, t), data_dir, systems)
    energies = {t.label: kept_static[k]["energy_per_atom"] if k in kept_static
                else done[("static", t.label, k)]["energy_per_atom"] for t, k in statics}
    selected = select_for_relaxation([(i, refs[i].formula, e) for i, e in energies.items()],
                                     n_lowest=maker.n_lowest, window=maker.window)
    relaxes = [(CalcTask("relax", i, "reference", cells[i].as_dict(), check_volume=True),
                input_key(cells[i], "relax", identity)) for i in selected]
    relaxes += [(CalcTask("relax", n, "library", c.as_dict()), input_key(c, "relax", identity))
                for n, c in lib_cells.items()]
    pending, kept_relax = reuse(relaxes, "relax")
    held = _checkpoint(checkpoint)  # read once: a long build's checkpoint is tens of MB
    on_selection(relaxation_estimate(systems, [(t, k) for t, k in pending if (t.kind, t.label, k) not in held],
                                     measured_rates(engine.name), workers))
    if finished_only:  # ``held``: the checkpoint read above
        missing = [t for t, k in pending if (t.kind, t.label, k) not in held]
        done.update({key: v for key, v in held.items() if key[0] == "relax"})

        def needs(system):
            els = set(system.split("-"))
            return any({e.symbol for e in Structure.from_dict(t.structure).composition.elements} <= els
                       for t in missing)

        dropped = [s_ for s_ in systems if needs(s_)]
        systems = [s_ for s_ in systems if s_ not in dropped]
        relaxes = [(t, k) for t, k in relaxes if k in kept_relax or (t.kind, t.label, k) in done]
    else:
        dropped = []
        done.update(_run_all(engine.name, pending, workers, checkpoint,
                             lambda d, n, t: progress(f"relaxations: {d}", n, t), data_dir, systems))

    def item(task, key, kept):
        out = kept[key] if key in kept else item_from_calc(done[(task.kind, task.label, key)], task.label,
                                                           task.origin, key)
        if task.kind == "relax" and task.check_volume:  # the verdict follows today's rules, not the run's
            out = {**out, "volume_check": volume_verdict(cells[task.label],
                                                         Structure.from_dict(out["structure"])).as_dict()}
        return out

    screened_items = [item(t, k, kept_static) for t, k in statics]
    relaxed_items = [item(t, k, kept_relax) for t, k in relaxes]
    command = f"ssbi reference build --engine {engine.name}"
    if named and previous is not None:  # add to the file, never drop what it had
        screened_items += _others(previous.screened, screened_items)
        relaxed_items += _others(previous.relaxed, relaxed_items)
        command += "".join(f" --system {s_}" for s_ in systems) + " (added to the previous file)"
        systems = previous.systems + [s_ for s_ in systems if s_ not in previous.systems]
    path = write_shipped(out, engine, systems, {"n_lowest": maker.n_lowest, "window_ev_per_atom": maker.window,
                                                     "at_most": DEFAULT_AT_MOST},
                         command, screened_items, relaxed_items)
    report = {"static": change("static", statics), "relax": change("relax", relaxes),
              "computed": len(done), "kept": len(kept_static) + len(kept_relax), "unfinished_systems": dropped}
    if not finished_only:
        checkpoint.unlink(missing_ok=True)
    return path, report


def _others(previous: dict[str, dict], items: list[dict]) -> list[dict]:
    """Items of the previous file whose input keys this build did not write."""
    written = {i["key"] for i in items}
    return [i for k, i in previous.items() if k not in written]


def relaxation_estimate(systems: list[str], pending: list, rates: dict, workers: int) -> list[dict]:
    """The relaxations still to run per system (each counted in the smallest system that holds it), with their atoms
    and estimated wall time: the exact count, known once the single points chose them."""
    order = sorted(systems, key=lambda s: (len(s.split("-")), s))
    from pymatgen.core import Structure

    rows = {s: {"system": s, "relaxations": 0, "atoms_to_relax": 0} for s in order}
    for task, _ in pending:
        els = {el.symbol for el in Structure.from_dict(task.structure).composition.elements}
        system = next((s for s in order if els <= set(s.split("-"))), order[-1])
        rows[system]["relaxations"] += 1
        rows[system]["atoms_to_relax"] += len(task.structure["sites"])
    for r in rows.values():
        r["wall_h"] = round(r["atoms_to_relax"] * rates["relax"] / max(workers, 1) / 3600, 2)
    return [r for r in rows.values() if r["relaxations"]]


# rates when the engine's shipped file records none (CHGNet 0.3.0, one thread, these machines: 2026-12-06)
DEFAULT_RATES = {"static": 0.0094, "relax": 0.3}  # CPU-s per atom
HOURS_WARNING = 1.0  # a system whose estimate is longer says so before the build starts


def measured_rates(engine_name: str) -> dict[str, float]:
    """CPU-s per atom of single points and relaxations, from the cpu_seconds the shipped file records."""
    shipped = load_shipped(engine_name)
    rates = dict(DEFAULT_RATES)
    if shipped is None:
        return rates
    for kind, items in (("static", shipped.screened.values()), ("relax", shipped.relaxed.values())):
        rows = [(i["cpu_seconds"], i["n_atoms"]) for i in items if i.get("cpu_seconds") and i.get("n_atoms")]
        if len(rows) >= 20:
            rates[kind] = sum(c for c, _ in rows) / sum(n for _, n in rows)
    return rates


def estimate_build(engine_name: str, systems: Optional[list[str]] = None, workers: int = 2,
                   n_lowest: Optional[int] = None) -> list[dict]:
    """Per system (smallest first; a structure is counted in the first system that holds it): the reference
    structures still to screen and their atoms, the relaxations expected (the ``n_lowest`` smallest polymorphs of
    each composition not yet relaxed: the selection itself needs the single points, so polymorphs within the
    energy window come on top), and the estimated wall time on ``workers`` processes from the measured rates."""
    from collections import defaultdict

    from pymatgen.core import Composition

    engine = get_engine(engine_name)
    systems = sorted(("-".join(elements_of(s)) for s in (systems or shipped_systems())),
                     key=lambda s: (len(s.split("-")), s))
    previous = load_shipped(engine.name)
    previous = previous if previous is not None and previous.matches(engine) else None
    screened = {i["label"] for i in previous.screened.values()} if previous else set()
    relaxed = {i["label"] for i in previous.relaxed.values()} if previous else set()
    rates = measured_rates(engine.name)
    n_lowest = n_lowest or PhaseSetMaker(engine=engine.name, use_shipped=False).n_lowest
    seen, rows = set(), []
    for system in systems:
        phases = [p for p in reference_phases(elements_of(system)) if p.id not in seen]
        seen |= {p.id for p in phases}
        todo = [p for p in phases if p.id not in screened]
        groups = defaultdict(list)
        for p in phases:
            groups[Composition(p.formula).reduced_composition].append(p)
        relax = []
        for members in groups.values():
            if not any(p.id in relaxed for p in members):
                relax += sorted(members, key=lambda p: p.nsites)[:n_lowest]
        atoms_s, atoms_r = sum(p.nsites for p in todo), sum(p.nsites for p in relax)
        cpu = atoms_s * rates["static"] + atoms_r * rates["relax"]
        rows.append({"system": system, "structures": len(phases), "to_screen": len(todo), "atoms_to_screen": atoms_s,
                     "relaxations": len(relax), "atoms_to_relax": atoms_r, "cpu_s": round(cpu, 1),
                     "wall_h": round(cpu / max(workers, 1) / 3600, 2), "elements": len(system.split("-"))})
    return rows
