"""Command line: one clear error line, exit status (docs/design.md section 4)."""
import json

import pytest

from semiclassical.cli import main


@pytest.mark.parametrize("argv,fragment", [
    (["evaluate", "ti-surface", "--set", "eF=1.1", "--set", "Mm=2"], "unknown parameter 'Mm'"),
    (["evaluate", "ti-surface", "--set", "eF=1.1", "--set", "W=0"], "must be positive"),
    (["evaluate", "ti-surface", "--set", "eF=x"], "is not a number"),
    (["evaluate", "ti-surface", "--set", "M=0.5"], "Fermi energy is missing"),
    (["evaluate", "nosuch", "--set", "eF=1"], "unknown model"),
    (["derive", "tilted-dirac"], "not rotationally covariant"),
    # no silent overrides (issue 22): which value did the user mean?
    (["evaluate", "ti-surface", "--set", "eF=1", "--set", "eF=1.5"], "--set eF is given twice"),
    (["evaluate", "ti-surface", "--set", "eF=5", "--sweep", "eF=1:2:2"], "both set"),
    (["evaluate", "ti-surface", "--sweep", "eF=1:2:0"], "N >= 1"),
    (["evaluate", "ti-surface", "--set", "eF=1", "--set", "W_m=0.004"], "none given (--set moments=random"),
    (["evaluate", "ti-surface", "--set", "eF=1", "--set", "W_m=0.004", "--set", "moments=randm"], "got 'randm'"),
    (["evaluate", "chiral", "--set", "eF=1", "--set", "theta_m=0.3"], "names no magnetization parameter"),
])
def test_bad_input_exits_2_with_one_line(argv, fragment, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and len(err.splitlines()) == 1


def test_evaluate_json_shape(capsys):
    assert main(["evaluate", "ti-surface", "--set", "eF=1.1", "--set", "W=0.01", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for piece in ("intrinsic", "extrinsic", "side_jump", "skew", "total"):
        assert piece in out["sigma_yx"] and piece in out["spin_density"]["x"]
        assert piece in out["spin_hall"]["z"] and piece in out["torque"]["y"]
    assert "edelstein" in out["spin_density"]["y"] and "drude" in out["spin_hall"]["x"]
    assert out["parameters"]["W"] == 0.01
    # the torque J m x <sigma> with m = zhat, J = M = 0.5 (the TI's magnetization)
    assert out["torque"]["y"]["total"] == pytest.approx(0.5 * out["spin_density"]["x"]["total"], rel=1e-14)


def test_evaluate_magnetic_moments_from_the_command_line(capsys):
    argv = ["evaluate", "ti-surface", "--set", "eF=1.1", "--set", "W_m=0.004", "--set", "moments=random",
            "--engines", "quadrature", "--json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["disorder"]["moments"] == "random" and out["disorder"]["W_m"] == 0.004


def test_derive_runs(capsys):
    # a short budget per explicit form: what runs is the chain; the explicit forms have their own tests
    assert main(["derive", "rashba-ferromagnet", "--set", "eF=0.2", "--budget", "0.05", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["results"]


def test_evaluate_in_the_gap_keeps_only_the_intrinsic_term(capsys):
    """eF in the gap: sigma_yx = e^2/(4 pi hbar) sign(M) (half quantum), Fermi-surface pieces zero."""
    import math

    assert main(["evaluate", "ti-surface", "--set", "eF=0.1", "--set", "M=0.5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert "gap" in out["note"] and out["circles"] == []
    assert out["sigma_yx"]["intrinsic"] == pytest.approx(1 / (4 * math.pi), rel=1e-12)
    for piece in ("extrinsic", "side_jump", "skew"):
        assert out["sigma_yx"][piece] == 0 and out["quadrature"]["sigma_yx"][piece] == 0
    assert out["sigma_yx"]["total"] == pytest.approx(out["quadrature"]["sigma_yx"]["total"], rel=1e-9)


def test_evaluate_sweep_reports_progress_and_every_point(capsys):
    assert main(["evaluate", "ti-surface", "--sweep", "eF=0.8:1.6:3", "--json"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["sweep"] == "eF"
    assert [p["parameters"]["eF"] for p in out["points"]] == pytest.approx([0.8, 1.2, 1.6], rel=1e-15)
    assert captured.err.count("done") == 3
    for p in out["points"]:
        assert p["sigma_yx"]["total"] == pytest.approx(p["quadrature"]["sigma_yx"]["total"], rel=1e-8)


def test_evaluate_bad_sweep_is_one_line(capsys):
    assert main(["evaluate", "ti-surface", "--sweep", "eF=0.6"]) == 2
    err = capsys.readouterr().err.strip()
    assert "NAME=START:STOP:N" in err and len(err.splitlines()) == 1


def test_evaluate_skew_reading(capsys):
    """--skew-reading selects the skew term for closed form and quadrature alike and is echoed; the
    paper's route (C) and the golden rule (T, default) differ for the Rashba ferromagnet (d0 = k^2/2m)."""
    totals = {}
    for extra in ([], ["--skew-reading", "C"]):
        assert main(["evaluate", "rashba-ferromagnet", "--set", "eF=0.2", "--json", *extra]) == 0
        out = json.loads(capsys.readouterr().out)
        reading = out["skew_reading"]
        assert reading == (extra[-1] if extra else "T")
        for m in (out, out["quadrature"]):
            assert m["sigma_yx"]["total"] == pytest.approx(out["quadrature"]["sigma_yx"]["total"], abs=1e-9)
        totals[reading] = out["sigma_yx"]["total"]
    assert abs(totals["T"] - totals["C"]) > 1e-3


def test_bad_skew_reading_is_one_line(capsys):
    assert main(["evaluate", "ti-surface", "--set", "eF=1.1", "--skew-reading", "Q"]) == 2
    err = capsys.readouterr().err.strip()
    assert "skew-reading" in err and len(err.splitlines()) == 1


def test_derive_out_writes_the_report_and_never_overwrites_it(tmp_path, capsys):
    out = tmp_path / "ti"
    assert main(["derive", "ti-surface", "--out", str(out), "--budget", "0.5"]) == 0
    capsys.readouterr()
    doc = json.loads((out / "derive.json").read_text())
    keys = {r["key"] for r in doc["results"]}
    assert {"tau_tr", "sigma_yx.skew", "sigma_yx.total", "spin_density.x.total"} <= keys
    assert (out / "derive.tex").read_text().rstrip().endswith(r"\end{document}")
    assert "sigma_yx skew" in (out / "derive.md").read_text()
    assert (out / "figures" / "sigma_yx.png").stat().st_size > 10_000
    before = (out / "derive.md").read_text()
    assert main(["derive", "ti-surface", "--out", str(out)]) == 2        # no silent overwrite
    err = capsys.readouterr().err.strip()
    assert "--force" in err and len(err.splitlines()) == 1 and (out / "derive.md").read_text() == before
    assert main(["derive", "ti-surface", "--pdf"]) == 2                    # --pdf without --out
    assert "needs --out" in capsys.readouterr().err


def test_reproduce_does_not_overwrite_a_report(tmp_path, capsys):
    (tmp_path / "report.md").write_text("an earlier report")
    assert main(["reproduce", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "--force" in err and len(err.splitlines()) == 1
    assert (tmp_path / "report.md").read_text() == "an earlier report"
    target = tmp_path / "a-file"
    target.write_text("")
    assert main(["reproduce", "--out", str(target)]) == 2
    assert "is a file" in capsys.readouterr().err


def test_version_and_help_name_the_built_in_models(capsys):
    from semiclassical import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"semiclassical {__version__}"
    assert main(["evaluate", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "ti-surface" in out and "rashba-ferromagnet" in out and "--set takes eF" in out


def test_every_output_states_one_unit_convention(capsys, tmp_path):
    """Issue 13 item 7: one unit convention (e^2/hbar), stated on every output: evaluate's table and
    JSON, derive's text and JSON, reproduce's JSON, map.json."""
    from semiclassical import units

    assert main(["evaluate", "ti-surface", "--set", "eF=1.2", "--engines", "closed"]) == 0
    assert units.statement(1.0, 1.0) in capsys.readouterr().out.splitlines()
    assert main(["evaluate", "ti-surface", "--set", "eF=1.2", "--set", "hbar=0.5", "--engines", "closed",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["units"] == units.statement(0.5, 1.0)
    assert main(["derive", "ti-surface", "--only", "energies"]) == 0
    assert units.statement() in capsys.readouterr().out
    assert main(["derive", "ti-surface", "--only", "energies", "--json"]) == 0
    assert "e^2/hbar" in json.loads(capsys.readouterr().out)["units"]
    assert main(["map", "ti-surface", "--grid", "eF=1:1:1", "--engines", "closed", "--out", str(tmp_path / "m"),
                 "--quiet", "--no-figures"]) == 0
    assert json.loads((tmp_path / "m" / "map.json").read_text())["units"] == units.statement()
    assert "e^2/h " not in units.statement().replace("e^2/h = ", "")   # never e^2/h as the unit
