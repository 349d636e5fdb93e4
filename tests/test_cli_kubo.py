"""`semiclassical evaluate ... --kubo`: the Kubo-Streda map in the evaluate JSON (docs/design.md section 4)."""
import json

import pytest

from semiclassical.cli import main

PIECES = ("intrinsic", "extrinsic", "side_jump", "skew")


@pytest.fixture(scope="module")
def ti_json():
    import io
    from contextlib import redirect_stderr, redirect_stdout

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        assert main(["evaluate", "ti-surface", "--set", "eF=1.0", "--set", "M=0.5", "--set", "W=0.01",
                     "--json", "--kubo"]) == 0
    return json.loads(out.getvalue()), err.getvalue()


def test_kubo_map_shape(ti_json):
    out, _ = ti_json
    kubo = out["kubo"]
    # same shape as the closed-form maps; pieces the Kubo side does not split are null
    assert set(kubo["sigma_yx"]) == set(out["sigma_yx"])
    for piece in PIECES:
        assert kubo["sigma_yx"][piece] is None
        assert kubo["spin_density"]["x"][piece] is None
    for ax in ("x", "y"):
        assert set(out["spin_density"][ax]) <= set(kubo["spin_density"][ax])
        assert isinstance(kubo["spin_density"][ax]["total"], float)
        assert isinstance(kubo["spin_density"][ax]["edelstein"], float)
    # the error tree mirrors the numbers
    err = kubo["error"]
    assert err["sigma_yx"]["total"] > 0 and err["spin_density"]["y"]["edelstein"] > 0
    assert set(err["sigma_yx"]) == set(kubo["sigma_yx"])
    assert err["sigma_yx"]["intrinsic"] is None       # no estimate where there is no number
    meta = kubo["meta"]
    assert set(meta["pieces"]["sigma_yx"]) == {"fermi_surface", "ladder", "fermi_sea"}
    ws = meta["W_ladder"]
    assert len(ws) >= 3 and all(a > b for a, b in zip(ws, ws[1:]))
    assert meta["W"] == out["parameters"]["W"] == 0.01
    assert "spin_density.y" in kubo["scheme_dependent"] and meta["converged"]
    # the engines checked each other and agree
    assert out["agreement"]["agree"] and out["agreement"]["checked"] > 20


def test_kubo_agrees_with_closed_form_for_the_ti(ti_json):
    """Paper's model (covariant, particle-hole symmetric): closed form = Kubo within 20x the
    reported extrapolation error (see tests/test_kubo_vs_semiclassical.py for the tolerance)."""
    out, err_text = ti_json
    kubo, err = out["kubo"], out["kubo"]["error"]
    assert abs(out["sigma_yx"]["total"] - kubo["sigma_yx"]["total"]) <= 20 * err["sigma_yx"]["total"] + 1e-9
    assert abs(out["spin_density"]["x"]["total"] - kubo["spin_density"]["x"]["total"]) \
        <= 20 * err["spin_density"]["x"]["total"] + 1e-9
    ed = out["spin_density"]["y"]["edelstein"]
    assert abs(ed - kubo["spin_density"]["y"]["edelstein"]) <= 1e-9 * abs(ed)
    assert "Kubo-Streda" in err_text  # progress goes to stderr, not into the JSON


def test_without_flag_no_kubo(capsys):
    assert main(["evaluate", "ti-surface", "--set", "eF=1.1", "--json"]) == 0
    assert "kubo" not in json.loads(capsys.readouterr().out)


def test_kubo_text_output_and_anisotropic_model(capsys):
    """Anisotropic models have no closed form; the Kubo engine integrates over 2D k."""
    assert main(["evaluate", "tilted-dirac", "--set", "eF=1.0", "--kubo"]) == 0
    text = capsys.readouterr().out
    assert "closed form: none (the model is not rotationally covariant" in text
    header = next(line for line in text.splitlines() if "Kubo-Streda" in line)
    assert header.split() == ["quadrature", "Kubo-Streda"]
    row = next(line for line in text.splitlines() if line.startswith("sigma_yx.total "))
    assert len(row.split()) == 5          # name, quadrature value, Kubo value, "+-", its error
    assert "engines agree" in text


def test_kubo_bad_input_still_one_line(capsys):
    assert main(["evaluate", "ti-surface", "--set", "eF=1.1", "--set", "W=-1", "--kubo"]) == 2
    err = capsys.readouterr().err.strip()
    assert "must be positive" in err and len(err.splitlines()) == 1
