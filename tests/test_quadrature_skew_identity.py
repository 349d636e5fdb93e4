"""Skew reading T of the quadrature engine (golden rule with the fourth-order non-crossing T-matrix,
quadrature.subleading) against reading C's Fermi-shell source, its closed form, and gauges.

Identity (exact; derived by the lead, quadrature.subleading docstring): the reading-T source b^T,
built from the three Born-series pieces (self-energy insertions on the incoming and outgoing legs,
ladder with a virtual interband partner), equals twice the Fermi-shell diagonal of reading C's
static-form J(S'), node by node, and both equal
    b_l = (4 pi^2 W^2/hbar) sum_{j,q} w_j w_q g_j Omega_ljq (1/Delta_l + 1/Delta_j + 1/Delta_q),
    Omega_ljq = Im(<l|j><j|q><q|l>).
The three are computed by different code (T-matrix pieces; the general collision integral applied
twice; the triple sum here), each in a random k-dependent gauge. Measured residuals 1e-16 to 1e-15
relative to max|b|; asserted 1e-12. Gauge invariance: rates, sources and the skew pieces agree
between two random gauges to rounding (measured <= 1e-14 relative); asserted 1e-12.
"""
from __future__ import annotations

import numpy as np
import pytest

from semiclassical.catalogue import numeric_model
from semiclassical.quadrature import RandomGauge, evaluate, fermi_surface_terms
from semiclassical.quadrature.collision import J0Solver
from semiclassical.quadrature.leading import leading_distribution
from semiclassical.quadrature.shell import ShellFactory
from semiclassical.quadrature.subleading import (DEFAULT_SKEW_READING, golden_rule_rates, golden_rule_source,
                                                 skew_scattering)

W = 0.03
RASHBA = dict(m=1.0, alpha=1.0, Delta=0.5)
CASES = {  # name -> (model, eF, number of Fermi contours)
    "ti": (numeric_model("ti-surface", M=0.4, v=1.3, hbar=0.9, e=1.1), 1.0, 1),
    "rashba one circle": (numeric_model("rashba-ferromagnet", **RASHBA), 0.2, 1),
    "rashba two circles, one per band": (numeric_model("rashba-ferromagnet", **RASHBA), 1.0, 2),
    "rashba two circles of the lower band": (numeric_model("rashba-ferromagnet", **RASHBA), -0.55, 2),
    "dirac + D k^2": (numeric_model("dirac-quadratic", v=1.0, M=0.5, B=0.3, D=0.1), 1.0, 1),
    "tilted cone": (numeric_model("tilted-dirac", v=1.0, M=0.3, t=0.3), 1.0, 1),
}


def setup(name, seed, n_theta=24):
    model, eF, n_contours = CASES[name]
    hbar, e = float(model.hbar), float(model.e)
    factory = ShellFactory(model, n_theta, gauge=RandomGauge(seed))
    shell = factory.get(eF)
    assert len(shell.contours) == n_contours
    solver = J0Solver(shell, W, hbar)
    g = leading_distribution(solver, e)
    return factory, shell, solver, g, hbar


def omega_form(shell, g, hbar):
    """The closed form of b (module docstring): triple sum over Fermi-shell nodes."""
    idx = np.arange(shell.size)
    en = shell.data.energies
    inv = 1.0 / (en[idx, shell.band] - en[idx, 1 - shell.band])
    o = np.conj(shell.own) @ shell.own.T
    omega = np.imag(np.einsum("lj,jq,ql->ljq", o, o, o))
    w = shell.weight
    d = inv[:, None, None] + inv[None, :, None] + inv[None, None, :]
    return 4 * np.pi**2 * W**2 / hbar * np.einsum("j,q,j,ljq,ljq->l", w, w, g, omega, d)


@pytest.mark.parametrize("name", list(CASES))
def test_t_source_is_twice_the_fermi_shell_part_of_reading_c(name):
    factory, shell, solver, g, hbar = setup(name, seed=7)
    b_t, rates = golden_rule_source(shell, g, W, hbar)
    sk_c = skew_scattering(factory, shell, g, W, hbar, {id(shell): solver}, reading="C")
    idx, c = np.arange(shell.size), shell.band
    fermi_c = np.real(sk_c.j_sk.on_shell[idx, c, c])
    scale = np.abs(b_t).max()
    assert scale > 0
    assert np.abs(b_t - 2 * fermi_c).max() <= 1e-12 * scale
    assert np.abs(b_t - omega_form(shell, g, hbar)).max() <= 1e-12 * scale
    # the Born-series rate is antisymmetric by itself; the source conserves the shell population
    assert np.abs(rates + rates.T).max() <= 1e-12 * np.abs(rates).max()
    assert abs(np.sum(shell.weight * b_t)) <= 1e-13 * np.sum(shell.weight * np.abs(b_t))
    # reading C has mirror shells, reading T only the Fermi shell, and its part there is b^T
    sk_t = skew_scattering(factory, shell, g, W, hbar, {id(shell): solver}, reading="T")
    assert DEFAULT_SKEW_READING == "T" and sk_t.reading == "T" and sk_t.j_sk is None
    assert len(sk_t.parts) == 1 and sk_t.parts[0].shell is shell
    np.testing.assert_array_equal(sk_t.parts[0].source, b_t)
    assert len(sk_c.parts) > 1


@pytest.mark.parametrize("name", list(CASES))
def test_t_rates_and_source_are_gauge_invariant(name):
    _, a, _, g_a, hbar = setup(name, seed=1)
    _, b, _, g_b, _ = setup(name, seed=2)
    np.testing.assert_allclose(a.k, b.k, rtol=1e-14)
    ra, rb = golden_rule_rates(a, W, hbar), golden_rule_rates(b, W, hbar)
    assert np.abs(ra - rb).max() <= 1e-12 * np.abs(ra).max()
    sa, sb = golden_rule_source(a, g_a, W, hbar)[0], golden_rule_source(b, g_b, W, hbar)[0]
    assert np.abs(sa - sb).max() <= 1e-12 * np.abs(sa).max()


@pytest.mark.parametrize("name", list(CASES))
def test_t_skew_response_is_gauge_seed_independent(name):
    model, eF, _ = CASES[name]
    t1 = fermi_surface_terms(model, eF, W, 24, gauge=RandomGauge(3))
    t2 = fermi_surface_terms(model, eF, W, 24, gauge=RandomGauge(4))
    assert t1["skew_reading"] == t2["skew_reading"] == "T"
    for fam in ("current", "spin"):
        x, y = t1[fam]["skew"], t2[fam]["skew"]
        assert np.abs(x - y).max() <= 1e-12 * np.abs(x).max()
    r1 = evaluate(model, eF, W, gauge_seed=5, sea=False)
    r2 = evaluate(model, eF, W, gauge_seed=6, sea=False)
    for a, b in ((r1["sigma_yx"]["skew"], r2["sigma_yx"]["skew"]),
                 (r1["spin_density"]["x"]["skew"], r2["spin_density"]["x"]["skew"]),
                 (r1["spin_density"]["y"]["skew"], r2["spin_density"]["y"]["skew"])):
        assert abs(a - b) <= 1e-12 * max(abs(r1["sigma_yx"]["skew"]), abs(r1["spin_density"]["x"]["skew"]))
