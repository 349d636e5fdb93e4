"""The pair-skew closed form of the package (semiclassical.skew.pair_closed; docs/pair_skew.md, section 10).

Targets: the quadrature engine's ``pair_skew_response`` (independent: numeric eigenvectors in a random
gauge, Fermi-pole partial fractions, FFT of the numerators, Gauss-Legendre outer moments) at points of
either sign of M, v, eF, hbar != 1, the rotated variants kx sx + ky sy (spin phase w = 1), a general
phase and the mirror image J = -1; the rate itself, point by point; Ado et al.'s closed form; `derive`
and `check`.

Tolerances. The quadrature's ``error`` is the change between its two resolutions, floored at 1e-13 of
the largest of (sigma_yx, <s_x>, <s_y>) (docs/pair_skew.md, section 5; at these points the change is
below that floor, so error = 1e-13 relative). Each test first asserts that error is below 1e-12 of the scale (the quadrature converged), then
|closed - quadrature| <= 10 error: a decade above the quadrature's own estimate, i.e. <= 1e-11 relative
at most (measured differences 4e-16 .. 5e-16).
"""
from __future__ import annotations

import json

import numpy as np
import pytest
import sympy as sp

from semiclassical import catalogue
from semiclassical.chain_document import as_latex_document
from semiclassical.chain_pair import PAIR_KEYS, pair_results
from semiclassical.check import check
from semiclassical.cli import main
from semiclassical.engines.closed_form import derivation_for
from semiclassical.fermi import W, eF
from semiclassical.model import TwoBandModel, e
from semiclassical.parsing import hbar
from semiclassical.quadrature.pair_skew import fermi_circles, pair_rate, pair_skew_response
from semiclassical.quadrature.shell import ShellFactory
from semiclassical.skew.pair_closed import dirac_class, pair_rate_form, pair_skew_closed

TI = "hbar*v*(kx*sy - ky*sx) + M*sz"
ROTATED = "v*(kx*sx + ky*sy) + M*sz"


def _closed(ham, values, eF_value, e_value=1.0):
    """(sigma_yx, <s_x>, <s_y>) of the closed form, made explicit in eF (Derivation.explicit, the route of
    `derive`), at the point; and the model."""
    params = {n: v for n, v in values.items() if n != "hbar"}
    model = TwoBandModel.from_string(ham, params, name="m")
    base = model.resolve_values(values)
    D = derivation_for(model, "T", base)
    point = {**base, "eF": eF_value}
    sc = D.scenario(point)
    r = pair_skew_closed(D.bs, sc.shell, D.corr)
    subs = {D.model.parameters[n]: base[n] for n in D.model.parameters}
    subs.update({eF: eF_value, W: 0.37, e: e_value, hbar: base["hbar"]})
    out = [complex(D.explicit(x, sc, point).xreplace(subs).evalf(17)) for x in (r["sigma_yx"], *r["spin_density"])]
    assert all(abs(x.imag) < 1e-15 for x in out)
    return np.array([x.real for x in out]), model


def _quadrature(model, values, eF_value, seed, e_value=1.0):
    r = pair_skew_response(model.numeric(values, e=e_value), eF_value, 1.0, gauge_seed=seed)
    return np.array([r["sigma_yx"], r["spin_density"]["x"], r["spin_density"]["y"]]), r["error"]


@pytest.mark.parametrize("ham,values,eF_value,seed,e_value", [
    (TI, {"v": 1.0, "M": 0.5}, 1.0, 0, 1.0),                          # the catalogue TI, band +
    (TI, {"v": 1.0, "M": -0.5}, 1.3, 7, 1.0),                         # negative M
    (TI, {"v": -1.3, "M": 0.4, "hbar": 0.7}, -0.9, 5, 1.3),          # v < 0, eF < 0 (band -), hbar, e != 1
    (ROTATED, {"v": 1.0, "M": 0.5}, 1.3, 11, 1.0),                    # kx sx + ky sy: w = 1
    ("v*(cos(a)*(kx*sx + ky*sy) + sin(a)*(kx*sy - ky*sx)) + M*sz", {"v": 0.8, "M": -0.3, "a": 0.3}, -0.7, 3, 1.0),
    ("v*(kx*sx - ky*sy) + M*sz", {"v": 1.0, "M": 0.5}, 1.3, 2, 1.0),  # winding J = -1 (a mirror)
])
def test_closed_form_equals_quadrature(ham, values, eF_value, seed, e_value):
    """sigma_yx, <sigma_x>, <sigma_y> of the pair piece: closed form (explicit in eF) = quadrature in a
    random eigenvector gauge (module docstring: tolerances)."""
    cf, model = _closed(ham, values, eF_value, e_value)
    q, err = _quadrature(model, values, eF_value, seed, e_value)
    scale = np.max(np.abs(q))
    assert scale > 1e-3
    assert err < 1e-12 * scale
    assert np.max(np.abs(cf - q)) <= 10 * err, (cf, q, err)


def test_rate_point_by_point():
    """omega(phi) of the closed form (before the angular moment) = the quadrature's pair_rate, at angles
    away from 0 and pi (where omega ~ 1/(phi - pi)); and omega is odd. Tolerance 1e-10 relative: the
    quadrature's rate is exact up to the FFT of a trigonometric polynomial (n_inner = 64 > its degree)."""
    values, eF_value = {"v": 1.0, "M": 0.5}, 1.2
    model = TwoBandModel.from_string(TI, values, name="m")
    cls, _ = dirac_class(model)
    _, rate, (C, S) = pair_rate_form(cls, 1)
    num = model.numeric(values)
    circles = fermi_circles(num, ShellFactory(num, 16).get(eF_value))
    kF, rho = circles[0].k, circles[0].dos
    dd = eF_value
    phi = np.array([0.4, 1.1, 2.0, 2.7, 3.6, 5.0])
    ours = np.array([complex(rate.xreplace({C: 0.5 / dd, S: kF / dd, sp.Symbol("s_pair", nonzero=True): np.exp(0.5j * x)}))
                     for x in phi])
    ours = (2 * np.pi) * 2 * np.pi * rho / dd * ours
    ref = pair_rate(num, eF_value, circles, 0, 0, phi, 1.0)
    assert np.max(np.abs(ours.imag)) < 1e-12 * np.max(np.abs(ref))
    assert np.max(np.abs(ours.real - ref)) < 1e-10 * np.max(np.abs(ref))
    back = np.array([complex(rate.xreplace({C: 0.5 / dd, S: kF / dd, sp.Symbol("s_pair", nonzero=True): np.exp(-0.5j * x)}))
                     for x in phi])
    assert np.max(np.abs(back + ours / ((2 * np.pi) * 2 * np.pi * rho / dd))) < 1e-12 * np.max(np.abs(back))


def test_ti_surface_closed_form_is_ado_and_spin_follows_current():
    """TI surface, eF > M > 0: sigma^pair = -(2/pi) e^2 eF M (eF^2 - M^2)/(hbar (eF^2 + 3M^2)^2) (the form
    of docs/pair_skew.md, sections 6 and 10, which with Sinitsyn's NCA total gives Ado et al.'s), and
    <sigma_x>^pair = sigma^pair/(e v) exactly (s = (hbar/2ev) z x j), <sigma_y>^pair = 0."""
    model = catalogue.get("ti-surface")
    base = model.resolve_values({})
    D = derivation_for(model, "T", base)
    point = {**base, "eF": 1.0}
    sc = D.scenario(point)
    r = pair_skew_closed(D.bs, sc.shell, D.corr)
    sig, sx, sy = (D.explicit(x, sc, point) for x in (r["sigma_yx"], *r["spin_density"]))
    M, v = D.model.parameters["M"], D.model.parameters["v"]
    target = -2 * e**2 * eF * M * (eF**2 - M**2) / (sp.pi * hbar * (eF**2 + 3 * M**2) ** 2)
    assert sp.simplify(sig - target) == 0
    assert sp.simplify(sx - sig / (e * v)) == 0 and sy == 0


def test_derive_json_has_the_keys_and_sympify_reads_them(capsys):
    """derive --json: the pair-skew results with the other pieces' keys; expr and explicit read back with
    sympify (names: parameters, eF, e, hbar and the circle variables) and equal the quadrature (1e-11)."""
    assert main(["derive", "ti-surface", "--set", "eF=1.2", "--set", "M=-0.4", "--json",
                 "--only", ",".join(PAIR_KEYS)]) == 0
    records = {r["key"]: r for r in json.loads(capsys.readouterr().out)["results"]}
    assert set(records) == set(PAIR_KEYS)
    rec = records["sigma_yx.pair_skew"]
    assert rec["equation"].startswith("P5") and rec["order"] == "W^0" and rec["latex"]
    assert {s.name for s in sp.sympify(rec["expr"]).free_symbols} <= {"C_1", "S_1", "dd_1", "rho_1", "d0p_1",
                                                                         "ddp_1", "e", "hbar"}
    model = catalogue.get("ti-surface")
    q, err = _quadrature(model, {"v": 1.0, "M": -0.4}, 1.2, 0)
    for key, ref in zip(PAIR_KEYS, q):
        back = sp.sympify(records[key]["explicit"])
        assert {s.name for s in back.free_symbols} <= {"M", "eF", "hbar", "e", "v"}
        x = float(back.subs({"M": -0.4, "eF": 1.2, "hbar": 1, "e": 1, "v": 1}))
        assert abs(x - ref) <= 10 * err, key


def test_check_judges_the_pair_piece():
    """`check` knows sigma_yx.pair_skew: the hand form of Ado et al.'s pair piece is equal."""
    v = check(catalogue.get("ti-surface"), "sigma_yx.pair_skew",
              "-2*e**2*eF*M*(eF**2 - M**2)/(pi*hbar*(eF**2 + 3*M**2)**2)", {"eF": 1.1})
    assert v.verdict == "equal", v


def test_model_outside_the_class_gets_the_note_and_the_quadrature_number():
    """The chiral model (winding 2): not derived, one note saying why and pointing to evaluate --crossed;
    with eF, the quadrature's number, labelled as such; dirac-quadratic: d0 != 0 named."""
    model = catalogue.get("chiral")
    base = model.resolve_values({})
    D = derivation_for(model, "T", base)
    point = {**base, "eF": 1.0}
    sc = D.scenario(point)
    results = {r.key: r for r in pair_results(D, sc, point, budget=30)}
    assert set(results) == set(PAIR_KEYS)
    r = results["sigma_yx.pair_skew"]
    assert r.expr is None and "winding J = 2" in r.notes[0] and "evaluate chiral --crossed --set eF=1" in r.notes[0]
    ref = pair_skew_response(model.numeric(base), 1.0)["sigma_yx"]
    assert r.notes[1].startswith("quadrature (pair_skew_response, not a closed form)")
    assert abs(float(r.notes[1].split(": ")[1].split(" ")[0]) - ref) < 1e-11 * abs(ref)
    assert "not derived" in str(r)
    tex = as_latex_document(model, [], [("eF = 1", list(results.values()))])
    assert "not derived: no closed form for this model" in tex and "\\text{None}" not in tex
    no_point = pair_results(D, sc, None)[0]
    assert len(no_point.notes) == 1
    assert "d0 = D*k**2 is not zero" in dirac_class(catalogue.get("dirac-quadratic"))[1]
