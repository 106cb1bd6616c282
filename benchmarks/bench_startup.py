"""Start-up time and memory of the command line (issue 32: ``ssbi --help``, ``ssbi query ...`` and ``ssbi status``
in at most 0.5 s, median of 5 on 2 cores).

Each command runs as a user runs it (the installed ``ssbi`` script, a fresh process) against a data folder whose
store holds a few results and whose local LaunchPad exists; the first run of each is discarded (disk cache, and the
bytecode it writes: ``PYTHONDONTWRITEBYTECODE`` is unset for these runs, as pip's install compiles a wheel's
modules; with it set, as on this machine by default, an editable install recompiles ssbi's modules at every start).
Prints the median and the spread of the wall times and the largest resident memory.

    .venv/bin/python benchmarks/bench_startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = [["--help"], ["query", "tasks"], ["query", "windows"], ["query", "mechanics"], ["query", "adhesion"],
            ["query", "tasks", "--material", "Li2S"], ["status"], ["materials", "list"], ["engines"]]
TARGETS = ("--help", "query", "status")  # the commands the limit is for
LIMIT_S = 0.5


def ssbi_script() -> str:
    found = Path(sys.executable).with_name("ssbi")
    return str(found) if found.is_file() else shutil.which("ssbi")


def prepare(data: Path, env: dict) -> None:
    """A store with a few results (a relaxation and the default study's windows are not needed: a stored
    relaxation and a LaunchPad that exists are what the commands read)."""
    script = ssbi_script()
    subprocess.run([script, "run", "relax", "Li2S"], env=env, check=True, capture_output=True)
    subprocess.run([script, "status"], env=env, check=True, capture_output=True)  # creates the local LaunchPad


def timed(args: list[str], env: dict) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one run (this child's own rusage)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen([ssbi_script(), *args], env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"ssbi {' '.join(args)} failed: {err.read().decode()[-300:]}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(SSBI_DATA_DIR=tmp, COLUMNS="120")
        prepare(Path(tmp), env)
        print(f"{'command':40s} {'median s':>9s} {'min':>6s} {'max':>6s} {'peak MB':>8s}  (limit {LIMIT_S} s, "
              f"{runs} runs, {os.cpu_count()} cores)")
        worst = 0.0
        for args in COMMANDS:
            timed(args, env)
            walls, peak = [], 0.0
            for _ in range(runs):
                wall, mb = timed(args, env)
                walls.append(wall)
                peak = max(peak, mb)
            median = statistics.median(walls)
            if args[0] in TARGETS:
                worst = max(worst, median)
            flag = "" if median <= LIMIT_S or args[0] not in TARGETS else "  over the limit"
            print(f"{'ssbi ' + ' '.join(args):40s} {median:9.3f} {min(walls):6.3f} {max(walls):6.3f} {peak:8.0f}{flag}")
        print(f"slowest median of --help, query and status: {worst:.3f} s")


if __name__ == "__main__":
    main()
