"""Worker jobs sharing the embedded LaunchPad under Slurm (issue 33): 40 small Fireworks (20 CHGNet single points of
library materials, each with its summary) run by 1, 2 and 4 `ssbi queue` jobs of one CPU each on this machine.

Per case: a fresh data folder, the 20 calculations submitted, the jobs queued, the wall time from the first job's
submission to the last job's end; then checks that every Firework is COMPLETED, none was launched twice (40
launches), and the store holds 20 results. Needs a Slurm that answers (``shared/hpc/slurm-single-node.sh start``).

    .venv/bin/python benchmarks/bench_workers.py [--jobs 1 2 4]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MATERIALS = ["Li", "Li2S", "LiCl", "LiBr", "LiI", "LiF", "Li2O", "Li2O2", "Li3N", "Li3P", "Li3PS4", "beta-Li3PS4",
             "Li4P2S6", "Li7P3S11", "Li6PS5Cl", "Li4GeS4", "GeS", "P", "S8", "Zr"]
CONF = Path(os.environ.get("SLURM_STATE_DIR", "/tmp/slurm-single-node")) / "etc" / "slurm.conf"


def ssbi(*args, env) -> str:
    script = Path(sys.executable).with_name("ssbi")
    return subprocess.run([str(script), *args], env=env, check=True, capture_output=True, text=True).stdout


def one_case(njobs: int, root: Path) -> dict:
    data = root / f"workers-{njobs}"
    env = {**os.environ, "SSBI_DATA_DIR": str(data), "SLURM_CONF": str(CONF), "COLUMNS": "200"}
    for name in MATERIALS:
        ssbi("submit", "static", name, env=env)
    start = time.monotonic()
    out = ssbi("queue", "--template", "slurm", "--njobs", str(njobs), env=env)
    jobs = re.findall(r"queue: job (\d+) submitted", out)
    while subprocess.run(["squeue", "-h", "-o", "%i", "-j", ",".join(jobs)], capture_output=True, text=True,
                         env=env).stdout.split():
        time.sleep(0.5)
    wall = time.monotonic() - start
    from ssbi.workflows.run.fireworks import local_collections

    db = local_collections(data / "fireworks" / "launchpad.json")
    states = {f["state"] for f in db["fireworks"]}
    launched = [la["fw_id"] for la in db["launches"]]
    results = json.loads(ssbi("query", "tasks", "--format", "json", env=env))
    per_job = [int(m.group(1)) for p in (data / "fireworks" / "queue" / "logs").glob("*.out")
               if (m := re.search(r"worker: (\d+) firework", p.read_text()))]
    return {"jobs": len(jobs), "wall_s": wall, "fireworks": len(db["fireworks"]), "all_completed": states ==
            {"COMPLETED"}, "launches": len(launched), "twice": len(launched) - len(set(launched)),
            "results": len(results), "per_job": sorted(per_job, reverse=True)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    if subprocess.run(["scontrol", "ping"], env={**os.environ, "SLURM_CONF": str(CONF)},
                      capture_output=True).returncode != 0:
        sys.exit("no Slurm answers: run shared/hpc/slurm-single-node.sh start (as root)")
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        os.chmod(tmp, 0o755)
        print(f"{'jobs':>4} {'wall (s)':>9} {'fireworks':>9} {'completed':>9} {'launches':>8} {'twice':>5} "
              f"{'results':>7}  fireworks per job")
        for n in args.jobs:
            row = one_case(n, Path(tmp))
            print(f"{row['jobs']:>4} {row['wall_s']:>9.1f} {row['fireworks']:>9} {str(row['all_completed']):>9} "
                  f"{row['launches']:>8} {row['twice']:>5} {row['results']:>7}  {row['per_job']}", flush=True)


if __name__ == "__main__":
    main()
