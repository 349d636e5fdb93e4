"""Operator-valued observables in all three engines (issue 15): closed form, quadrature (from H and
O alone, random gauge) and Kubo-Streda agree on every piece they share, by the comparison rule of
engines/compare.py (their own error estimates and stated accuracies: docs/design.md section 5)."""
from __future__ import annotations

import math

import pytest

from semiclassical.engines import Problem, compare
from semiclassical.model import TwoBandModel

RASHBA_FM = ('[model]\nname = "rf-obs"\nhamiltonian = "k**2/(2*m) + alpha*(kx*sy - ky*sx) + Delta*sz"\n'
             'magnetization = "Delta"\n[parameters]\nm = 1.0\nalpha = 1.0\nDelta = 0.5\n'
             '[observables]\nvy = "ky/m - alpha*sx"\nsx = "sx"\n')


@pytest.mark.parametrize("sets", [{"eF": 1.0}, {"eF": 1.3, "Delta": 0.0}])   # two circles; the 2DEG
def test_three_engines_agree_on_spin_hall_and_own_observables(tmp_path, sets):
    path = tmp_path / "rf-obs.toml"
    path.write_text(RASHBA_FM)
    model = TwoBandModel.from_toml(path)
    keys = ("sigma_yx", "spin_density.x", "spin_hall.z", "observables.vy", "observables.sx")
    c = compare(Problem.at(model, sets, observables_=keys), ("closed_form", "quadrature", "kubo"))
    assert c.agree, [str(d) for d in c.disagreements]
    assert c.checked >= 40
    closed = c.responses["closed_form"].values
    if sets.get("Delta") == 0.0:
        # the universal intrinsic value and the vanishing total (docs/spin_hall.md)
        assert closed["spin_hall.z"]["intrinsic"] == pytest.approx(1 / (8 * math.pi), rel=1e-12)
        kubo = c.responses["kubo"]
        assert abs(kubo.value("spin_hall.z", "total")) <= 20 * kubo.error("spin_hall.z", "total") + 1e-9
