"""Correlated disorder in every engine: closed form = quadrature = Kubo-Streda (issue 14, checks).

The closed forms (harmonics W_l of the correlator's shape, disorder.kernel_average) and the
quadrature engine (the kernel W(|k_i - k_j|) on the Fermi contour, quadrature/kernel.py) are
independent implementations of the same sums; every number they share must agree within the engines'
stated tolerances (engines.compare: closed 1e-12, quadrature 1e-8 relative to each response's scale).
Points: k_F d = 0.3, 1, 3 for the Gaussian; one screened-Coulomb point per model; the quadrature engine
works in a random gauge, and one closed-form evaluation below in another random gauge. Kubo-Streda (NCA
with the kernel in Gamma(k) and the ladder, kubo/kernel.py) is the independent diagrammatic check of
the semiclassical totals: its W^0 sigma_yx, <s_x> and 1/W Drude, Edelstein terms must agree within its
own extrapolation errors.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from semiclassical import catalogue
from semiclassical.bloch import Gauge
from semiclassical.derivation import Derivation
from semiclassical.disorder import Disorder
from semiclassical.engines import Problem, compare
from semiclassical.engines.closed_form import ClosedForm

W = 0.01
# (model, point, largest Fermi radius there, the Gaussian's k_F d values): k_F d = 0.3, 1, 3 for the
# TI (cheap), k_F d = 3 elsewhere (farthest from white noise, whose limit tests/test_correlated_closed_form.py
# and tests/test_quadrature_disorder.py check), plus one screened-Coulomb point each
CASES = [
    ("ti-surface", {"v": 1.0, "M": 0.5, "eF": 1.1}, np.sqrt(1.1**2 - 0.25), (0.3, 1.0, 3.0)),
    ("dirac-quadratic", {"eF": 1.0}, None, (3.0,)),
    ("rashba-ferromagnet", {"eF": 0.2}, None, (3.0,)),       # one circle
    ("rashba-ferromagnet", {"eF": 1.0}, None, (3.0,)),       # two coupled circles
]


def _problem(name, point, disorder):
    return dataclasses.replace(Problem.at(catalogue.get(name), point), disorder=disorder)


def _kF(name, point):
    """The largest Fermi radius (the scenario alone: no symbolic work)."""
    problem = _problem(name, point, Disorder("white-noise", W))
    return max(kc for _, _, kc in Derivation(problem.model).scenario(problem.values).circles)


@pytest.mark.parametrize("name, point, kF, kds", CASES, ids=lambda x: x if isinstance(x, str) else None)
def test_closed_form_equals_quadrature(name, point, kF, kds):
    kF = kF or _kF(name, point)
    disorders = [Disorder("gaussian", W, {"d": kd / kF}) for kd in kds]
    disorders.append(Disorder("screened-coulomb", W, {"q_s": kF}))
    for disorder in disorders:
        c = compare(_problem(name, point, disorder), ("closed_form", "quadrature"))
        assert c.agree and c.checked >= 10, (disorder.describe(), c.disagreements)
    # the kernel matters: k_F d = 3 is not white noise (else the test above would prove little)
    white = compare(_problem(name, point, Disorder("gaussian", W, {"d": 1e-6 / kF})), ("closed_form",))
    far = compare(_problem(name, point, disorders[-2]), ("closed_form",))
    assert abs(far.responses["closed_form"].values["sigma_xx"]["drude"]
               / white.responses["closed_form"].values["sigma_xx"]["drude"] - 1) > 0.1


def test_closed_form_in_a_random_gauge():
    model = catalogue.get("ti-surface")
    problem = _problem("ti-surface", CASES[0][1], Disorder("gaussian", W, {"d": 1.0}))
    canonical = ClosedForm().evaluate(problem).values
    D = Derivation(model, Gauge.random(7), correlated=True)
    random = ClosedForm().evaluate_with(D, problem).values
    for key, pieces in canonical.items():
        for piece, value in pieces.items():
            if value is not None:
                assert random[key][piece] == pytest.approx(value, rel=1e-10, abs=1e-13), (key, piece)


@pytest.mark.parametrize("name, point, disorder", [
    ("ti-surface", CASES[0][1], Disorder("gaussian", W, {"d": 3.0})),
    ("dirac-quadratic", {"eF": 1.0}, Disorder("gaussian", W, {"d": 1.0})),
    ("rashba-ferromagnet", {"eF": 1.0}, Disorder("gaussian", W, {"d": 1.0})),   # two circles: total != 0
], ids=["ti", "dirac-quadratic", "rashba-two-circles"])
def test_semiclassical_totals_equal_kubo_streda(name, point, disorder):
    c = compare(_problem(name, point, disorder), ("closed_form", "kubo"))
    assert c.agree and c.checked >= 4, [str(d) for d in c.disagreements]   # totals, Drude, Edelstein
    kubo = c.responses["kubo"]
    assert not kubo.doubts, kubo.doubts
    # a real test: the correlated total differs from the white-noise one by far more than Kubo's error
    white = compare(_problem(name, point, Disorder("gaussian", W, {"d": 1e-6})), ("closed_form",))
    diff = abs(white.responses["closed_form"].values["sigma_yx"]["total"] - kubo.values["sigma_yx"]["total"])
    assert diff > 1e3 * kubo.errors["sigma_yx"]["total"]
