"""Quadrature engine with scalar correlated disorder W(|k - k'|) (paper Eq. 6 with a q-dependent
<U_q U_-q>; derivation of which pair carries which momentum: docs/correlated_disorder_quadrature.md).

Tolerances. Every model here is rotationally covariant, where the angular rule is exact and the
engine's numbers agree with themselves to rounding (~1e-14); the limits d -> 0 and q_s -> oo are
compared at the size of the kernel's own deviation from 1 (Gaussian: q^2 d^2/2 <= 2e-12 at
d = 1e-6/k_F; screened Coulomb: 2q/q_s, first order in 1/q_s), the tau_tr check and the gauge
check at 1e-9 (the engine's requested rtol is 1e-10). The Fermi sea does not depend on disorder, so
``sea=False`` keeps each test well below a second or two.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

from semiclassical.catalogue import numeric_model
from semiclassical.disorder import Disorder
from semiclassical.engines.problem import Problem
from semiclassical.engines.quadrature import Quadrature
from semiclassical.errors import SemiclassicalError
from semiclassical.model import TwoBandModel
from semiclassical.quadrature import evaluate
from engine_numbers import FAMILIES, RASHBA_ONE, RASHBA_TWO, TI, pick

W = 0.01


def families(res) -> dict[str, np.ndarray]:
    return {f: np.array([pick(res, p) for p in paths]) for f, paths in FAMILIES.items()}


def worst_relative(a, b) -> float:
    """Largest change of any piece relative to the largest magnitude of its family."""
    fa, fb = families(a), families(b)
    return max(float(np.max(np.abs(fa[f] - fb[f])) / max(np.max(np.abs(fa[f])), 1e-300)) for f in fa)


def run(case, disorder=None, **kw):
    name, params, eF = case
    return evaluate(numeric_model(name, **params), eF, W, sea=False, disorder=disorder, **kw)


def fermi_radius(case) -> float:
    """Largest Fermi radius (the white-noise run's contours)."""
    return max(c["k_max"] for c in run(case)["meta"]["contours"])


# ----------------------------------------------------------------------------- 1. white-noise limits
@pytest.mark.parametrize("case", [TI, RASHBA_TWO, RASHBA_ONE], ids=["ti", "rashba-two", "rashba-one"])
def test_short_range_limits_reproduce_white_noise(case):
    """Gaussian d -> 0 and screened Coulomb q_s -> oo give the white-noise numbers, every piece.

    Gaussian at d = 1e-6/k_F: c(q) - 1 = O(q^2 d^2) <= 2e-12, so 1e-9. Screened Coulomb is first
    order in 1/q_s (c = 1 - 2q/q_s + ...): at q_s = 1e6 k_F the pieces move by ~1e-6, so the test
    asks that move to be <= 4 (2 k_F/q_s) and to scale like 1/q_s (ten times smaller at 1e7 k_F:
    a kernel on the wrong pair of U's, or a missing one, breaks either), and 1e-8 at q_s = 1e9 k_F.
    """
    kf = fermi_radius(case)
    white = run(case)
    # the default and an explicit white noise are the same computation, bit for bit
    explicit = families(run(case, Disorder("white-noise", W)))
    assert all(np.array_equal(explicit[f], x) for f, x in families(white).items())
    assert worst_relative(white, run(case, Disorder("gaussian", W, {"d": 1e-6 / kf}))) <= 1e-9
    dev6 = worst_relative(white, run(case, Disorder("screened-coulomb", W, {"q_s": 1e6 * kf})))
    dev7 = worst_relative(white, run(case, Disorder("screened-coulomb", W, {"q_s": 1e7 * kf})))
    assert 1e-8 < dev6 <= 4 * 2e-6
    assert 5 < dev6 / dev7 < 20
    assert worst_relative(white, run(case, Disorder("screened-coulomb", W, {"q_s": 1e9 * kf}))) <= 1e-8


# ----------------------------------------------------------------------------- 2. tau_tr, one circle
def drude_direct(disorder: Disorder, M=0.5, v=1.0, eF=1.1, hbar=1.0, e=1.0) -> float:
    """sigma_xx = e^2 rho v_F^2 tau_tr/2 with 1/tau_tr = (2 pi/hbar) rho <W(q)|<u_k|u_k'>|^2 (1 - cos)>.

    TI upper band: |<u_k|u_k'>|^2 = (1 + xi^2 + (1 - xi^2) cos theta)/2, xi = M/eF, q = 2 k_F sin(theta/2),
    rho = k_F/(2 pi hbar v_F), hbar v_F = hbar^2 v^2 k_F/eF. Written from the formula, not the engine.
    """
    kf = math.sqrt(eF**2 - M**2) / (hbar * v)
    vf = hbar * v**2 * kf / eF
    rho = kf / (2 * math.pi * hbar * vf)
    xi = M / eF

    def integrand(t):
        q = 2 * kf * math.sin(t / 2)
        overlap = (1 + xi**2 + (1 - xi**2) * math.cos(t)) / 2
        return float(disorder.correlation(np.array([q]))[0]) * overlap * (1 - math.cos(t)) / (2 * math.pi)

    avg = quad(integrand, 0, 2 * math.pi, epsabs=0, epsrel=1e-13, limit=200)[0]
    tau_tr = 1 / ((2 * math.pi / hbar) * rho * avg)
    return e**2 * rho * vf**2 * tau_tr / 2


@pytest.mark.parametrize("disorder", [Disorder("white-noise", W)]
                         + [Disorder("gaussian", W, {"d": x / math.sqrt(1.1**2 - 0.25)}) for x in (0.3, 1.0, 3.0)]
                         + [Disorder("screened-coulomb", W, {"q_s": math.sqrt(1.1**2 - 0.25)})],
                         ids=["white", "kFd=0.3", "kFd=1", "kFd=3", "qs=kF"])
def test_drude_against_direct_transport_time(disorder):
    """The engine's sigma_xx^Drude equals the direct quadrature of tau_tr (white noise first: it
    fixes the formula's conventions); screened Coulomb at q_s = k_F has the kink in q at q = 0."""
    res = run(TI, disorder)
    assert res["sigma_xx"]["drude"] == pytest.approx(drude_direct(disorder), rel=1e-9)
    assert res["meta"]["n_theta"] <= 64         # spectral convergence, also for the kinked kernel


# ----------------------------------------------------------------------------- 3. gauge
def test_gauge_invariance_gaussian_two_circles():
    """Two random gauges, Gaussian disorder k_F d ~ 1 on both Rashba circles: the same numbers."""
    d = Disorder("gaussian", W, {"d": 0.5})
    a, b = run(RASHBA_TWO, d, gauge_seed=1), run(RASHBA_TWO, d, gauge_seed=2)
    assert len(a["meta"]["contours"]) == 2
    assert worst_relative(a, b) <= 1e-9
    # and the disorder does change the numbers (the kernel is not silently dropped)
    assert worst_relative(a, run(RASHBA_TWO)) > 1e-2


# ----------------------------------------------------------------------------- 4. sanity, wiring
def test_custom_equal_to_gaussian_and_negative_custom():
    """A custom c(q) = exp(-q^2 d^2/2), d = 0.5, gives the Gaussian's numbers; a negative one is one line."""
    gauss = run(RASHBA_TWO, Disorder("gaussian", W, {"d": 0.5}))
    custom = run(RASHBA_TWO, Disorder("custom", W, {"correlator": "exp(-q**2*0.25/2)"}))
    assert worst_relative(gauss, custom) <= 1e-12
    with pytest.raises(SemiclassicalError) as exc:
        run(RASHBA_TWO, Disorder("custom", W, {"correlator": "1 - q"}))
    assert "negative" in str(exc.value) and "\n" not in str(exc.value)


def test_engine_passes_the_problems_disorder_and_readings_c_b_refuse():
    """The engine interface evaluates a model's gaussian disorder (no white-noise refusal); readings
    C and B refuse correlated disorder with one line."""
    name, params, eF = TI
    model = TwoBandModel.from_string("hbar*v*(kx*sy - ky*sx) + M*sz", params, name=name,
                                     disorder=Disorder("gaussian", W, {"d": 1.0}))
    problem = Problem.at(model, {"eF": eF, "d": 0.5})          # --set d=0.5 overrides the model's d
    assert problem.disorder.parameters["d"] == 0.5
    response = Quadrature().evaluate(problem)
    direct = evaluate(problem.numeric_model, eF, W, disorder=problem.disorder)
    assert response.values["sigma_xx"]["drude"] == direct["sigma_xx"]["drude"]
    assert "gaussian" in response.meta["disorder"]
    for reading in ("C", "B"):
        with pytest.raises(SemiclassicalError) as exc:
            run(TI, Disorder("gaussian", W, {"d": 0.5}), skew_reading=reading)
        assert "white-noise" in str(exc.value) and "\n" not in str(exc.value)
    with pytest.raises(SemiclassicalError, match="differs"):
        run(TI, Disorder("gaussian", 2 * W, {"d": 0.5}))


def test_constant_custom_correlator_is_white_noise_of_twice_the_strength():
    """c(q) = 2 through the q-dependent path (its band-limited kernel is 2 only to rounding) equals
    white noise 2W: the 1/W pieces halve, the W^0 pieces do not move. This counts the kernel
    factors of every sum (one per Gaussian pair: the skew rate has two, J0 one)."""
    name, params, eF = RASHBA_TWO
    custom = run(RASHBA_TWO, Disorder("custom", W, {"correlator": "2 + 0*q"}))
    white2 = evaluate(numeric_model(name, **params), eF, 2 * W, sea=False)
    assert worst_relative(white2, custom) <= 1e-9
    assert custom["sigma_yx"]["skew"] != 0 and custom["sigma_yx"]["side_jump"] != 0


def test_ti_current_is_spin_for_any_disorder():
    """TI surface: j_y = -e v_y = e v sigma_x as operators (H = v(kx sy - ky sx) + M sz), so
    sigma_yx = e v <s_x> piece by piece (the paper's statement below Eq. 103) for any scalar
    disorder: a check of every W^0 piece that holds with a q-dependent kernel (screened Coulomb,
    q_s = k_F, the kinked kernel; Gaussian k_F d = 3)."""
    for disorder in (Disorder("screened-coulomb", W, {"q_s": 1.0}), Disorder("gaussian", W, {"d": 3.0})):
        res = run(TI, disorder)
        for piece in ("extrinsic", "side_jump", "skew"):
            assert res["sigma_yx"][piece] == pytest.approx(res["spin_density"]["x"][piece], rel=1e-9)
            assert res["sigma_yx"][piece] != 0
