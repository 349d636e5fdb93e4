"""Kubo-Streda engine on the paper's model H = hbar v (kx sy - ky sx) + M sz (Eq. 68).

The engine sees only H(k) and dH/dk as numbers (semiclassical.catalogue.numeric_model lambdifies
them from the Hamiltonian string); the paper's printed totals are comparison targets. With xi = M/eF,
rho = eF/(2 pi hbar^2 v^2), 1/tau = pi W rho/hbar, 1/tau_tr = (1 + 3 xi^2)/(2 tau):

    Eq. 86   sigma_yx = (4 e^2/(2 pi hbar)) (M/eF) (1 + xi^2)/(1 + 3 xi^2)^2        (W^0)
    Eq. 74   sigma_yx^int = e^2 M/(4 pi hbar eF)                                   (clean limit)
    Drude    sigma_xx = e^2 tau_tr rho v^2 (1 - xi^2)/2 = e^2 sum_k v_x^2 tau_tr delta(eps - eF)
    Eq. 104  <s> = -e tau v rho (1 - xi^2)/(1 + 3 xi^2) z x E + 4 e hbar v rho (M/eF^2)(1 + xi^2)/(1 + 3 xi^2)^2 E
    Eq. 96   <s>^int = e M hbar v rho/(2 eF^2) E                                    (clean limit)

Tolerances: the W^0 pieces come from a Richardson extrapolation whose own error estimate is
< 5e-10 relative on this model (measured: agreement with the closed forms to ~1e-10), so 1e-8
relative is a safe, still demanding bound (the issue asks for 1e-6). The 1/W pieces are
extrapolated from W X(W), whose leading term dominates: agreement ~1e-12, bound 1e-9.
"""
from __future__ import annotations

import math
from functools import lru_cache

import pytest

from semiclassical.catalogue import numeric_model
from semiclassical.errors import SemiclassicalError
from semiclassical.kubo import KuboSettings, kubo_clean_limit, kubo_response

EF = 1.0
W = 0.01
XIS = (0.2, 0.5, 0.8)
REL = 1e-8


@lru_cache(maxsize=None)
def response(xi, **kw):
    return kubo_response(numeric_model("ti-surface", v=1.0, M=xi * EF), EF, W, KuboSettings(**kw))


def targets(xi, hbar=1.0, e=1.0, v=1.0, eF=EF):
    M = xi * eF
    rho = eF / (2 * math.pi * hbar ** 2 * v ** 2)
    tau = hbar / (math.pi * W * rho)
    tau_tr = 2 * tau / (1 + 3 * xi ** 2)
    return {
        "sigma_yx": 4 * e ** 2 / (2 * math.pi * hbar) * (M / eF) * (1 + xi ** 2) / (1 + 3 * xi ** 2) ** 2,
        "sigma_int": e ** 2 * M / (4 * math.pi * hbar * eF),
        "drude": e ** 2 * tau_tr * rho * v ** 2 * (1 - xi ** 2) / 2,
        "s_x": 4 * e * hbar * v * rho * (M / eF ** 2) * (1 + xi ** 2) / (1 + 3 * xi ** 2) ** 2,
        "edelstein_y": -e * tau * v * rho * (1 - xi ** 2) / (1 + 3 * xi ** 2),
        "s_int": e * M * hbar * v * rho / (2 * eF ** 2),
    }


def rel(a, b):
    return abs(a - b) / abs(b)


@pytest.mark.parametrize("xi", XIS)
def test_hall_conductivity_equals_eq86(xi):
    r = response(xi)
    t = targets(xi)
    assert rel(r["sigma_yx"]["total"], t["sigma_yx"]) < REL
    # the engine's own error estimate must be honest and small
    assert r["extrapolation_error"]["sigma_yx"]["total"] < REL * t["sigma_yx"]
    assert abs(r["sigma_yx"]["total"] - t["sigma_yx"]) < 10 * r["extrapolation_error"]["sigma_yx"]["total"] + 1e-12
    # isotropic model: no 1/W Hall piece, and the Fermi-sea term vanishes for eF in the band
    assert abs(r["sigma_yx"]["drude"]) < 1e-9 * r["sigma_xx"]["drude"]
    assert abs(r["sigma_yx"]["fermi_sea"]) < 1e-12


@pytest.mark.parametrize("xi", XIS)
def test_drude_conductivity(xi):
    r = response(xi)
    assert rel(r["sigma_xx"]["drude"], targets(xi)["drude"]) < 1e-9
    assert "sigma_xx" in r["meta"]["scheme_dependent"]


@pytest.mark.parametrize("xi", XIS)
def test_spin_density_equals_eq104(xi):
    r = response(xi)
    t = targets(xi)
    s = r["spin_density"]
    assert rel(s["x"]["total"], t["s_x"]) < REL               # W^0, along E (second line)
    assert rel(s["y"]["edelstein"], t["edelstein_y"]) < 1e-9  # 1/W, along z x E (first line)
    assert abs(s["x"]["edelstein"]) < 1e-9 * abs(t["edelstein_y"])
    assert abs(s["z"]["total"]) < 1e-8 and abs(s["z"]["edelstein"]) < 1e-8 * abs(t["edelstein_y"])
    # the paper's statement below Eq. 105: sigma_yx = e v <s_x> (v = 1, e = 1 here)
    assert rel(r["sigma_yx"]["total"], s["x"]["total"]) < 1e-12


@pytest.mark.parametrize("xi", XIS)
def test_clean_limit_is_intrinsic_eq74_eq96(xi):
    r = kubo_clean_limit(numeric_model("ti-surface", v=1.0, M=xi * EF), EF)
    t = targets(xi)
    assert rel(r["sigma_yx"]["total"], t["sigma_int"]) < REL
    assert rel(r["spin_density"]["x"]["total"], t["s_int"]) < REL


@pytest.mark.parametrize("choice", [dict(real_part="cutoff"), dict(cutoff=10.0),
                                    dict(real_part="cutoff", cutoff=200.0)])
def test_w0_pieces_do_not_depend_on_real_part_or_cutoff(choice):
    """Re Sigma (dropped, or kept with a momentum cutoff) and the cutoff of the disorder integrals
    renormalise eF and M at O(W): the W^0 Hall and <s_x> pieces must not move (measured
    differences ~5e-10 relative; bound 1e-8), the 1/W pieces neither (bound 1e-9). The W^0
    piece of sigma_xx does move (log of the cutoff): it is flagged as scheme dependent."""
    xi = 0.5
    ref, other = response(xi), response(xi, **choice)
    assert rel(other["sigma_yx"]["total"], ref["sigma_yx"]["total"]) < REL
    assert rel(other["spin_density"]["x"]["total"], ref["spin_density"]["x"]["total"]) < REL
    assert rel(other["sigma_xx"]["drude"], ref["sigma_xx"]["drude"]) < 1e-9
    assert rel(other["spin_density"]["y"]["edelstein"], ref["spin_density"]["y"]["edelstein"]) < 1e-9


def test_sigma_xx_w0_piece_is_scheme_dependent():
    """Physics, not numerics: a/W with a renormalised by O(W) shifts the W^0 piece. Dropping
    Re Sigma or keeping it changes the W^0 piece of sigma_xx by O(1) relative."""
    ref, cut = response(0.5), response(0.5, real_part="cutoff")
    assert rel(cut["sigma_xx"]["total"], ref["sigma_xx"]["total"]) > 0.1


@pytest.mark.parametrize("eta", [1e-3, 1.6e-2])
def test_w0_piece_does_not_depend_on_the_w_ladder(eta):
    """Extrapolating from a ladder of disorder strengths 16x apart gives the same W^0 and 1/W
    coefficients (measured: 1.4e-10 relative; bound 1e-8)."""
    ref, other = response(0.5), response(0.5, eta=eta)
    assert rel(other["sigma_yx"]["total"], ref["sigma_yx"]["total"]) < REL
    assert rel(other["sigma_xx"]["drude"], ref["sigma_xx"]["drude"]) < 1e-9


def test_eF_in_the_gap_gives_the_half_quantum():
    """No Fermi surface: sigma^I vanishes, sigma^II = (e^2/hbar) sum_k Omega = sgn(M) e^2/(4 pi hbar)."""
    for M, eF in ((0.5, 0.2), (-0.5, -0.3)):
        r = kubo_response(numeric_model("ti-surface", v=1.0, M=M), eF, W)
        assert rel(r["sigma_yx"]["total"], math.copysign(1 / (4 * math.pi), M)) < 1e-10
        assert abs(r["sigma_xx"]["drude"]) < 1e-12


def test_units_hbar_e_v():
    """hbar, e and v enter only through the model; the targets scale as written in Eqs. 86, 104."""
    hbar, e, v, xi = 2.0, 3.0, 1.5, 0.5
    model = numeric_model("ti-surface", v=v, M=xi * EF, hbar=hbar, e=e)
    r = kubo_response(model, EF, W)
    t = targets(xi, hbar=hbar, e=e, v=v)
    assert rel(r["sigma_yx"]["total"], t["sigma_yx"]) < REL
    assert rel(r["spin_density"]["x"]["total"], t["s_x"]) < REL
    assert rel(r["sigma_xx"]["drude"], t["drude"]) < 1e-9
    assert rel(r["spin_density"]["y"]["edelstein"], t["edelstein_y"]) < 1e-9


def test_result_shape_and_json():
    import json

    r = response(0.2)
    for block in (r["sigma_yx"], r["sigma_xx"]):
        assert {"total", "drude", "fermi_surface", "ladder", "fermi_sea"} <= set(block)
    for a in "xyz":
        assert {"total", "edelstein"} <= set(r["spin_density"][a])
    assert set(r["extrapolation_error"]) == {"sigma_yx", "sigma_xx", "spin_density"}
    # total = sum of its W^0 pieces
    b = r["sigma_yx"]
    assert abs(b["total"] - (b["fermi_surface"] + b["ladder"] + b["fermi_sea"])) < 1e-12
    json.dumps(r)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan")])
def test_bad_disorder_strength(bad):
    with pytest.raises(SemiclassicalError):
        kubo_response(numeric_model("ti-surface", v=1.0, M=0.3), EF, bad)


def test_fermi_level_at_band_edge():
    with pytest.raises(SemiclassicalError):
        kubo_response(numeric_model("ti-surface", v=1.0, M=0.5), 0.5, W)
