"""Closed forms for scalar correlated disorder W(q) = W c(|k - k'|) (issue 14, item 1).

The closed forms hold the Fourier harmonics W_l of the correlator shape as symbols
(disorder.kernel_average); a shape only supplies their numbers. Checked here: the white-noise limits
(Gaussian d -> 0 exactly, screened Coulomb q_s -> oo to O(k_F/q_s)), the Drude conductivity of one
circle against a direct quadrature of 1/tau_tr written below from numpy eigenvectors (independent of
the symbolic pipeline), and that a custom correlator equal to a Gaussian gives the Gaussian's numbers.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy.integrate import quad

from semiclassical import catalogue
from semiclassical.disorder import Disorder
from semiclassical.engines import Problem
from semiclassical.engines.closed_form import ClosedForm
from semiclassical.errors import SemiclassicalError

TI = {"eF": 1.1, "v": 1.0, "M": 0.5}
W = 0.01


def _closed(model_name, point, disorder):
    problem = dataclasses.replace(Problem.at(catalogue.get(model_name), point), disorder=disorder)
    return ClosedForm().evaluate(problem).values


def _pieces(values):
    return {(k, p): v for k, d in values.items() for p, v in d.items() if v is not None}


@pytest.mark.parametrize("model_name, point", [("ti-surface", TI), ("rashba-ferromagnet", {"eF": 0.2})])
def test_white_noise_limits(model_name, point):
    white = _pieces(_closed(model_name, point, Disorder("white-noise", W)))
    # d -> 0: c = exp(-q^2 d^2/2) = 1 - O(k_F^2 d^2) = 1 to round-off at d = 1e-6
    gauss = _pieces(_closed(model_name, point, Disorder("gaussian", W, {"d": 1e-6})))
    # q_s -> oo: c = 1 - 2 q/q_s + ..., the pieces move by O(k_F/q_s) = O(1e-6) relative
    coulomb = _pieces(_closed(model_name, point, Disorder("screened-coulomb", W, {"q_s": 1e6})))
    scale = max(abs(v) for v in white.values())
    for key, value in white.items():
        assert gauss[key] == pytest.approx(value, rel=1e-9, abs=1e-12 * scale), key
        assert coulomb[key] == pytest.approx(value, rel=1e-5, abs=1e-9 * scale), key


def _direct_drude(kernel, v=1.0, M=0.5, eF=1.1):
    """sigma_xx = e^2 rho v_F^2 tau_tr / 2, 1/tau_tr = (2 pi/hbar) rho <W(q) |<u_k|u_k'>|^2 (1 - cos theta)>,
    TI upper band, e = hbar = 1, from numpy eigenvectors."""
    sx, sy, sz = np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.diag([1.0, -1.0])

    def ket(kx, ky):
        return np.linalg.eigh(v * (kx * sy - ky * sx) + M * sz)[1][:, 1]

    kF = np.sqrt(eF**2 - M**2) / v
    vF = v**2 * kF / eF
    rho = kF / (2 * np.pi * vF)
    u0 = ket(kF, 0.0)

    def f(t):
        return kernel(2 * kF * np.sin(t / 2)) * abs(np.vdot(u0, ket(kF * np.cos(t), kF * np.sin(t))))**2 * (1 - np.cos(t))

    rate = 2 * np.pi * rho * quad(f, 0, 2 * np.pi, epsabs=0, epsrel=1e-12, limit=200)[0] / (2 * np.pi)
    return rho * vF**2 / rate / 2, kF


@pytest.mark.parametrize("kFd", [0.3, 1.0, 3.0])
def test_one_circle_drude_against_direct_transport_time(kFd):
    kF = np.sqrt(TI["eF"]**2 - TI["M"]**2)
    d = kFd / kF
    direct, _ = _direct_drude(lambda q: W * np.exp(-q**2 * d**2 / 2))
    closed = _closed("ti-surface", TI, Disorder("gaussian", W, {"d": d}))["sigma_xx"]["drude"]
    assert closed == pytest.approx(direct, rel=1e-10)
    # the screened Coulomb's harmonics come from adaptive quadrature, not Bessel functions
    qs = kF / kFd
    direct, _ = _direct_drude(lambda q: W * qs**2 / (q + qs)**2)
    closed = _closed("ti-surface", TI, Disorder("screened-coulomb", W, {"q_s": qs}))["sigma_xx"]["drude"]
    assert closed == pytest.approx(direct, rel=1e-10)


def test_custom_correlator_equal_to_a_gaussian():
    gauss = _pieces(_closed("ti-surface", TI, Disorder("gaussian", W, {"d": 0.5})))
    custom = _pieces(_closed("ti-surface", TI, Disorder("custom", W, {"correlator": "exp(-q**2*0.25/2)"})))
    for key, value in gauss.items():
        assert custom[key] == pytest.approx(value, rel=1e-10, abs=1e-14), key


def test_negative_custom_correlator_is_one_clear_line():
    with pytest.raises(SemiclassicalError, match=r"negative or complex at q = .*2 k_F"):
        _closed("ti-surface", TI, Disorder("custom", W, {"correlator": "1 - q"}))


def test_check_reads_the_kernel_harmonics(tmp_path):
    """`check` of a correlated model: the user writes the harmonics W_l(n, k_a, k_b) of the forms; the
    numbers use the disorder's own harmonics (Gaussian d = 1) at every random point."""
    from semiclassical.check import check
    from semiclassical.errors import SemiclassicalError
    from semiclassical.model import TwoBandModel

    path = tmp_path / "ti-gauss.toml"
    path.write_text('[model]\nhamiltonian = "hbar*v*(kx*sy - ky*sx) + M*sz"\n[parameters]\nv = 1.0\nM = 0.5\n'
                    '[disorder]\ntype = "gaussian"\nW = 0.01\nd = 1.0\n')
    model = TwoBandModel.from_toml(path)
    hand = ("2*hbar/(pi*W*rho_1*((3*C_1**2 + 1)*W_l(0, k_1, k_1) - 4*C_1**2*W_l(1, k_1, k_1)"
            " + (C_1**2 - 1)*W_l(2, k_1, k_1)))")
    assert check(model, "tau_tr", hand, {"eF": 1.2}).verdict == "equal"
    wrong = hand.replace("W_l(1, k_1, k_1)", "W_l(0, k_1, k_1)")
    assert check(model, "tau_tr", wrong, {"eF": 1.2}).verdict == "different"
    with pytest.raises(SemiclassicalError, match="W_l takes exactly 3 arguments"):
        check(model, "tau_tr", "W_l(0, k_1)", {"eF": 1.2})
