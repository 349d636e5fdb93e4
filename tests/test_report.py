"""`semiclassical reproduce --out DIR`: the report (Markdown, LaTeX, figures), its JSON, the worked
examples in derivations/, and the packaging that installs them (issue 5)."""
import contextlib
import io
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from semiclassical import errata, report
from semiclassical.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def produced(tmp_path_factory):
    """One run of `semiclassical reproduce --json --out DIR` (about 30 s)."""
    out = tmp_path_factory.mktemp("report")
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["reproduce", "--json", "--out", str(out)]) == 0
    return out, json.loads(buf.getvalue())


def test_report_files_exist(produced):
    out, _ = produced
    for name in ("report.md", "report.tex", "figures/sigma_yx.png", "figures/spin_torque.png"):
        path = out / name
        assert path.is_file() and path.stat().st_size > 1000, name
    for png in (out / "figures").glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    md, tex = (out / "report.md").read_text(), (out / "report.tex").read_text()
    for fig in ("sigma_yx.png", "spin_torque.png"):
        assert f"(figures/{fig})" in md and f"figures/{fig}" in tex
    for e in errata.ERRATA:
        assert f"Eq. {e.equation}**" in md and rf"Eq.~{e.equation}}}" in tex
    assert "| 105 |" in md and "**ERRATUM**" in md


def test_json_rows_have_the_quadrature_column(produced):
    _, data = produced
    rows = {r["equation"]: r for r in data["rows"]}
    for key in ("equation", "quantity", "printed", "derived", "verdict", "difference", "quadrature",
                "quadrature_note"):
        assert all(key in r for r in data["rows"]), key
    numeric = ["69", "73", "74", "76", "77", "78", "80", "81", "82", "84", "85", "86", "88-89", "90", "96", "98",
               "99", "101", "103", "104", "105"]
    for eq in numeric:
        assert rows[eq]["quadrature"] is not None and rows[eq]["quadrature"] < 1e-9, (eq, rows[eq])
    assert rows["70"]["quadrature"] is None and "gauge" in rows["70"]["quadrature_note"]
    assert rows["83"]["verdict"] == "definition"
    assert rows["105"]["component_verdicts"] == ["ERRATUM", "agrees"]
    assert data["wall_seconds"] < 300 and len(data["quadrature_points"]) == 3
    assert [e["equation"] for e in data["errata"]] == [e.equation for e in errata.ERRATA]


def test_report_compiles_with_tex(produced, tmp_path):
    engine = report.tex_engine()
    if engine is None:
        pytest.skip("no pdflatex/lualatex on PATH (.ci/run installs texlive-latex-base/-recommended when it can)")
    out, _ = produced
    pdf = report.compile_pdf(out / "report.tex", engine)
    assert pdf.is_file() and pdf.read_bytes()[:5] == b"%PDF-"
    log = (out / "report.log").read_text(errors="replace")
    # nothing runs off the page: no overfull boxes (long expressions are shrunk by \fiteq)
    assert not re.findall(r"Overfull \\hbox \((\d+\.?\d*)pt", log), [ln for ln in log.splitlines() if "Overfull" in ln]
    assert "undefined" not in log.lower() or "Reference" not in log


def test_cli_pdf_without_tex_engine_is_one_clear_line(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(report, "tex_engine", lambda: None)
    from semiclassical import reproduce

    rows, _ = reproduce.table(quadrature=False)
    from semiclassical.cli import _write_report
    from semiclassical.errors import SemiclassicalError

    monkeypatch.setattr("semiclassical.figures.markers", lambda *a, **k: {"ratios": [2.0], "quadrature": [
        _fake_quadrature()], "kubo": []})
    with pytest.raises(SemiclassicalError, match="needs pdflatex or lualatex"):
        _write_report(tmp_path, rows, {}, pdf=True)
    assert (tmp_path / "report.tex").is_file()


def _fake_quadrature():
    piece = {k: 0.1 for k in ("intrinsic", "extrinsic", "side_jump", "skew", "total", "edelstein")}
    return {"sigma_yx": piece, "spin_density": {"x": piece, "y": piece}}


def test_errata_name_existing_tests():
    for e in errata.ERRATA:
        path, _, name = e.test.partition("::")
        name = name.split("[")[0]
        src = (ROOT / path).read_text()
        assert re.search(rf"^def {name}\(", src, re.M), e.test


def test_every_package_is_listed_in_pyproject():
    """packages is an explicit list (derivations/ maps to semiclassical.derivations): keep it complete."""
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(cfg["packages"])
    src = ROOT / "src"
    found = {".".join(p.parent.relative_to(src).parts) for p in src.glob("semiclassical/**/__init__.py")}
    assert found <= listed, found - listed
    assert cfg["package-dir"]["semiclassical.derivations"] == "derivations"


def test_derivation_script_runs_on_its_own():
    proc = subprocess.run([sys.executable, str(ROOT / "derivations" / "ti_anomalous_hall.py")],
                          capture_output=True, text=True, timeout=300, cwd=ROOT / "derivations")
    assert proc.returncode == 0, proc.stderr[-2000:]
    for eq in ("68", "69", "74", "78", "82", "85", "86"):
        assert f"Eq. {eq}:" in proc.stdout
    assert "2*M*e**2*eF*(M**2 + eF**2)/(pi*hbar*(3*M**2 + eF**2)**2)" in proc.stdout   # Eq. 86


def test_user_model_example_matches_quadrature():
    from semiclassical.derivations import rashba_ferromagnet

    steps = rashba_ferromagnet.derive(0.2)
    assert {"72*", "sigma_skew"} <= set(steps.forms())
    rows = rashba_ferromagnet.compare_with_quadrature((0.2,), verbose=False)
    assert rows and max(r[-1] for r in rows) < 1e-8
