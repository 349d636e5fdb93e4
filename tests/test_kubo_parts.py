"""Building blocks of the Kubo engine, each against an exact statement (fast)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from semiclassical.catalogue import numeric_model
from semiclassical.errors import SemiclassicalError
from semiclassical.kubo.contour import fermi_points
from semiclassical.kubo.extrapolation import extrapolate, noise_amplification
from semiclassical.kubo.linalg2 import SIGMA
from semiclassical.kubo.self_energy import born_self_energy, gamma_matrix, real_part_per_w


def test_fermi_radii_of_the_paper_model():
    """eps_+ = sqrt(hbar^2 v^2 k^2 + M^2) = eF at k_F = sqrt(eF^2 - M^2)/(hbar v); slope hbar v sqrt(1 - xi^2)."""
    fp = fermi_points(numeric_model("ti-surface", v=1.3, M=0.4, hbar=0.7), 1.1, 8)
    kf = math.sqrt(1.1 ** 2 - 0.4 ** 2) / (0.7 * 1.3)
    assert np.allclose(fp.k, kf, rtol=1e-14, atol=0)
    assert np.all(fp.band == 1)
    assert np.allclose(fp.slope, 0.7 * 1.3 * math.sqrt(1 - (0.4 / 1.1) ** 2), rtol=1e-12)


def test_two_circles_and_annulus():
    m = numeric_model("rashba-ferromagnet", m=1.0, alpha=1.0, Delta=0.5)
    both = fermi_points(m, 1.0, 4)  # eF > Delta: one circle per band
    assert both.count == 2 and set(both.band[0]) == {0, 1}
    ring = fermi_points(m, -0.55, 4)  # below -Delta, inside the Mexican hat: two lower-band circles
    assert ring.count == 2 and set(ring.band[0]) == {0}


def test_gamma_is_hbar_over_two_tau():
    """Gamma = (pi W rho/2)(1 + xi sigma_z) = (hbar/2 tau)(1 + xi sigma_z), rho = eF/(2 pi hbar^2 v^2)
    (exact contour integral: 1e-13)."""
    eF, M, v, hbar, W = 1.0, 0.3, 1.2, 0.9, 0.02
    gamma, _ = gamma_matrix(numeric_model("ti-surface", v=v, M=M, hbar=hbar), eF)
    rho = eF / (2 * math.pi * hbar ** 2 * v ** 2)
    expected = (math.pi * rho / 2) * (SIGMA[0] + (M / eF) * SIGMA[3])
    assert np.allclose(gamma, expected, rtol=0, atol=1e-13 * abs(expected).max())
    sigma = born_self_energy(numeric_model("ti-surface", v=v, M=M, hbar=hbar), eF, W)
    assert np.allclose(sigma, -1j * W * expected, atol=1e-15)


def test_real_part_with_cutoff():
    """PV int_{k<L} d^2k/(2pi)^2 (eF + M sz)/(eF^2 - M^2 - k^2) = -(eF + M sz) ln[(L^2 + M^2 - eF^2)/(eF^2 - M^2)]/(4 pi)
    (hbar = v = 1); the principal-value rule reaches 1e-9."""
    eF, M, L = 1.0, 0.5, 50.0
    r = real_part_per_w(numeric_model("ti-surface", v=1.0, M=M), eF, L)
    log = math.log((L ** 2 + M ** 2 - eF ** 2) / (eF ** 2 - M ** 2)) / (4 * math.pi)
    assert np.allclose(r, -log * (eF * SIGMA[0] + M * SIGMA[3]), atol=1e-9)


def test_anisotropic_contour_needs_no_closed_form():
    fp = fermi_points(numeric_model("tilted-dirac", t=0.3, v=1.0, M=0.3), 1.0, 16)
    # eps_+ = t k cos(theta) + sqrt(k^2 + M^2) = eF along each ray
    k, th = fp.k[:, 0], fp.theta
    assert np.allclose(0.3 * k * np.cos(th) + np.sqrt(k ** 2 + 0.09), 1.0, atol=1e-14)


def test_extrapolation_recovers_a_laurent_series():
    """X = a/W + b + c W + d W^2 + e W^3 through 6 points: exact up to roundoff; dropping the
    largest W changes the result by the next-order term, which is the error estimate."""
    ws = 1e-3 * 2.0 ** -np.arange(6)
    a, b = 3.7, -0.42
    x = a / ws + b + 5.0 * ws - 7e2 * ws ** 2 + 1e5 * ws ** 3 + 3e7 * ws ** 4
    r = extrapolate(ws, x)
    assert abs(r["inverse"] - a) < 1e-12 * a
    assert abs(r["zeroth"] - b) < 1e-8
    assert r["zeroth_error"] > 0
    amp_m1, amp_0 = noise_amplification(ws)
    assert 5 < amp_0 < 50  # ~10: sum of |Richardson weights| x W_min/W_j
    assert 0 < amp_m1 < 50 * ws[-1]  # the 1/W coefficient is W X: errors enter times W


def test_non_star_shaped_contour_is_rejected():
    """Two Fermi circles of the lower band only on some rays (a Mexican hat pushed off-centre by
    a tilt): the engine needs star-shaped contours and says so in one line."""
    m = numeric_model("rashba-ferromagnet", m=1.0, alpha=1.0, Delta=0.5)
    tilt = 0.4

    def h(kx, ky):
        return m.h(kx, ky) + tilt * np.asarray(kx, float)[..., None, None] * SIGMA[0]

    from semiclassical.numeric_model import NumericModel

    bad = NumericModel(h=h, dh=m.dh, name="tilted-rashba")
    with pytest.raises(SemiclassicalError, match="star-shaped"):
        fermi_points(bad, -0.6, 64)
