"""Magnetic impurities, V = u0 + u_m n.sigma: the quadrature engine (golden rule and Born sums with the
vertex weights w_ab, quadrature/vertices.py) against Kubo-Streda (NCA with the rung
sum_ab w_ab Gamma_a X Gamma_b, kubo/impurities.py), independent implementations of the theory.

Every number the two share must agree (engines.compare). And the Qaiumzadeh-Duine-Titov question
(arXiv:1503.06872): for the Rashba ferromagnet with both subbands occupied the damping-like spin density
<s_x> (torque T ~ m x <s>, m = zhat, E = xhat) vanishes with scalar disorder once the vertex
corrections are in, and is finite with spin-dependent scattering -- in both engines.
"""
from __future__ import annotations

import dataclasses

import pytest

from semiclassical import catalogue
from semiclassical.disorder import Disorder
from semiclassical.engines import Problem, compare

W, W_M = 0.01, 0.005
TI = {"v": 1.0, "M": 0.5, "eF": 1.1}


def _compare(name, point, disorder, engines=("quadrature", "kubo")):
    return compare(dataclasses.replace(Problem.at(catalogue.get(name), point), disorder=disorder), engines)


@pytest.mark.parametrize("name, point, moments", [
    ("ti-surface", TI, "z"), ("ti-surface", TI, "random"), ("ti-surface", TI, "x"),
    ("rashba-ferromagnet", {"eF": 1.0}, "random"), ("rashba-ferromagnet", {"eF": 0.2}, "random-z"),
])
def test_quadrature_equals_kubo_streda(name, point, moments):
    c = _compare(name, point, Disorder("white-noise", W, W_m=W_M, moments=moments))
    assert c.agree and c.checked >= 6, [str(d) for d in c.disagreements]
    # spin-dependent scattering matters at this strength (else the agreement would be white noise's)
    white = _compare(name, point, Disorder("white-noise", W), ("quadrature",)).responses["quadrature"]
    mag = c.responses["quadrature"]
    assert abs(mag.values["sigma_yx"]["total"] - white.values["sigma_yx"]["total"]) > 1e-3


def test_antidamping_spin_density_needs_spin_dependent_scattering():
    rashba = {"eF": 1.0}                              # both subbands occupied
    scalar = _compare("rashba-ferromagnet", rashba, Disorder("white-noise", W))
    magnetic = _compare("rashba-ferromagnet", rashba, Disorder("white-noise", W, W_m=W_M, moments="random"))
    assert scalar.agree and magnetic.agree
    for engine in ("quadrature", "kubo"):
        s = scalar.responses[engine]
        m = magnetic.responses[engine]
        err = max(s.error("spin_density.x", "total"), 1e-9)
        assert abs(s.values["spin_density.x"]["total"]) < 20 * err                 # vanishes: scalar disorder
        assert abs(m.values["spin_density.x"]["total"]) > 1e-2                      # finite: magnetic
