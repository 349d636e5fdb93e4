"""Quadrature engine with magnetic impurities V = u0 + u_m n.sigma (derivation: docs/magnetic_impurities.md).

Tolerances. W_m -> 0 is taken at W_m = 1e-40 W, where the cross weights sqrt(W W_m) are 1e-20 W: the
engine's channels are then the scalar vertex to rounding, and every piece agrees to 1e-12 relative to
its family (the channel sums add in another order than the scalar sums). The Born-level checks
written here (own eigenvectors, own vertex sum, scipy quad or a 256-angle Nystrom solve) are compared
at 1e-9 (the engine's requested rtol is 1e-10); the linearity in w at 1e-12 (rounding of the channel
decomposition). ``sea=False`` throughout: the Fermi sea does not depend on disorder.
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad

from semiclassical.catalogue import numeric_model
from semiclassical.disorder import Disorder
from semiclassical.quadrature import ShellFactory, evaluate
from semiclassical.quadrature.collision import j0_matrix
from semiclassical.quadrature.extrinsic import extrinsic_velocity
from semiclassical.quadrature.gauge import RandomGauge
from semiclassical.quadrature.subleading import side_jump_source
from semiclassical.quadrature.vertices import PAULI, channels_from_weights, vertex_channels
from engine_numbers import FAMILIES as PATHS, RASHBA_ONE, RASHBA_TWO, TI, pick

W, W_M = 0.01, 0.004
MOMENTS = ("z", "x", "random", "random-z")
SPIN_DIAGONAL = ("rashba-ferromagnet", {"m": 1.0, "alpha": 0.0, "Delta": 0.5}, 1.0)   # H = k^2/2m + Delta sz


def worst_relative(a, b) -> float:
    worst = 0.0
    for paths in PATHS.values():
        fa, fb = (np.array([pick(r, p) for p in paths]) for r in (a, b))
        worst = max(worst, float(np.max(np.abs(fa - fb)) / max(np.max(np.abs(fa)), 1e-300)))
    return worst


def magnetic(moments, W_m=W_M):
    return Disorder("white-noise", W, W_m=W_m, moments=moments)


def run(case, disorder=None, **kw):
    name, params, eF = case
    return evaluate(numeric_model(name, **params), eF, W, sea=False, disorder=disorder, **kw)


# ------------------------------------------------------------------ 1. W_m -> 0 is scalar white noise
@pytest.mark.parametrize("case", [TI, RASHBA_TWO, RASHBA_ONE], ids=["ti", "rashba-two", "rashba-one"])
def test_vanishing_magnetic_strength_is_white_noise(case):
    white = run(case)
    for moments in MOMENTS:
        res = run(case, magnetic(moments, W_m=1e-40 * W))
        assert worst_relative(white, res) <= 1e-12, moments
        # a finite W_m changes the numbers (the test can fail): every distribution scatters
        assert worst_relative(white, run(case, magnetic(moments))) > 1e-3, moments


# ------------------------------------------------------------------ 2. Born level written here
def ti_state(theta, kF, M=0.5):
    """Upper-band eigenvector of H = kx sy - ky sx + M sz at k = kF (cos, sin) (numpy eigh)."""
    kx, ky = kF * np.cos(theta), kF * np.sin(theta)
    h = kx * PAULI[2] - ky * PAULI[1] + M * PAULI[3]
    return np.linalg.eigh(h)[1][:, 1]


def born_rate(w, u, up):
    """sum_ab w_ab <u|G_a|u'><u'|G_b|u> straight from the weights (no channels)."""
    return float(np.real(np.einsum("ab,a,b->", w, np.conj(u) @ PAULI @ up, np.conj(up) @ PAULI @ u)))


@pytest.mark.parametrize("moments", MOMENTS)
def test_born_level_against_direct_quadrature(moments):
    eF, M = TI[2], 0.5
    kF = np.sqrt(eF**2 - M**2)
    rho, vF = eF / (2 * np.pi), kF / eF                     # hbar = e = v = 1
    d = magnetic(moments)
    w = d.vertex_weights()
    res = run(TI, d)
    if moments != "x":
        # rotation about z maps the distribution to itself: the rate depends on theta - theta' only,
        # g = -e tau_tr E.v exactly, 1/tau_tr = (2 pi/hbar) rho <P (1 - cos phi)> (Eq. 30)
        u0 = ti_state(0.0, kF)
        inv_tau = 2 * np.pi * rho * quad(lambda p: born_rate(w, u0, ti_state(p, kF)) * (1 - np.cos(p)),
                                         0, 2 * np.pi, epsabs=0, epsrel=1e-13)[0] / (2 * np.pi)
        (tt,) = res["meta"]["transport_times"]
        assert tt["exact"]
        assert tt["tau_tr"] == pytest.approx(1 / inv_tau, rel=1e-9)
        assert res["sigma_xx"]["drude"] == pytest.approx(rho * vF**2 / (2 * inv_tau), rel=1e-9)
        return
    # in-plane moments break the rotation: Nystrom solve of Eq. 28 on 256 angles of the circle
    n = 256
    th = 2 * np.pi * np.arange(n) / n
    us = [ti_state(t, kF) for t in th]
    p = np.array([[born_rate(w, a, b) for b in us] for a in us])
    a_mat = 2 * np.pi * (rho / n) * (np.diag(p.sum(axis=1)) - p)
    vx, vy = vF * np.cos(th), vF * np.sin(th)
    g = np.linalg.lstsq(np.vstack([a_mat, np.ones(n)]), np.append(-vx, 0.0), rcond=None)[0]   # -e E.v
    assert res["sigma_xx"]["drude"] == pytest.approx(-(rho / n) * np.sum(vx * g), rel=1e-9)
    assert res["sigma_yx"]["drude"] == pytest.approx(-(rho / n) * np.sum(vy * g),
                                                     abs=1e-9 * res["sigma_xx"]["drude"])


# ------------------------------------------------------------------ 3. gauge and linearity in w
@pytest.mark.parametrize("moments", ["x", "random"])
def test_gauge_seeds_agree(moments):
    a = run(RASHBA_TWO, magnetic(moments), gauge_seed=0)
    b = run(RASHBA_TWO, magnetic(moments), gauge_seed=7)
    assert worst_relative(a, b) <= 1e-9


def aligned_weights(n):
    """Hand-built weights of moments all along the unit vector n (Disorder builds only +x and +z)."""
    v = np.concatenate([[np.sqrt(W)], np.sqrt(W_M) * np.asarray(n, float)])
    return np.outer(v, v)


def test_random_is_the_mean_of_aligned_directions():
    """Born-level sums are linear in w: isotropic moments = the mean over +-x, +-y, +-z.

    The six weights average to W e00 + (W_m/3) 1 exactly (the cross terms sqrt(W W_m) n cancel
    between n and -n), i.e. the weights of "random"; ditto +-z for "random-z".
    """
    name, params, eF = RASHBA_TWO
    shell = ShellFactory(numeric_model(name, **params), 32, gauge=RandomGauge(3)).get(eF)
    sums = (lambda ch: j0_matrix(shell, W, 1.0, vertices=ch),
            lambda ch: extrinsic_velocity(shell, W, 1.0, vertices=ch),
            lambda ch: side_jump_source(shell, W, 1.0, 1.0, vertices=ch))
    axes = np.eye(3)
    for moments, dirs in (("random", [s * e for e in axes for s in (1, -1)]), ("random-z", [axes[2], -axes[2]])):
        ch = vertex_channels(magnetic(moments))
        assert np.allclose(np.mean([aligned_weights(n) for n in dirs], axis=0), magnetic(moments).vertex_weights(),
                           rtol=0, atol=1e-15 * W)
        for f in sums:
            ref = f(ch)
            mean = np.mean([f(channels_from_weights(aligned_weights(n), W)) for n in dirs], axis=0)
            assert np.max(np.abs(mean - ref)) <= 1e-12 * np.max(np.abs(ref))
    # and a single aligned direction is not the mean (the check can fail)
    f = sums[0]
    assert np.max(np.abs(f(channels_from_weights(aligned_weights(axes[0]), W))
                         - f(vertex_channels(magnetic("random"))))) > 1e-3 * np.max(np.abs(f(None)))


# ------------------------------------------------------------------ 4. spin flips between spin-diagonal bands
def test_spin_flip_relaxation_of_spin_diagonal_bands():
    """H = k^2/2m + Delta sz: two circles of opposite spin, the same density of states m/(2 pi hbar^2).

    Scalar disorder cannot flip spin: J0 has two zero modes (one per spin sector) and
    1/tau = W m/hbar^3 on each circle. Magnetic vertices weigh spin-conserving scattering of spin s
    by |<s|V|s>|^2 and flips by |<-s|V|s>|^2 (angle independent): "z" gives (sqrt W +- sqrt W_m)^2
    and no flips; "random" W + W_m/3 and 2 W_m/3 flips; "x" W and W_m; "random-z" W + W_m and none.
    Every flip joins the sectors (one zero mode) and relaxes the spin imbalance g = +-1 at the rate
    1/T_1 = 2 (2 pi/hbar) rho W_flip = 2 m W_flip/hbar^3 (an exact eigenvector of J0); the Drude
    conductivity is sum_s (e^2 n_s/m) tau_s, n_s = k_s^2/4 pi, 1/tau_s = (m/hbar^3)(W_same + W_flip).
    """
    name, params, eF = SPIN_DIAGONAL
    model = numeric_model(name, **params)
    shell = ShellFactory(model, 32, gauge=RandomGauge(5)).get(eF)
    spin_up = shell.own_spin()[:, 2] > 0                   # the upper band, eps = k^2/2 + Delta
    k2 = {True: 2 * (eF - 0.5), False: 2 * (eF + 0.5)}
    rates = {None: (W, W, 0.0), "z": ((np.sqrt(W) + np.sqrt(W_M)) ** 2, (np.sqrt(W) - np.sqrt(W_M)) ** 2, 0.0),
             "random": (W + W_M / 3, W + W_M / 3, 2 * W_M / 3), "x": (W, W, W_M),
             "random-z": (W + W_M, W + W_M, 0.0)}
    for moments, (same_up, same_down, flip) in rates.items():
        d = None if moments is None else magnetic(moments)
        a = j0_matrix(shell, W, 1.0, vertices=None if d is None else vertex_channels(d))
        sv = np.linalg.svd(a, compute_uv=False)
        assert np.sum(sv < 1e-10 * sv[0]) == (1 if flip else 2), moments
        imbalance = np.where(spin_up, 1.0, -1.0)
        assert np.allclose(a @ imbalance, 2 * flip * imbalance, rtol=0, atol=1e-12 * sv[0]), moments
        res = run(SPIN_DIAGONAL, d)
        sigma = sum(k2[s] / (4 * np.pi) / (same + flip) for s, same in ((True, same_up), (False, same_down)))
        assert res["sigma_xx"]["drude"] == pytest.approx(sigma, rel=1e-9), moments


@pytest.mark.parametrize("moments", MOMENTS)
def test_vertex_resolved_skew_rate_is_antisymmetric(moments):
    """The W^2 golden-rule rate of pieces a + b + c with vertex-resolved pairings is antisymmetric.

    The engine drops the symmetric part (a W^2 correction of the Born rate); here it is checked to be
    rounding, as for scalar disorder, so nothing is dropped. Measured 2e-16 - 1e-15 relative on the
    TI and the two-circle Rashba ferromagnet.
    """
    from semiclassical.quadrature.subleading import golden_rule_rates

    for name, params, eF in (TI, RASHBA_TWO):
        shell = ShellFactory(numeric_model(name, **params), 64, gauge=RandomGauge(1)).get(eF)
        rates = golden_rule_rates(shell, W, 1.0, vertices=vertex_channels(magnetic(moments)))
        anti = np.abs(rates - rates.T).max()
        assert anti > 0
        assert np.abs(rates + rates.T).max() <= 1e-13 * anti
