"""Terminal tables at 100 columns, the vertical fallback, and the json/csv/md formats (issue 18, "Report")."""

import csv
import io
import json
from pathlib import Path

import pytest
from helpers import ssbi as run_cli
from rich.console import Console

from ssbi.interfaces.errors import InputError
from ssbi.workflows.cli.study import SUMMARY, summary_columns
from ssbi.workflows.report.tables import Column, emit

DEFAULT = Path(__file__).parent.parent / "configs" / "studies" / "default.yaml"

ROWS = [  # the longest values a summary has today
    {"rank": 1, "electrolyte": "Li7La3Zr2O12", "window_V": "0.03–2.93", "E_hull_meV": 24.43, "rxn_anode_eV_atom":
     -0.0251, "interphase_anode": "mixed-conducting (LiIn)", "rxn_cathode_eV_atom": -0.1923,
     "interphase_cathode": "passivating (Li2S)", "oxidation_at_cathode": "stable at 2.21 V (S/Li2S)",
     "rxn_cathode_V_eV_atom": 0.0, "W_ad_anode_J_m2": 0.38297, "G_GPa": 50.52, "G_over_G_Li": 12.028,
     "dendrite_verdict": "suppressing"},
    {"rank": 2, "electrolyte": "beta-Li3PS4", "window_V": "1.65–2.52", "E_hull_meV": 7.2, "rxn_anode_eV_atom": -0.672,
     "interphase_anode": "passivating (Li)", "rxn_cathode_eV_atom": -0.045, "interphase_cathode": "passivating (S)",
     "oxidation_at_cathode": "oxidised at 2.21 V (S/Li2S) to Li3PS4 + LiCl + LiS4", "rxn_cathode_V_eV_atom": -0.012,
     "W_ad_anode_J_m2": None, "G_GPa": 7.05, "G_over_G_Li": 1.68, "dendrite_verdict": "not suppressing"},
]


def printed(rows, fmt, width, columns=None):
    console = Console(width=width, file=io.StringIO(), color_system=None)
    emit(rows, fmt, "Study", console, columns or summary_columns(rows))
    return console.file.getvalue()


def test_summary_fits_100_columns_with_short_heads_and_a_legend():
    # analyses the rows do not have (alloy anode, cathode adhesion, MD) are left out
    assert [c.key for c in SUMMARY if c not in summary_columns(ROWS)] == [
        "rxn_alloy_eV_atom", "interphase_alloy", "W_ad_cathode_J_m2", "W_ad_by_electrode", "md_temperature_K",
        "md_growth_rate", "md_growth_law", "md_intact_PS4", "md_D_interface_over_bulk", "weakest_side"]
    out = printed(ROWS, "table", 100)
    assert max(len(line) for line in out.splitlines()) <= 100
    assert "…" not in out  # no cell cut
    body = [line.split() for line in out.splitlines() if line.strip().startswith(("1 ", "2 "))]
    assert body[0][:3] == ["1", "Li7La3Zr2O12", "0.03–2.93"]
    assert "M LiIn" in " ".join(body[0]) and "P Li2S" in " ".join(body[0]) and body[0][-1] == "yes"
    assert "24" in body[0] and "-0.03" in body[0] and "0.38" in body[0] and "12.03" in body[0]  # rounded
    assert "—" in body[1] and body[1][-1] == "no"
    words = " ".join(out.split())
    assert "MN: Monroe–Newman" in words and "M mixed conducting" in words
    # the cathode-couple columns give way first at 100 columns, and are named; at 140 they are in the table
    assert "also in --format json or csv: oxidation_at_cathode, rxn_cathode_V_eV_atom" in words
    wide = printed(ROWS, "table", 140)
    assert "oxidised" in wide and "ox_cat" in wide and "also in" not in wide


def test_too_narrow_gives_one_block_per_row_with_every_value_whole():
    out = printed(ROWS, "table", 60)
    assert max(len(line) for line in out.splitlines()) <= 60
    assert "Study 1/2: Li7La3Zr2O12" in out and "Study 2/2: beta-Li3PS4" in out
    words = " ".join(out.split())
    assert "mixed-conducting (LiIn)" in words and "not suppressing" in words and "0.38" in words


def test_machine_formats_keep_every_key_at_full_precision():
    data = json.loads(printed(ROWS, "json", 100))
    assert data == ROWS
    table = list(csv.DictReader(io.StringIO(printed(ROWS, "csv", 100))))
    assert table[0]["W_ad_anode_J_m2"] == "0.38297" and table[1]["W_ad_anode_J_m2"] == ""
    md = printed(ROWS, "md", 100).splitlines()
    assert md[0].startswith("| rank | electrolyte | window (V vs Li/Li+)") and md[1].startswith("| --- |")
    assert "| 0.38 |" in md[2] and "| mixed-conducting (LiIn) |" in md[2] and len(md) == 4
    with pytest.raises(InputError, match="--format must be one of table, json, csv, md, not 'xml'"):
        printed(ROWS, "xml", 100)


def test_an_optional_column_gives_way_before_the_table_turns_vertical():
    rows = [{"name": "Li6PS5Cl", "a": 9.8, "source": "doi:10.1002/anie.200703900; ICSD 418490"}]
    cols = [Column("name"), Column("a", legend="a (Å)", digits=3), Column("source", optional=True)]
    wide, narrow = printed(rows, "table", 100, cols), printed(rows, "table", 30, cols)
    assert "doi:10.1002/anie.200703900" in wide and "9.800" in wide
    narrow = " ".join(narrow.split())
    assert "doi" not in narrow and "9.800" in narrow and "also in --format json or csv: source" in narrow


def test_cli_tables_at_100_columns_and_the_summary_as_json(tmp_path, data_dir):
    """`ssbi query adhesion|mechanics|tasks` and `ssbi materials list` fit 100 columns without cutting a cell;
    `ssbi report STUDY --format json` prints only the summary on stdout (one row per electrolyte)."""
    from ssbi.workflows.store.jobstore import open_store
    from ssbi.workflows.testing.synthetic import calc_envelope, fill

    store = open_store(None)  # the embedded store of the test's data folder
    fill(store, 30)
    store.docs_store.update([calc_envelope(f, f"calc-{i}", -4.0 - i) for i, f in enumerate(["Li2S", "LiCl"])],
                            key="uuid")

    def ssbi(*args):
        run = run_cli(*args, data_dir=tmp_path, env={"COLUMNS": "100"})
        assert run.returncode == 0, run.stdout + run.stderr
        return run.stdout

    for args in (("query", "adhesion"), ("query", "mechanics"), ("query", "tasks"), ("materials", "list")):
        out = ssbi(*args)
        assert max(len(line) for line in out.splitlines()) <= 100, args
        assert "…" not in out and "row(s)" in out, args  # a table, not the per-row blocks
    adhesion = ssbi("query", "adhesion", "--format", "json")
    assert len(json.loads(adhesion)) >= 10
    summary = json.loads(ssbi("report", str(DEFAULT), "-o", str(tmp_path / "report"), "--format", "json"))
    assert [r["electrolyte"] for r in sorted(summary, key=lambda r: r["electrolyte"])] == sorted(
        ["Li3PS4", "beta-Li3PS4", "Li7P3S11", "Li6PS5Cl", "Li10GeP2S12", "Li7La3Zr2O12"])


@pytest.mark.parametrize("below", [False, True])
def test_plot_legends_sit_outside_the_axes(below):
    """Report plots put their legends beside or under the axes, never on the curves."""
    import matplotlib.pyplot as plt

    from ssbi.workflows.report.plots import legend_outside

    fig, ax = plt.subplots(figsize=(5, 3.6), dpi=100)
    ax.plot([0, 1], [0, -0.7], "o-", label="Li: -0.70 (passivating)")
    ax.set_xlabel("x (electrode atom fraction)")
    legend = legend_outside(ax, below=below)
    fig.canvas.draw()
    box, frame = legend.get_window_extent(), ax.get_window_extent()
    overlap = box.intersection(box, frame)
    assert overlap is None or overlap.width * overlap.height == 0
    if below:  # and not on the axis label either
        assert box.y1 <= ax.xaxis.label.get_window_extent().y0 + 1
    plt.close(fig)
