"""Bad input anywhere in the CLI ends as one line on stderr, a non-zero exit and nothing written; a property-based
sweep (hypothesis) over options and malformed CIF/POSCAR/YAML files; structures with float noise match as clean
ones."""

import os
import string

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import ssbi

SWEEP = {"cases": 0}


def one_line_error(proc):
    lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
    return proc.returncode != 0 and len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in proc.stderr


BAD_CIF = """data_x
_cell_length_a 4
_cell_length_b 4
_cell_length_c 4
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 90
_symmetry_space_group_name_H-M "P 1"
loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
Xx1 Xx 0 0 0
Li1 Li 0.5 0.5 0.5
"""

MILLER = ["--film-miller", "1", "0", "0", "--substrate-miller", "1", "0", "0"]
STUDY_HEAD = "name: bad\nanodes: [Li]\n"


def second_sweep_files(folder) -> dict:
    """Structure and study files that are not what they claim (issue 34)."""
    disordered = folder / "disordered.cif"
    disordered.write_text(BAD_CIF.replace("Xx1 Xx 0 0 0", "Li2 Li 0 0 0 0.5").replace(
        "_atom_site_fract_z\n", "_atom_site_fract_z\n_atom_site_occupancy\n").replace("0.5 0.5 0.5", "0.5 0.5 0.5 1"))
    molecule = folder / "water.xyz"
    molecule.write_text("3\nwater\nO 0 0 0\nH 0.76 0.59 0\nH -0.76 0.59 0\n")
    binary = folder / "data.cif"
    binary.write_bytes(bytes(range(256)) * 8)
    studies = {
        "study_dup": "name: dup\nanodes: [Li]\nelectrolytes: [Li3PS4]\nengine: chgnet\nengine: sevennet\n"
                     "analyses: {window: {}}\n",
        "study_twice": STUDY_HEAD + "electrolytes: [Li3PS4, gamma-Li3PS4]\nanalyses: {window: {}}\n",
        "study_metal": STUDY_HEAD + "electrolytes: [Li3PS4, LiIn]\nanalyses: {window: {}}\n",
        "study_element": STUDY_HEAD + "electrolytes: [S8]\nanalyses: {window: {}}\n",
    }
    out = {"disordered": disordered, "molecule": molecule, "binary": binary}
    for name, text in studies.items():
        out[name] = folder / f"{name}.yaml"
        out[name].write_text(text)
    return out


@pytest.mark.parametrize("args, says", [
    (("build", "{cif}", "Li", *MILLER), "unknown element 'Xx'"),
    (("materials", "add", "{cif}", "--name", "Xx", "--reference", "mp-1"), "unknown element 'Xx'"),
    (("run", "relax", "{cif}"), "unknown element 'Xx'"),
    (("build", "Li", "Li2S", *MILLER, "--variant", "relaxed"), "unknown variant 'relaxed'"),
    (("build", "Li", "Li2S", *MILLER, "-o", "{file}"), "is a file: give a folder"),
    (("build", "Li", "Li2S", *MILLER, "--max-candidates", "0"), "--max-candidates 0"),
    (("build", "Li", "Li2S", *MILLER, "--fix-depth", "1000"), "fixes all"),
    (("build", "Li", "Li2S", "--film-miller", "1", "0", "--substrate-miller", "1", "0", "0"),
     "--film-miller takes three integers h k l, got '1 0'"),
    (("react", "Li", "Li3PSS4"), "'Li3PSS4' is not a library material nor a phase"),
    (("query", "tasks", "--store", "mongodb://user:se@cret@host/db"), "invalid MongoDB URI mongodb://***@host/db"),
    (("query", "tasks", "--bogus"), "No such option: --bogus"),
    # second sweep (issue 34), one or more members of each class
    (("build", "Li", "Li2S", "--film-miller", "1", "1", "1", "--substrate-miller", "1", "1", "1", "--max-area",
      "1000000", "--max-atoms", "100000000"), "--max-area 1000000.0: input should be less than or equal to 2000"),
    (("adhesion", "Li", "Li2S", *MILLER, "--film-thickness", "500"), "a hard cap"),
    (("react", "S", "S8"), "S and S8 are the same phase (S)"),
    (("react", "Li", "Li2S", "-o", "{file}"), "-o/--out {file}: {file} is a file: give a folder"),
    (("window", "Li2S", "-o", "{file}/plots"), "is a file, so"),
    (("run", "relax", "{disordered}"), "partial occupancies"),
    (("run", "relax", "{molecule}"), "a molecule or cluster (3 atoms, no 3D unit cell)"),
    (("run", "relax", "{binary}"), "not a text file (binary data)"),
    (("build", "{disordered}", "Li", *MILLER), "partial occupancies"),
    (("run", "{study_dup}"), "duplicate key 'engine' (lines 4 and 5)"),
    (("run", "{study_twice}"), "Li3PS4 listed twice in electrolytes"),
    (("run", "{study_metal}"), "LiIn conducts electrons (a metal or an anode): an electrolyte must not"),
    (("run", "{study_element}"), "S8 is an element, not an electrolyte"),
])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, args, says):
    cif = tmp_path / "x.cif"
    cif.write_text(BAD_CIF)
    existing = tmp_path / "existing"
    existing.write_text("keep me")
    files = {"cif": cif, "file": existing, **second_sweep_files(tmp_path)}
    data = tmp_path / "data"
    proc = ssbi(*[a.format(**files) for a in args], data_dir=data, timeout=600)
    assert one_line_error(proc), (proc.returncode, proc.stdout[-500:], proc.stderr[-1500:])
    assert says.format(**files) in proc.stderr
    assert "cret" not in proc.stderr
    assert not data.exists() or not any(data.rglob("*")), sorted(map(str, data.rglob("*")))
    assert existing.read_text() == "keep me"


def test_arbitrary_composition_is_shown_not_stored(tmp_path):
    proc = ssbi("react", "Li", "Li3PS5", "--formula", "-o", str(tmp_path / "plots"), data_dir=tmp_path / "d")
    assert proc.returncode == 0, proc.stderr
    assert "Li3PS5" in proc.stdout
    from ssbi.workflows.store.derived import analysis_store
    from ssbi.workflows.store.jobstore import open_store

    os.environ["SSBI_DATA_DIR"] = str(tmp_path / "d")
    store = open_store("embedded")
    assert analysis_store(store).count({"b": "Li3PS5"}) == 0


def test_analyze_with_a_failed_item_exits_non_zero(tmp_path):
    """A stored window document that names no phase (edited, damaged): one failed item, exit 2, not a traceback."""
    from ssbi.workflows.schemas import WindowDoc
    from ssbi.workflows.store.derived import analysis_store
    from ssbi.workflows.store.jobstore import open_store

    os.environ["SSBI_DATA_DIR"] = str(tmp_path)
    store = open_store("embedded")
    doc = WindowDoc(key="window|Nonsense|store|chgnet|mp2020", chemsys="Li-P-S", source="store", engine="chgnet",
                    energy_scale="mp2020", entries=[], entries_hash="stale", formula="Li3PS4", reduction_limit=0.0,
                    oxidation_limit=2.0, reduction_products=["Li2S"], oxidation_products=["S"], e_above_hull=0.0,
                    plateaus=[], decomposition_energy={"0": -1.0}, decomposition_products={"0": []},
                    interphase_vs_li={"type": "passivating"}, interphase_oxidation={"type": "passivating"},
                    material="Nonsense")
    analysis_store(store).update(doc.model_dump(mode="json"), key="key")
    store.close()
    proc = ssbi("analyze", data_dir=tmp_path)
    assert one_line_error(proc) and "1 window/reaction document(s) could not be computed" in proc.stderr
    assert "1 failed" in proc.stdout and "Nonsense" in proc.stdout


def test_study_nested_options_are_validated_on_load(tmp_path):
    from ssbi.interfaces.errors import InputError
    from ssbi.workflows.study.spec import STUDY_DIR, load_study

    text = (STUDY_DIR / "default.yaml").read_text()
    for build, says in (("{max_atomz: 60}", "unknown build option(s) max_atomz"),
                        ('{max_atoms: "lots"}', "analyses.adhesion.build.max_atoms: 'lots': input should be a valid "
                                                "integer"),
                        ("{max_strain: 2}", "max_strain: 2: input should be less than 1")):
        path = tmp_path / "s.yaml"
        path.write_text("\n".join(f"    build: {build}" if ln.startswith("    build:") else ln
                                  for ln in text.splitlines()))
        with pytest.raises(InputError) as err:
            load_study(path)
        assert says in str(err.value) and "\n" not in str(err.value) and "pydantic" not in str(err.value)


def test_matching_ignores_float_noise():
    """The stored CHGNet Li2S differed from the library cell by 1e-16 and matched nothing; build and adhesion
    now clean both structures the same way."""
    from pymatgen.core import Structure

    from ssbi.interfaces.builder import build_interfaces
    from ssbi.interfaces.materials import load

    li, li2s = load("Li"), load("Li2S")
    noisy = Structure(li2s.lattice, li2s.species,
                      li2s.frac_coords + np.where(li2s.frac_coords < 0.3, -1e-16, 1e-16))
    kw = dict(max_atoms=60, film_thickness=5, substrate_thickness=6)
    clean = build_interfaces(li, li2s, (1, 0, 0), (1, 1, 1), **kw)
    found = build_interfaces(li, noisy, (1, 0, 0), (1, 1, 1), **kw)
    assert len(found) == len(clean) > 0
    assert [c.metadata.n_atoms for c in found] == [c.metadata.n_atoms for c in clean]


# --- the property-based sweep ------------------------------------------------------------------------------------
def _invoke(args, data_dir):
    from typer.testing import CliRunner

    import ssbi.workflows.cli.app as app

    os.environ["SSBI_DATA_DIR"] = str(data_dir)
    result = CliRunner().invoke(app, args, catch_exceptions=True)
    SWEEP["cases"] += 1
    return result


def _assert_clean(result, data_dir):
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    assert not crashed, f"{type(result.exception).__name__}: {result.exception}\n{result.output[-800:]}"
    if result.exit_code != 0:
        errors = [ln for ln in result.output.splitlines() if ln.startswith("error:")]
        assert len(errors) == 1 and "Traceback" not in result.output, result.output[-800:]
        assert not data_dir.exists() or not any(data_dir.rglob("*.sqlite3"))


number = st.one_of(st.integers(-5, 400).map(str), st.floats(-10, 1e4).map(str), st.just("nan"),
                   st.text(string.ascii_letters + string.digits + "-.", min_size=0, max_size=5))
OPTIONS = ["--max-atoms", "--max-candidates", "--fix-depth", "--max-strain", "--film-thickness",
           "--substrate-thickness", "--gap", "--vacuum", "--max-area", "--min-contact", "--strained", "--variant"]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(st.sampled_from(OPTIONS), number), max_size=3),
       st.lists(st.sampled_from(["0", "1", "-1", "2", "x", "1.5"]), min_size=6, max_size=6))
def test_sweep_build_options(tmp_path_factory, options, miller):
    data = tmp_path_factory.mktemp("sweep")
    args = ["build", "Li", "Li2S", "--film-miller", *miller[:3], "--substrate-miller", *miller[3:],
            "--max-atoms", "60", "-o", str(data / "out")]
    for flag, value in options:
        args += [flag, value]
    _assert_clean(_invoke(args, data), data)


cif_lines = BAD_CIF.replace("Xx1 Xx", "S1 S").splitlines()


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(["cif", "poscar", "yaml"]), st.integers(0, 400), st.binary(max_size=12),
       st.booleans())
def test_sweep_malformed_files(tmp_path_factory, kind, cut, noise, truncate):
    data = tmp_path_factory.mktemp("files")
    if kind == "yaml":
        from ssbi.interfaces.errors import InputError
        from ssbi.workflows.study.spec import STUDY_DIR, load_study

        text = (STUDY_DIR / "default.yaml").read_bytes()
        at = cut % max(1, len(text))
        bad = text[:at] + (b"" if truncate else noise + text[at:])
        path = data / "study.yaml"
        path.write_bytes(bad)
        SWEEP["cases"] += 1
        try:
            load_study(path)
        except InputError as exc:
            assert "\n" not in str(exc)
        return
    if kind == "cif":
        text = "\n".join(cif_lines).encode()
        path = data / "s.cif"
    else:
        text = b"Li2S\n1.0\n5.7 0 0\n0 5.7 0\n0 0 5.7\nLi S\n8 4\nDirect\n" + b"\n".join(
            f"{0.25 + 0.5 * (i % 2)} {0.25 + 0.5 * (i // 2 % 2)} {0.25 + 0.5 * (i // 4)}".encode() for i in range(8)) \
            + b"\n0 0 0\n0 0.5 0.5\n0.5 0 0.5\n0.5 0.5 0\n"
        path = data / "POSCAR"
    at = cut % max(1, len(text))
    path.write_bytes(text[:at] + (b"" if truncate else noise + text[at:]))
    _assert_clean(_invoke(["build", str(path), "Li", *MILLER, "--max-atoms", "60", "-o", str(data / "out")],
                          data / "d"), data / "d")


ROLE_POOL = ["Li", "LiIn", "Li3PS4", "gamma-Li3PS4", "beta-Li3PS4", "Li6PS5Cl", "S8", "Li2S", "P", "GeS", "LiCl",
             "Li7La3Zr2O12", "In", "Ge"]


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(ROLE_POOL), min_size=1, max_size=4),
       st.lists(st.sampled_from(ROLE_POOL), min_size=1, max_size=4),
       st.sampled_from(["", "engine: chgnet\n", "name: again\n", "anodes: [Li]\n"]))
def test_sweep_study_roles_and_keys(tmp_path_factory, anodes, electrolytes, extra):
    """Study files with random anodes and electrolytes (repeats, aliases, elements, metals, Li-free phases) and a
    key that may be given twice: each loads, or is refused in one line saying why; a loaded one has each material
    once per role, no element, metal or Li-free electrolyte and only metal anodes."""
    from pymatgen.core import Composition

    from ssbi.interfaces.errors import InputError
    from ssbi.interfaces.materials import get_material
    from ssbi.workflows.study.spec import _conductor, load_study

    path = tmp_path_factory.mktemp("roles") / "study.yaml"
    path.write_text(f"name: roles\nengine: chgnet\nanodes: {anodes}\nelectrolytes: {electrolytes}\n"
                    f"analyses: {{window: {{}}}}\n{extra}".replace("'", ""))
    SWEEP["cases"] += 1
    try:
        spec = load_study(path)
    except InputError as exc:
        message = str(exc)
        assert "\n" not in message and message.startswith(("study.yaml", str(path)))
        assert any(why in message for why in ("duplicate key", "listed twice", "is an element", "has no Li",
                                              "conducts electrons", "is not a metal")), message
        return
    assert extra in ("",) and len(set(spec.electrolytes)) == len(spec.electrolytes)
    assert len(set(spec.anodes)) == len(spec.anodes) and all(_conductor(a) for a in spec.anodes)
    for name in spec.electrolytes:
        comp = Composition(get_material(name).formula)
        assert len(comp.elements) > 1 and "Li" in {e.symbol for e in comp.elements} and not _conductor(name)


def test_zz_sweep_case_count():
    """Prints how many cases the sweep ran (reported in the closing note)."""
    print(f"hypothesis sweep: {SWEEP['cases']} cases")
    assert SWEEP["cases"] >= 120 or os.environ.get("PYTEST_XDIST_WORKER")


def test_build_and_adhesion_agree_on_the_same_inputs(tmp_path):
    """Adhesion starts from the engine's relaxed bulks (float noise on the library cells); build from the library
    cells. Both find the same 54-atom Li(100) | Li2S(111) cell (adhesion said "no lattice match" before)."""
    import json

    opts = ["--film-miller", "1", "0", "0", "--substrate-miller", "1", "1", "1", "--max-atoms", "60",
            "--film-thickness", "5", "--substrate-thickness", "6"]
    built = ssbi("build", "Li", "Li2S", *opts, "-o", str(tmp_path / "built"), data_dir=tmp_path / "d", check=True)
    first = json.loads((tmp_path / "built" / "candidates.json").read_text())["candidates"][0]
    adhesion = ssbi("adhesion", "Li", "Li2S", *opts, "--no-relax", "-o", str(tmp_path / "ad"),
                    data_dir=tmp_path / "d", check=True)
    assert f"{first['n_atoms']} atoms" in adhesion.stdout, (built.stdout[-500:], adhesion.stdout[-800:])
    assert first["n_atoms"] == 54


def test_bad_study_input_is_one_line_and_writes_nothing(tmp_path):
    """An unknown adhesion pair kind, and a study whose engine runs only on HPC (VASP MD) run here: one line each,
    before any task, and no store in the data folder."""
    data = tmp_path / "data"
    cases = {"pairs.yaml": ('analyses:\n  adhesion: {pairs: "anode|cathode"}\n',
                            "analyses.adhesion.pairs: Input should be 'anode|electrolyte', 'cathode|electrolyte' or "
                            "'all'"),
             "vasp-md.yaml": ("engine: vasp\nanalyses:\n  md: {temperatures: [700]}\n",
                              "engine vasp runs only on HPC: submit the study")}
    for name, (body, says) in cases.items():
        path = tmp_path / name
        path.write_text("name: bad\nanodes: [Li]\nelectrolytes: [Li3PS4]\n" + body)
        proc = ssbi("run", str(path), data_dir=data)
        assert one_line_error(proc) and says in proc.stderr, proc.stdout + proc.stderr
    assert not (data / "store").exists() or not any((data / "store").iterdir())


def test_a_data_folder_that_cannot_be_used_is_one_line_naming_it(tmp_path):
    """SSBI_DATA_DIR that is a file, under a file, or on a read-only filesystem: one line naming the variable or
    the folder and the fix (it used to blame -o/--out, or print a traceback)."""
    a_file = tmp_path / "afile"
    a_file.write_text("x")
    for folder, says in ((a_file, f"SSBI_DATA_DIR {a_file} is a file, not a folder: set SSBI_DATA_DIR"),
                         (a_file / "sub", f"SSBI_DATA_DIR {a_file / 'sub'} cannot be made (Not a directory)")):
        for args in (("submit", "static", "Li2S"), ("query", "tasks"), ("status",)):
            proc = ssbi(*args, data_dir=folder)
            assert one_line_error(proc) and says in proc.stderr, (args, proc.stderr)
    ro = tmp_path / "ro"
    ro.mkdir()
    import subprocess

    if subprocess.run(["mount", "--bind", str(ro), str(ro)], capture_output=True).returncode != 0:
        pytest.skip("cannot bind-mount a read-only folder here (needs root)")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(ro)], check=True, capture_output=True)
        proc = ssbi("submit", "static", "Li2S", data_dir=ro)
        assert one_line_error(proc), proc.stderr
        assert f"in the data folder {ro}: Read-only file system: set SSBI_DATA_DIR" in proc.stderr
    finally:
        subprocess.run(["umount", str(ro)], capture_output=True)


def test_degenerate_chemistry_answers_what_is_true(tmp_path):
    """S has no Li and nothing more oxidised in Li-S: its window is its reduction (to Li polysulfides / Li2S) with
    no upper limit, not a crash."""
    proc = ssbi("window", "S", "-o", str(tmp_path / "plots"), data_dir=tmp_path / "d")
    assert proc.returncode == 0, proc.stderr
    words = " ".join(proc.stdout.split())
    assert "S: electrochemical window" in words and "interphase vs Li │ passivating" in words
    assert "Li2S" in words


def test_a_user_structure_is_not_stored_under_a_library_name(tmp_path):
    """`ssbi run relax ./Li.cif`: stored as file:Li.cif (its own identity), not as the library's Li."""
    from ssbi.interfaces.materials import load

    load("Li").to(filename=str(tmp_path / "Li.cif"))
    proc = ssbi("run", "static", str(tmp_path / "Li.cif"), data_dir=tmp_path / "d")
    assert proc.returncode == 0, proc.stderr
    import json

    rows = json.loads(ssbi("query", "tasks", "--format", "json", data_dir=tmp_path / "d", check=True).stdout)
    assert [r["material"] for r in rows] == ["file:Li.cif"]
    assert json.loads(ssbi("query", "tasks", "--material", "Li", "--format", "json", data_dir=tmp_path / "d",
                           check=True).stdout) == []


def test_credentials_readable_by_others_are_warned_about_never_printed(tmp_path):
    """A LaunchPad file with a password that others can read: a warning naming it and `chmod 600`; the password is
    not printed; once private, no warning."""
    launchpad = tmp_path / "my_launchpad.yaml"
    launchpad.write_text("host: 127.0.0.1\nport: 9\nname: fw\nusername: bob\npassword: s3cret-pw\n")
    launchpad.chmod(0o644)
    proc = ssbi("status", data_dir=tmp_path / "d", env={"SSBI_LAUNCHPAD": str(launchpad)})
    assert f"warning: {launchpad} holds a password and others can read it: chmod 600 {launchpad}" in proc.stderr
    assert "s3cret-pw" not in proc.stderr + proc.stdout and proc.returncode == 2
    assert "not reachable" in proc.stderr.splitlines()[-1]
    launchpad.chmod(0o600)
    again = ssbi("status", data_dir=tmp_path / "d", env={"SSBI_LAUNCHPAD": str(launchpad)}, fresh_process=True)
    assert "warning" not in again.stderr


def test_long_output_is_cut_to_a_screen_unless_asked(tmp_path):
    """`ssbi query` tables show the first 40 rows and say how to see all; --full or --format json give every row."""
    from ssbi.workflows.cli.query import TABLE_ROWS, _cut

    assert _cut({"positions": list(range(1000))})["positions"][-1] == "... 994 more (--full)"
    from ssbi.workflows.store.jobstore import open_store
    from ssbi.workflows.testing.synthetic import fill

    os.environ["SSBI_DATA_DIR"] = str(tmp_path)
    try:
        store = open_store(None)
        fill(store, 400)
        store.close()
    finally:
        del os.environ["SSBI_DATA_DIR"]
    table = ssbi("query", "adhesion", data_dir=tmp_path, check=True).stdout
    assert f"first {TABLE_ROWS} of" in table and "--full shows every row" in table
    assert "first" not in ssbi("query", "adhesion", "--full", data_dir=tmp_path, check=True).stdout.splitlines()[-1]


@pytest.mark.parametrize("args, says", [
    (("run", "relax", "Li2S"), "is a file, not a folder: set SSBI_DATA_DIR"),  # 1: the environment
    (("build", "Li", "Li2S", *MILLER, "--max-atoms", "100000000"), "a hard cap"),  # 2: unbounded work
    (("react", "Li2S", "Li2S"), "are the same phase"),  # 3: degenerate chemistry
    (("run", "{study_dup}"), "duplicate key"),  # 4: study files
    (("run", "static", "{binary}"), "not a text file"),  # 5: structure files
    (("windows", "Li2S", "-o", "{file}"), "is a file: give a folder"),  # 6: outputs before work
])
def test_each_class_through_the_installed_command(tmp_path, args, says):
    """One member of each class of the second sweep through the `ssbi` entry point in a fresh process."""
    existing = tmp_path / "existing"
    existing.write_text("keep me")
    files = {"file": existing, **second_sweep_files(tmp_path)}
    data = existing if args == ("run", "relax", "Li2S") else tmp_path / "data"
    proc = ssbi(*[a.format(**files) for a in args], data_dir=data, fresh_process=True)
    assert one_line_error(proc) and says in proc.stderr, proc.stderr[-800:]
    assert existing.read_text() == "keep me"
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").rglob("*"))


def test_ctrl_c_stops_a_long_build_cleanly(tmp_path):
    """A build at the size caps says it can take minutes; Ctrl-C (SIGINT) then ends it at once with exit 130 and
    nothing written."""
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "ssbi.workflows.cli", "build", "Li", "Li2S", "--film-miller", "1",
                             "1", "1", "--substrate-miller", "1", "1", "1", "--max-area", "2000", "--max-atoms", "5000",
                             "-o", str(out)], env={**os.environ, "SSBI_DATA_DIR": str(tmp_path / "d")},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            # a shell gives the command default Ctrl-C handling; a test worker may have inherited
                            # SIGINT ignored (a library's pool in an earlier test), which the child would inherit too
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    line = proc.stderr.readline()
    assert "can take minutes; Ctrl-C stops it" in line
    time.sleep(2)
    start = time.monotonic()
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    assert proc.returncode == 130 and time.monotonic() - start < 10
    assert not out.exists()


def test_a_settings_file_with_a_password_others_can_read_is_warned_about(tmp_path):
    settings = tmp_path / "settings.yaml"
    settings.write_text("mongodb_uri: mongodb://bob:s3cret-pw@db.example/ssbi\n")
    settings.chmod(0o644)
    proc = ssbi("query", "tasks", data_dir=tmp_path / "d", env={"SSBI_SETTINGS_FILE": str(settings)},
                fresh_process=True)
    assert f"warning: {settings} holds a password and others can read it: chmod 600 {settings}" in proc.stderr
    assert "s3cret-pw" not in proc.stdout + proc.stderr
