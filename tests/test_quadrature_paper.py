"""Quadrature engine vs the paper's printed TI equations (Sec. VI), at several parameter points.

The engine (semiclassical.quadrature) computes everything from H(k) alone; the printed formulas
below are comparison targets only. Tolerances: the TI is rotationally covariant, so the angular
trapezoid rule is exact once N exceeds the few harmonics involved, and the Fermi-sea integrals
are adaptive to 1e-12; agreement is then limited by rounding, ~1e-14 relative. We assert 1e-10
relative (the engine's requested accuracy), i.e. four orders of margin.

Finding (see the test names with ``skew``): with reading B of the skew-scattering driving term
(conventions.md: S' = hbar D'/(i Delta eps), J_sk = [J(S')]^diag, both shells solved), the
engine's skew pieces are exactly 1/3 of the printed Eqs. 84, 85 and 103 at every point, while
every other printed piece agrees. The printed Eq. 85 (and the total Eq. 86) agree with the
Kubo-Streda non-crossing result, so reading B misses 2/3 of the skew term; the engine is not bent
to the print and the discrepancy is pinned here.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from semiclassical.quadrature import evaluate, models

RTOL = 1e-10

# (M, eF, v, hbar, e): eF in the upper band, both signs of M, non-unit constants
POINTS = [
    (0.5, 1.2, 1.3, 0.7, 1.1),
    (0.3, 1.0, 1.0, 1.0, 1.0),
    (-0.4, 0.9, 0.8, 1.5, 0.9),
    (0.85, 0.9, 2.0, 1.0, 1.0),
]
W = 0.05


def printed(M, eF, v, hbar, e):
    """The paper's printed forms (comparison targets), per unit E_x, E = xhat."""
    xi = M / eF
    rho = eF / (2 * math.pi * hbar**2 * v**2)
    tau = hbar / (math.pi * W * rho)
    c = e**2 / (2 * math.pi * hbar) * M / eF
    s_w0 = e * hbar * v * rho * M / eF**2
    return {
        "74": e**2 * M / (4 * math.pi * hbar * eF),
        "76": (1 + 3 * xi**2) / (2 * tau),
        "78": c * (1 - xi**2) / (1 + 3 * xi**2),
        "82": c * (1 - xi**2) / (1 + 3 * xi**2),
        "85": c * 3 * (1 - xi**2) ** 2 / (2 * (1 + 3 * xi**2) ** 2),
        "86": 4 * c * (1 + xi**2) / (1 + 3 * xi**2) ** 2,
        "90": -e * tau * v * rho * (1 - xi**2) / (1 + 3 * xi**2),      # <s_y>: E x zhat = -yhat
        "96": e * M * hbar * v * rho / (2 * eF**2),
        "99": s_w0 * (1 - xi**2) / (1 + 3 * xi**2),
        "101": s_w0 * (1 - xi**2) / (1 + 3 * xi**2),
        "103": e * hbar * rho * v * xi / eF * 3 * (1 - xi**2) ** 2 / (2 * (1 + 3 * xi**2) ** 2),
        "104_edelstein": -e * tau * v * rho * (1 - xi**2) / (1 + 3 * xi**2),
        "104_w0": 4 * s_w0 * (1 + xi**2) / (1 + 3 * xi**2) ** 2,
    }


@pytest.fixture(scope="module", params=POINTS, ids=lambda p: "M={} eF={} v={} hbar={} e={}".format(*p))
def point(request):
    M, eF, v, hbar, e = request.param
    res = evaluate(models.ti_surface(M, v, hbar, e), eF, W, gauge_seed=11)
    return res, printed(M, eF, v, hbar, e), request.param


def close(a, b, rtol=RTOL):
    return abs(a - b) <= rtol * abs(b)


def test_eq74_intrinsic_conductivity(point):
    res, p, _ = point
    assert close(res["sigma_yx"]["intrinsic"], p["74"])


def test_eq76_transport_time(point):
    res, p, _ = point
    (tt,) = res["meta"]["transport_times"]
    assert tt["exact"]                       # g is exactly -e tau_tr E.v on the single circle
    assert close(1 / tt["tau_tr"], p["76"])


def test_eq78_extrinsic_and_eq82_side_jump(point):
    res, p, _ = point
    assert close(res["sigma_yx"]["extrinsic"], p["78"])
    assert close(res["sigma_yx"]["side_jump"], p["82"])


def test_eq90_edelstein(point):
    res, p, _ = point
    assert close(res["spin_density"]["y"]["edelstein"], p["90"])
    assert close(res["spin_density"]["y"]["edelstein"], p["104_edelstein"])
    # the 1/W pieces that vanish by symmetry vanish to rounding relative to the Edelstein term
    assert abs(res["spin_density"]["x"]["edelstein"]) < 1e-12 * abs(p["90"])


def test_eq96_eq99_eq101_spin_pieces(point):
    res, p, _ = point
    sx = res["spin_density"]["x"]
    assert close(sx["intrinsic"], p["96"])
    assert close(sx["extrinsic"], p["99"])
    assert close(sx["side_jump"], p["101"])


def test_skew_is_one_third_of_eq85_and_eq103(point):
    """Reading B gives exactly 1/3 of the printed skew terms (reported finding, not bent)."""
    res, p, _ = point
    assert close(res["sigma_yx"]["skew"], p["85"] / 3)
    assert close(res["spin_density"]["x"]["skew"], p["103"] / 3)


@pytest.mark.xfail(strict=True, reason="reading-B skew is 1/3 of the printed Eq. 85 (finding)")
def test_eq85_and_eq86_as_printed(point):
    res, p, _ = point
    assert close(res["sigma_yx"]["skew"], p["85"], 1e-6)
    assert close(res["sigma_yx"]["total"], p["86"], 1e-6)


def test_totals_with_reading_b(point):
    """total = 74 + 78 + 82 + 85/3 (sigma) and 96 + 99 + 101 + 103/3 (spin), i.e. the printed
    totals 86 and 104 minus 2/3 of the printed skew terms."""
    res, p, _ = point
    assert close(res["sigma_yx"]["total"], p["86"] - 2 * p["85"] / 3)
    assert close(res["spin_density"]["x"]["total"], p["104_w0"] - 2 * p["103"] / 3)


def test_paper_claims_sj_equals_ext_and_sigma_equals_e_v_sx(point):
    """Paper: sigma_sj = sigma_ext, <s>^sj = <s>^ext, sigma_yx = e v <s_x> (piece by piece)."""
    res, _, (M, eF, v, hbar, e) = point
    s, sx = res["sigma_yx"], res["spin_density"]["x"]
    assert close(s["side_jump"], s["extrinsic"])
    assert close(sx["side_jump"], sx["extrinsic"])
    for key in ("intrinsic", "extrinsic", "side_jump", "skew", "total"):
        assert close(s[key], e * v * sx[key])


def test_w0_pieces_that_vanish_by_symmetry(point):
    res, p, _ = point
    scale = abs(p["78"])
    for key in ("extrinsic", "side_jump", "skew"):
        assert abs(res["sigma_xx"][key]) < 1e-12 * scale
    for comp in ("y", "z"):
        for key in ("intrinsic", "extrinsic", "side_jump", "skew"):
            assert abs(res["spin_density"][comp][key]) < 1e-12 * abs(p["99"])


@pytest.mark.parametrize("M", [0.5, -0.5])
def test_eq74_in_the_gap(M):
    """eF in the gap: sigma_int = e^2 sign(M)/(4 pi hbar), no Fermi-surface pieces."""
    hbar, e = 0.8, 1.2
    res = evaluate(models.ti_surface(M, 1.1, hbar, e), 0.2, W)
    assert close(res["sigma_yx"]["intrinsic"], e**2 * np.sign(M) / (4 * math.pi * hbar))
    assert res["meta"]["n_nodes"] == 0
    assert res["sigma_yx"]["extrinsic"] == 0.0 and res["sigma_yx"]["drude"] == 0.0
