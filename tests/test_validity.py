"""The validity statement of `evaluate` (issue 22 item 4; semiclassical/validity.py, docs/design.md section 3)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from semiclassical import catalogue
from semiclassical.engines import Problem
from semiclassical.validity import VALIDITY_RATIO, assess


def _assess(name, sets):
    p = Problem.at(catalogue.get(name), sets)
    return assess(p.model, p.values, p.W)


@pytest.mark.parametrize("hbar, v, eF", [(1.0, 1.0, 1.0), (2.0, 1.5, 0.8)])
def test_broadening_bound_of_the_ti_surface(hbar, v, eF):
    # one circle, eps = sqrt(hbar^2 v^2 k^2 + M^2): k/|eps'| = eps/(hbar v)^2, so 2 pi W rho = W eF/(hbar v)^2
    val = _assess("ti-surface", {"hbar": hbar, "v": v, "M": 0.5, "eF": eF, "W": 0.02})
    assert val.broadening == pytest.approx(0.02 * eF / (hbar * v) ** 2, rel=1e-12)
    assert val.distance == pytest.approx(eF - 0.5, rel=1e-12)      # the band bottom at k = 0, eps = M
    assert val.applicable is (val.broadening <= VALIDITY_RATIO * val.distance)


def test_mexican_hat_bottom_is_the_nearest_feature():
    # dirac-quadratic, band-inverted (B = 2, D = 0.1): the upper band has a ring minimum near 0.445
    val = _assess("dirac-quadratic", {"B": 2.0, "D": 0.1, "eF": 0.45, "W": 1e-6})
    assert "extremum of band +1" in val.feature and val.distance < 0.01 and val.applicable


@pytest.mark.parametrize("sets", [{"W": 1e6, "eF": 1.0}, {"eF": 0.5000001}])
def test_strong_disorder_and_band_edges_warn(sets):
    args = [x for n, v in sets.items() for x in ("--set", f"{n}={v}")]
    out = subprocess.run([sys.executable, "-m", "semiclassical", "evaluate", "ti-surface", *args, "--engines", "closed",
                          "--json"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "warning: weak-disorder expansion NOT applicable" in out.stderr
    assert json.loads(out.stdout)["validity"]["applicable"] is False


def test_anisotropic_models_are_not_assessed():
    assert _assess("warped-dirac", {"eF": 1.0}).applicable is None
