"""Checkpointed molecular dynamics with an ASE calculator (MLIP engines).

The trajectory is written in chunks (``chunk_NNNNN.npz``, each written to a
temporary name and renamed, so a killed process leaves only whole chunks). Run
again with the same folder, it continues from the last chunk's positions,
velocities and random-number state: the joined trajectory has every saved step
exactly once. Positions are unwrapped (ASE's integrators do not wrap).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable, Optional

import numpy as np

THERMOSTATS = ("langevin", "nose-hoover")
LANGEVIN_FRICTION = 0.01  # 1/fs, for our ASE MD and the CP2K/VASP MD inputs alike


def _chunks(folder: Path) -> list[Path]:
    return sorted(folder.glob("chunk_*.npz"))


def _integrator(atoms, thermostat: str, temperature: float, timestep_fs: float, friction: float, rng):
    from ase import units

    if thermostat == "langevin":
        from ase.md.langevin import Langevin

        return Langevin(atoms, timestep_fs * units.fs, temperature_K=temperature, friction=friction / units.fs,
                        rng=rng, fixcm=True)
    if thermostat == "nose-hoover":
        from ase.md.nose_hoover_chain import NoseHooverChainNVT

        return NoseHooverChainNVT(atoms, timestep_fs * units.fs, temperature_K=temperature,
                                  tdamp=100 * timestep_fs * units.fs)
    raise ValueError(f"unknown thermostat {thermostat!r}; choose one of {', '.join(THERMOSTATS)}")


def run_md(atoms, calculator, folder, temperature: float, n_steps: int, timestep_fs: float = 2.0,
           save_every: int = 10, chunk_steps: int = 100, thermostat: str = "langevin",
           friction: float = LANGEVIN_FRICTION,
           seed: int = 42, progress: Optional[Callable[[int, int], None]] = None) -> dict:
    """Run (or continue) NVT MD to ``n_steps``; returns the joined trajectory.

    ``friction`` in 1/fs (Langevin). ``chunk_steps`` must be a multiple of
    ``save_every``. Constraints on ``atoms`` (FixAtoms) are honoured.
    """
    from ase.md.velocitydistribution import MaxwellBoltzmannDistribution, Stationary

    if chunk_steps % save_every:
        raise ValueError("chunk_steps must be a multiple of save_every")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    settings = {"temperature": temperature, "timestep_fs": timestep_fs, "save_every": save_every,
                "chunk_steps": chunk_steps, "thermostat": thermostat, "friction": friction, "seed": seed,
                "n_atoms": len(atoms), "symbols": atoms.get_chemical_symbols()}
    meta_path = folder / "settings.json"
    if meta_path.exists():
        old = json.loads(meta_path.read_text())
        if {k: old.get(k) for k in settings} != settings:
            raise ValueError(f"checkpoints in {folder} were made with other settings; remove the folder to restart")
    else:
        meta_path.write_text(json.dumps(settings))
    atoms = atoms.copy()
    atoms.calc = calculator
    rng = np.random.default_rng(seed)
    done = _chunks(folder)
    if done:
        last = np.load(done[-1], allow_pickle=False)
        atoms.set_positions(last["positions"][-1])
        atoms.set_velocities(last["velocities"])
        rng.bit_generator.state = json.loads(str(last["rng_state"]))
        step = int(last["steps"][-1])
    else:
        MaxwellBoltzmannDistribution(atoms, temperature_K=temperature, rng=rng)
        Stationary(atoms)
        step = 0
    dyn = _integrator(atoms, thermostat, temperature, timestep_fs, friction, rng)
    while step < n_steps:
        frames, steps, energies = [], [], []
        if step == 0:
            frames.append(atoms.get_positions().copy())
            steps.append(0)
            energies.append(float(atoms.get_potential_energy()))
        todo = min(chunk_steps, n_steps - step)
        for _ in range(todo // save_every):
            dyn.run(save_every)
            step += save_every
            frames.append(atoms.get_positions().copy())
            steps.append(step)
            energies.append(float(atoms.get_potential_energy()))
        index = len(_chunks(folder))
        tmp = folder / f".chunk_{index:05d}.tmp.npz"
        np.savez(tmp, positions=np.array(frames), steps=np.array(steps), energies=np.array(energies),
                 velocities=atoms.get_velocities(), rng_state=json.dumps(rng.bit_generator.state))
        os.replace(tmp, folder / f"chunk_{index:05d}.npz")
        if progress:
            progress(step, n_steps)
    return join_chunks(folder, atoms)


def join_chunks(folder, atoms) -> dict:
    """The whole trajectory from the chunks in ``folder`` (checked: every saved step once, in order)."""
    parts = [np.load(p, allow_pickle=False) for p in _chunks(Path(folder))]
    steps = np.concatenate([p["steps"] for p in parts])
    if len(set(steps.tolist())) != len(steps) or np.any(np.diff(steps) <= 0):
        raise ValueError(f"checkpoints in {folder} overlap or are out of order")
    return {"positions": np.concatenate([p["positions"] for p in parts]), "steps": steps,
            "energies": np.concatenate([p["energies"] for p in parts]),
            "species": atoms.get_chemical_symbols(), "lattice": np.array(atoms.cell[:])}
