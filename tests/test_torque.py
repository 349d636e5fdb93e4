"""The torque for any magnetization direction (issue 15 item 3): tilting J sz to J m.sigma.

Tolerances: quadrature agrees with the closed forms to ~1e-10 relative of each family (its own
error estimate, engines/quadrature.py); 1e-8 of the family's largest piece is the contract
(docs/design.md section 5).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from semiclassical import catalogue
from semiclassical.engines import Problem, compare, get_engine
from semiclassical.errors import SemiclassicalError
from semiclassical.model import TwoBandModel
from semiclassical.torque import direction, field_and_damping_like, tilted

RTOL = 1e-8
PIECES = ("edelstein", "intrinsic", "extrinsic", "side_jump", "skew", "total")


def test_at_theta_zero_the_torque_is_the_closed_forms_and_engines_agree():
    c = compare(Problem.at(catalogue.get("ti-surface"), {"eF": 1.0, "theta_m": 0.0}), ("closed_form", "quadrature"))
    assert c.agree and "closed_form" in c.responses
    closed = c.responses["closed_form"].values
    M = 0.5
    for p in PIECES:
        assert closed["torque.x"][p] == pytest.approx(-M * closed["spin_density.y"][p], abs=1e-15)
        assert closed["torque.y"][p] == pytest.approx(M * closed["spin_density.x"][p], abs=1e-15)
    assert abs(closed["torque.y"]["total"]) > 1e-3      # the TI's damping-like torque (Eq. 104-105)


def test_ti_surface_in_plane_exchange_is_a_momentum_shift():
    """v(kx sy - ky sx) + J m.sigma = v(kx sy - (ky - J m_x/v) sx) + J m_z sz (m in the xz plane): the
    in-plane part shifts k, so every spin-density piece of the tilted model (anisotropic: quadrature)
    is the covariant model's with mass J cos(theta_m) (closed form)."""
    theta, J = 0.6, 0.5
    model = catalogue.get("ti-surface")
    tilt = get_engine("quadrature").evaluate(
        Problem.at(model, {"eF": 1.0, "M": J, "theta_m": theta}, observables_=("spin_density.x", "spin_density.y")))
    flat = get_engine("closed_form").evaluate(
        Problem.at(model, {"eF": 1.0, "M": J * math.cos(theta)}, observables_=("spin_density.x", "spin_density.y")))
    for key in ("spin_density.x", "spin_density.y"):
        scale = max(abs(x) for p, x in flat.values[key].items() if p != "edelstein")
        for p in PIECES[1:]:
            assert abs(tilt.values[key][p] - flat.values[key][p]) <= RTOL * max(scale, 1e-12), (key, p)
        assert tilt.values[key]["edelstein"] == pytest.approx(flat.values[key]["edelstein"], rel=RTOL, abs=1e-12)


def test_the_torque_is_continuous_as_m_leaves_the_z_axis():
    """Rashba ferromagnet: theta_m = 1e-4 (quadrature, anisotropic) joins theta_m = 0 (closed form)."""
    model = catalogue.get("rashba-ferromagnet")
    at0 = compare(Problem.at(model, {"eF": 1.0}), ("closed_form",)).responses["closed_form"].values
    near = compare(Problem.at(model, {"eF": 1.0, "theta_m": 1e-4}), ("quadrature",)).responses["quadrature"].values
    for p in PIECES:
        # first order in theta_m: |T(1e-4) - T(0)| ~ 1e-4 |T|
        assert near["torque.x"][p] == pytest.approx(at0["torque.x"][p], rel=1e-3, abs=1e-7)
        assert near["torque.y"][p] == pytest.approx(at0["torque.y"][p], rel=1e-3, abs=1e-7)


def test_field_and_damping_like_split_recomposes_the_torque():
    rng = np.random.default_rng(1)
    for _ in range(5):
        m = np.asarray(direction(rng.uniform(0.1, 3.0), rng.uniform(0, 2 * np.pi)))
        T = np.cross(m, rng.normal(size=3))             # any torque is perpendicular to m
        fl, dl = field_and_damping_like(T, m)
        y = np.array([0.0, 1.0, 0.0])
        back = fl * np.cross(m, y) + dl * np.cross(m, np.cross(y, m))
        # m x y and m x (y x m) = y - (m.y) m are orthogonal and both perpendicular to m: a basis
        assert np.allclose(back, T, atol=1e-12)
    assert all(math.isnan(x) for x in field_and_damping_like((1.0, 0.0, 0.0), (0.0, 1.0, 0.0)))


def test_tilting_needs_an_exchange_term_named_by_the_model():
    plain = TwoBandModel.from_string("kx*sy - ky*sx + M*sz", {"M": 0.5})
    with pytest.raises(SemiclassicalError, match="names no magnetization parameter"):
        Problem.at(plain, {"eF": 1.0, "theta_m": 0.3})
    quadratic = TwoBandModel.from_string("kx*sy - ky*sx + M**2*sz", {"M": 0.5})
    quadratic.magnetization = "M"
    with pytest.raises(SemiclassicalError, match="exchange term M\\*sz"):
        tilted(quadratic, 0.3)
    with pytest.raises(SemiclassicalError, match="theta_m = nan"):
        Problem.at(catalogue.get("ti-surface"), {"eF": 1.0, "theta_m": float("nan")})
