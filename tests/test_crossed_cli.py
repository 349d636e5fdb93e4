"""`evaluate --crossed` (issue 17 item 3): the pair pieces in every engine, total_full, the refusals.

The semiclassical pair skew (docs/pair_skew.md) and Kubo's X + Psi diagrams (docs/crossed_diagrams.md)
are computed by independent code (a two-impurity golden rule in momentum space; diagrams in real
space); here they meet through the one engine interface. Agreement rule: the engines' own error
estimates (each ~1e-9 absolute here) times 20, the rule of `compare` (docs/design.md).
"""
from __future__ import annotations

import json
import math

import pytest

from semiclassical.cli import main


def _evaluate(capsys, *argv):
    assert main(["evaluate", *argv, "--crossed", "--kubo", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _pieces(out):
    return {"closed_form": out, "quadrature": out["quadrature"], "kubo": out["kubo"]}


def _errors(out, engine, key, piece):
    node = (out if engine == "closed_form" else out[engine]).get("error", {})
    for part in key.split("."):
        node = node.get(part, {})
    return node.get(piece) or 0.0


@pytest.mark.parametrize("eF, M", [(1.5, 1.0), (2.0, -0.5)])
def test_massive_dirac_full_result_in_every_engine(capsys, eF, M):
    """TI surface (massive Dirac): total_full = NCA + crossed is the Ado et al. (2015) result, confirmed
    by our own derivation (docs/pair_skew.md, closed form): sigma_yx = (8 e^2/h) eF M^3/(eF^2 + 3M^2)^2
    in our sign (sigma_yx = -sigma_xy), i.e. (4/pi) eF M^3/(eF^2 + 3M^2)^2 in e^2/hbar; it is odd in M."""
    out = _evaluate(capsys, "ti-surface", "--set", f"eF={eF}", "--set", f"M={M}")
    want = 4 / math.pi * eF * M ** 3 / (eF ** 2 + 3 * M ** 2) ** 2
    for engine, r in _pieces(out).items():
        for key in ("sigma_yx", "spin_density.x"):
            node = r[key.split(".")[0]] if key == "sigma_yx" else r["spin_density"]["x"]
            piece = "crossed" if engine == "kubo" else "pair_skew"
            assert node["total_full"] == pytest.approx(node["total"] + node[piece], rel=1e-14, abs=1e-16)
            # v = hbar = e = 1: <sigma_x> = sigma_yx piece by piece for this model
            assert node["total_full"] == pytest.approx(want, rel=1e-7), (engine, key)
    assert "pair_skew" not in out["kubo"]["sigma_yx"] and "crossed" not in out["sigma_yx"]


def test_rashba_ferromagnet_both_subbands_only_the_crossed_diagrams_remain(capsys):
    """Both subbands occupied: the non-crossing total vanishes (Ado et al. 2016); the pair skew of the
    semiclassical engines equals Kubo's crossed diagrams and is the whole total_full."""
    out = _evaluate(capsys, "rashba-ferromagnet", "--set", "eF=1.5")
    sc, kubo = out["sigma_yx"], out["kubo"]["sigma_yx"]
    assert abs(sc["total"]) < 1e-10 and abs(kubo["total"]) < 1e-7
    assert abs(sc["pair_skew"]) > 1e-3
    tol = 20 * (_errors(out, "closed_form", "sigma_yx", "pair_skew") + _errors(out, "kubo", "sigma_yx", "crossed"))
    assert tol < 1e-6 and abs(sc["pair_skew"] - kubo["crossed"]) <= tol
    sx, kx = out["spin_density"]["x"], out["kubo"]["spin_density"]["x"]
    tol = 20 * (_errors(out, "closed_form", "spin_density.x", "pair_skew")
                + _errors(out, "kubo", "spin_density.x", "crossed"))
    assert abs(sx["pair_skew"] - kx["crossed"]) <= tol
    assert out["agreement"]["agree"]


def test_without_crossed_no_pair_pieces(capsys):
    assert main(["evaluate", "ti-surface", "--set", "eF=1.2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert "pair_skew" not in out["sigma_yx"] and "total_full" not in out["sigma_yx"]


_GAUSSIAN = """[model]
name = "ti-gauss"
hamiltonian = "v*(kx*sy - ky*sx) + M*sz"
[parameters]
v = 1.0
M = 0.5
[disorder]
type = "gaussian"
W = 0.01
d = 0.5
"""


@pytest.mark.parametrize("argv, fragment", [
    (["ti-surface", "--set", "eF=1.2", "--set", "T=0.01"], "T = 0 only"),
    (["tilted-dirac", "--set", "eF=1.2"], "rotationally covariant"),
    (["GAUSS", "--set", "eF=1.2"], "white-noise disorder only"),
])
def test_crossed_outside_its_scope_is_one_line(argv, fragment, capsys, tmp_path):
    path = tmp_path / "gauss.toml"
    path.write_text(_GAUSSIAN)
    argv = [str(path) if a == "GAUSS" else a for a in argv]
    assert main(["evaluate", *argv, "--crossed"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and fragment in err


def test_the_text_table_shows_the_crossed_pieces(capsys):
    """`evaluate --crossed` without --json: the rows pair_skew, total_full (and Kubo's crossed) are in the
    table, not only in the JSON (they were left out: the table listed the registry's pieces only)."""
    assert main(["evaluate", "ti-surface", "--set", "eF=1.5", "--engines", "closed,quadrature", "--crossed"]) == 0
    rows = {line.split()[0]: line.split()[1:] for line in capsys.readouterr().out.splitlines() if line.strip()}
    for key in ("sigma_yx", "spin_density.x"):
        for piece in ("pair_skew", "total_full"):
            cells = rows[f"{key}.{piece}"]
            assert len(cells) == 2 and float(cells[0]) == pytest.approx(float(cells[1]), rel=1e-8)


def test_a_scheme_dependent_total_full_is_not_compared():
    """With an Edelstein (1/W) piece, the W^0 total of spin_density.x is not fixed by the approximation
    (Kubo lists it in scheme_dependent), nor is total_full = total + the crossed diagrams: Kubo's X + Psi
    then carry a W^0 correction to the 1/W response (as crossed diagrams do for sigma_xx) that the pair
    skew does not (seed-2 --crossed profile, cases 6, 8, 11: 'disagreements' of 5e-3 where the
    non-crossing totals were already skipped). sigma_yx's total_full is still compared."""
    from semiclassical.engines.compare import judge
    from semiclassical.engines.result import Response

    closed = Response("closed_form", {"spin_density.x": {"edelstein": 4.2, "total": 0.0, "total_full": 0.0},
                                      "sigma_yx": {"total": 0.011, "total_full": -0.0011}}, {})
    kubo = Response("kubo", {"spin_density.x": {"edelstein": 4.2, "total": -1.7e-3, "total_full": -2.2e-2},
                             "sigma_yx": {"total": 0.011, "total_full": -0.0013}}, {},
                    scheme_dependent=("spin_density.x",))
    _, bad = judge(closed, kubo, (1e-12, 1e-8))
    assert [d.key for d in bad] == ["sigma_yx.total_full"]
