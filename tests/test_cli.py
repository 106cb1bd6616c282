"""The ssbi command line, run as a user runs it."""

import json
import subprocess
import sys

import pytest

SSBI = [sys.executable, "-m", "ssbi.workflows.cli"]


def ssbi(*args, cwd=None):
    return subprocess.run([*SSBI, *args], capture_output=True, text=True, cwd=cwd, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", **_pyenv()})


def _pyenv():
    import os

    keep = {k: v for k, v in os.environ.items() if k in ("HOME", "PYTHONPATH", "VIRTUAL_ENV", "TMPDIR")}
    return keep


def test_materials_list_and_show():
    out = ssbi("materials", "list")
    assert out.returncode == 0, out.stderr
    for name in ("Li6PS5Cl", "Li10GeP2S12", "Li3PS4", "S8", "Li2S"):
        assert name in out.stdout
    assert "F-43m" in out.stdout and "mp-135" in out.stdout
    show = ssbi("materials", "show", "LGPS")
    assert show.returncode == 0, show.stderr
    assert "Li10GeP2S12" in show.stdout and "P4_2/nmc" in show.stdout and "Ewald" in show.stdout


def test_build_writes_candidates(tmp_path):
    out = ssbi("build", "Li", "Li2S", "--film-miller", "1", "0", "0", "--substrate-miller", "1", "1", "1",
               "--max-candidates", "2", "-o", str(tmp_path / "out"))
    assert out.returncode == 0, out.stderr
    doc = json.loads((tmp_path / "out" / "candidates.json").read_text())
    assert doc["n_candidates"] == 2
    for rec in doc["candidates"]:
        folder = tmp_path / "out" / rec["folder"]
        for f in ("interface.cif", "interface.extxyz", "film_slab.cif", "substrate_slab.cif", "POSCAR"):
            assert (folder / f).is_file()
    assert "Li(1, 0, 0) | Li2S(1, 1, 1)" in out.stdout


@pytest.mark.parametrize(
    "args, expect",
    [
        (["build", "Li", "Li6PS5", "--film-miller", "1", "0", "0", "--substrate-miller", "1", "0", "0"], "Li6PS5Cl"),
        (["build", "Li", "Li2S", "--film-miller", "0", "0", "0", "--substrate-miller", "1", "1", "1"], "does not define a plane"),
        (["build", "Li", "Li2S", "--film-miller", "1", "x", "0", "--substrate-miller", "1", "1", "1"], "three integers"),
        (["build", "Li", "Li2S", "--film-miller", "1", "0", "0", "--substrate-miller", "1", "1", "1", "--film-thickness", "-3"], "--film-thickness -3.0: input should be greater than 0"),
        (["build", "Li", "Li2S", "--film-miller", "1", "0", "0", "--substrate-miller", "1", "1", "1", "--max-strain", "0.001"], "--max-strain"),
        (["build", "nofile.cif", "Li2S", "--film-miller", "1", "0", "0", "--substrate-miller", "1", "1", "1"], "not found"),
        (["materials", "show", "Unobtainium"], "Unknown material"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, monkeypatch, args, expect):
    """In-process through typer's CliRunner: the app's one error handler turns each error into one line."""
    from typer.testing import CliRunner

    import ssbi.workflows.cli.app as app

    monkeypatch.chdir(tmp_path)
    out_dir = tmp_path / "out"
    res = CliRunner().invoke(app, [*args, "-o", str(out_dir)] if args[0] == "build" else args)
    assert res.exit_code == 2, (res.output, res.exception)
    lines = [l for l in res.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, res.stderr
    assert expect in lines[0]
    assert "Traceback" not in res.stderr and isinstance(res.exception, SystemExit)  # an exit, not a crash
    assert not out_dir.exists()
    assert list(tmp_path.iterdir()) == []


def test_unreadable_file_is_reported(tmp_path):
    bad = tmp_path / "bad.cif"
    bad.write_text("this is not a cif\n")
    res = ssbi("build", str(bad), "Li2S", "--film-miller", "1", "0", "0", "--substrate-miller", "1", "1", "1", "-o", str(tmp_path / "o"))
    assert res.returncode != 0
    assert "bad.cif" in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()
