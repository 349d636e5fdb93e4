"""eF at a band extremum and at a band touching (issue 18 item 3): one clear line at the point itself,
and values on either side that join (the one-sided limits, measured numerically).

* The Rashba ferromagnet's Mexican hat (m = alpha = 1, Delta = 0.5): the lower band's minimum is the ring
  k0^2 = 1 - Delta^2, eps_min = k0^2/2 - 1 = -0.625. Just above it eF lies in an annulus of width
  ~ sqrt(delta) (two circles with opposite velocities); below it there is no state. Every piece must
  vanish as delta -> 0+ (the annulus closes), matching the zeros below: the Drude and Edelstein terms
  are linear in delta (rho v^2 tau ~ delta at fixed W), the W^0 total ~ sqrt(delta) (the intrinsic
  Fermi-sea term over an annulus of width ~ sqrt(delta)).
* The massless Dirac cone (bands touch at k = 0): the Drude conductivity e^2 v^2/(pi W hbar) does not
  depend on eF, so both sides tend to it.
"""
from __future__ import annotations

import math

import pytest

from semiclassical import catalogue
from semiclassical.engines import Problem, compare
from semiclassical.errors import SemiclassicalError
from semiclassical.model import TwoBandModel

EPS_MIN = -0.625


def _closed(model, eF, engines=("closed_form",)):
    return compare(Problem.at(model, {"eF": eF}), engines)


def test_mexican_hat_bottom_is_one_line_and_both_sides_tend_to_zero():
    model = catalogue.get("rashba-ferromagnet")
    with pytest.raises(SemiclassicalError, match="extremum of band -1.*singular") as info:
        _closed(model, EPS_MIN)
    assert "\n" not in str(info.value)
    values = {}
    for delta in (1e-4, 1e-6):
        c = _closed(model, EPS_MIN + delta)
        assert len(c.responses["closed_form"].meta["circles"]) == 2    # the thin annulus
        values[delta] = c.responses["closed_form"].values
    drude = [values[d]["sigma_xx"]["drude"] for d in (1e-4, 1e-6)]
    edelstein = [values[d]["spin_density.y"]["edelstein"] for d in (1e-4, 1e-6)]
    total = [values[d]["sigma_yx"]["total"] for d in (1e-4, 1e-6)]
    # linear and square-root vanishing: ratios 100 and 10 over two decades (to the next order, ~1e-2)
    assert drude[0] / drude[1] == pytest.approx(100, rel=2e-2)
    assert edelstein[0] / edelstein[1] == pytest.approx(100, rel=2e-2)
    assert total[0] / total[1] == pytest.approx(10, rel=2e-2)
    assert abs(total[1]) < 1e-3 and abs(drude[1]) < 1e-4
    # below the hat: no Fermi surface and nothing filled, every number zero
    below = _closed(model, EPS_MIN - 1e-4).responses["closed_form"].values
    assert all(v == 0 for d in below.values() for v in d.values() if v is not None)
    # and the independent engine sees the same annulus numbers
    assert _closed(model, EPS_MIN + 1e-4, ("closed_form", "quadrature")).agree


def test_band_touching_is_one_line_and_both_sides_join():
    model = TwoBandModel.from_string("v*(kx*sx + ky*sy)", {"v": 1.0}, name="dirac-massless")
    W = 0.01
    with pytest.raises(SemiclassicalError, match="band edge.*zero radius") as info:
        _closed(model, 0.0)
    assert "\n" not in str(info.value)
    limit = 1 / (math.pi * W)          # e^2 v^2/(pi W hbar) at e = v = hbar = 1
    for eF in (1e-6, -1e-6):
        c = _closed(model, eF, ("closed_form", "quadrature"))
        assert c.agree
        values = c.responses["closed_form"].values
        assert values["sigma_xx"]["drude"] == pytest.approx(limit, rel=1e-10)
        assert values["sigma_yx"]["total"] == 0
