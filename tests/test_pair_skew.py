"""Pair skew scattering (the crossed W^2 pairings of the golden rule; docs/pair_skew.md, issue 17).

Targets: the massive-Dirac closed form derived in derivations/pair_skew_check.py (SymPy, from Eq. P5),
the ratio (non-crossing + crossed)/non-crossing = 2M^2/(eF^2 + M^2) of Ado et al., EPL 111, 37004
(2015), the Rashba ferromagnet with both subbands occupied (non-crossing total 0, pair piece not),
symmetries (odd in the magnetization, zero without it, W^0, gauge), the TI relation sigma_yx = e v <s_x>.

Tolerances: the engine's pair-skew values are converged to <= 1e-11 relative at the default resolution
(its own ``error``, measured 8e-15 .. 6e-12 over the catalogue, docs/pair_skew.md, section 7); the
non-crossing totals of ``evaluate`` at rtol = 1e-10. Comparisons are set a decade or more above those.
"""
from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from scipy.integrate import quad

from semiclassical.catalogue import numeric_model
from semiclassical.errors import SemiclassicalError
from semiclassical.quadrature import evaluate
from semiclassical.quadrature.pair_skew import (_complex_kernel, fermi_circles, pair_rate, pair_skew_response,
                                                pv_kernel)
from semiclassical.quadrature.shell import ShellFactory


@lru_cache(maxsize=None)
def _check_module():
    path = Path(__file__).resolve().parents[1] / "derivations" / "pair_skew_check.py"
    spec = importlib.util.spec_from_file_location("pair_skew_check", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@lru_cache(maxsize=None)
def _dirac_closed_form():
    mod = _check_module()
    pair, nca = mod.closed_form()
    return sp.lambdify((mod.eps, mod.M), pair), sp.lambdify((mod.eps, mod.M), nca), (pair, nca, mod)


def test_closed_form_reproduces_ado_ratio_symbolically():
    """The SymPy closed form (derived from Eq. P5, not typed in) gives exactly
    (sigma_NCA + sigma_pair)/sigma_NCA = 2M^2/(eF^2 + M^2)."""
    pair, nca, mod = _dirac_closed_form()[2]
    assert sp.simplify((nca + pair) / nca - 2 * mod.M**2 / (mod.eps**2 + mod.M**2)) == 0


@pytest.mark.parametrize("x", [1.2, 2.0, 4.0, 8.0])
def test_massive_dirac_quadrature_vs_closed_form_and_ado(x):
    """eF/M = x, M = 0.5: quadrature pair piece = closed form (1e-10), and with the engine's own
    non-crossing total (Kubo-verified elsewhere) the ratio of Ado et al. (1e-9)."""
    M = 0.5
    eF = x * M
    model = numeric_model("ti-surface", v=1.0, M=M)
    r = pair_skew_response(model, eF)
    f_pair, f_nca, _ = _dirac_closed_form()
    assert r["error"] < 1e-11 * abs(r["sigma_yx"])
    assert abs(r["sigma_yx"] - f_pair(eF, M)) < 1e-10 * abs(f_pair(eF, M))
    nca = evaluate(model, eF, 1.0, rtol=1e-10)["sigma_yx"]["total"]
    assert abs(nca - f_nca(eF, M)) < 1e-9 * abs(nca)
    assert abs((nca + r["sigma_yx"]) / nca - 2 * M**2 / (eF**2 + M**2)) < 1e-9


def test_rashba_ferromagnet_both_subbands():
    """Both subbands occupied (eF = 1 > Delta = 0.5): the non-crossing total vanishes (Nunner et al.),
    the pair piece does not (Ado et al., PRL 117, 046601 (2016)); odd in Delta, zero at Delta = 0."""
    model = numeric_model("rashba-ferromagnet", m=1.0, alpha=1.0, Delta=0.5)
    r = pair_skew_response(model, 1.0)
    assert len(r["meta"]["circles"]) == 2 and {c[0] for c in r["meta"]["circles"]} == {0, 1}
    nca = evaluate(model, 1.0, 1.0, rtol=1e-10)["sigma_yx"]["total"]
    assert abs(nca) < 1e-12
    assert r["error"] < 1e-9 * abs(r["sigma_yx"])
    assert abs(r["sigma_yx"]) > 1e-3          # -0.00897 e^2/hbar here: 1e7 x its error
    flipped = pair_skew_response(numeric_model("rashba-ferromagnet", m=1.0, alpha=1.0, Delta=-0.5), 1.0)
    assert abs(flipped["sigma_yx"] + r["sigma_yx"]) < 1e-10 * abs(r["sigma_yx"])
    assert abs(flipped["spin_density"]["x"] + r["spin_density"]["x"]) < 1e-10 * abs(r["spin_density"]["x"])
    zero = pair_skew_response(numeric_model("rashba-ferromagnet", m=1.0, alpha=1.0, Delta=0.0), 1.0)
    assert abs(zero["sigma_yx"]) < 1e-12 * abs(r["sigma_yx"]) / 1e-3


def test_odd_in_mass_and_zero_for_massless_cone():
    """sigma^pair and <s_x>^pair flip with M (time reversal), vanish for the massless cone."""
    a = pair_skew_response(numeric_model("ti-surface", v=1.0, M=0.5), 1.0)
    b = pair_skew_response(numeric_model("ti-surface", v=1.0, M=-0.5), 1.0)
    c = pair_skew_response(numeric_model("ti-surface", v=1.0, M=0.0), 1.0)
    assert abs(a["sigma_yx"] + b["sigma_yx"]) < 1e-12 * abs(a["sigma_yx"])
    assert abs(a["spin_density"]["x"] + b["spin_density"]["x"]) < 1e-12 * abs(a["sigma_yx"])
    assert abs(c["sigma_yx"]) < 1e-14 and abs(c["spin_density"]["x"]) < 1e-14


def test_w_independence_and_gauge():
    """Order W^0 (rate ~ W^2, J0 ~ W, g ~ 1/W): W = 1 and W = 1e-3 agree to rounding; so do two random
    eigenvector gauges of the shell (the rates are traces of projectors; g, v, s come from the shell)."""
    model = numeric_model("dirac-quadratic")
    a = pair_skew_response(model, 1.0, 1.0, gauge_seed=0)
    b = pair_skew_response(model, 1.0, 1e-3, gauge_seed=0)
    c = pair_skew_response(model, 1.0, 1.0, gauge_seed=11)
    for other in (b, c):
        assert abs(other["sigma_yx"] - a["sigma_yx"]) < 1e-12 * abs(a["sigma_yx"])
        assert abs(other["spin_density"]["x"] - a["spin_density"]["x"]) < 1e-12 * abs(a["sigma_yx"])


def test_ti_surface_spin_follows_current():
    """TI surface (Eq. 68, hbar v in H): sigma_yx^pair = e v <s_x>^pair, as for every other piece
    (tests/test_paper_ti.py), here with v, hbar, e != 1; <s_y>^pair = 0."""
    v, hbar, e = 1.7, 0.8, 1.3
    r = pair_skew_response(numeric_model("ti-surface", v=v, M=0.4, hbar=hbar, e=e), 1.1)
    assert abs(r["sigma_yx"] - e * v * r["spin_density"]["x"]) < 1e-12 * abs(r["sigma_yx"])
    assert abs(r["spin_density"]["y"]) < 1e-14


def test_rate_is_antisymmetric():
    """Eq. P5 is antisymmetric under l <-> j; by rotation omega_ab(phi) = -omega_ba(-phi). The code
    never imposes it across circles: computed independently for (a, b) and (b, a)."""
    model = numeric_model("rashba-ferromagnet", m=1.0, alpha=1.0, Delta=0.5)
    circles = fermi_circles(model, ShellFactory(model, 16).get(1.0))
    phi = np.array([0.3, 1.1, 2.0, 2.9, 4.4])
    for a, b in [(0, 1), (0, 0), (1, 1)]:
        ab = pair_rate(model, 1.0, circles, a, b, phi, 1.0)
        ba = pair_rate(model, 1.0, circles, b, a, -phi, 1.0)
        assert np.max(np.abs(ab + ba)) < 1e-12 * np.max(np.abs(ab))


@pytest.mark.parametrize("a,B", [(0.3, 1.0), (-0.7, 1.0), (2.5, 1.0), (-1.8, 1.0)])
def test_pv_kernel_against_cauchy_quadrature(a, B):
    """The Glauert (|a| < B) and Poisson (|a| > B) kernels against scipy's Cauchy-weight quadrature."""
    n = np.arange(5)
    ours = pv_kernel(n[None, :], np.array([[a]]), np.array([[B]]))[0]
    for m in n:
        if abs(a) > B:
            ref = quad(lambda x: np.cos(m * x) / (a + B * np.cos(x)), 0, 2 * np.pi, limit=200)[0]
        else:
            p = np.arccos(-a / B)             # poles at p and 2 pi - p: split [0, pi], [pi, 2 pi]
            f1 = lambda x: np.cos(m * x) * (x - p) / (a + B * np.cos(x))                           # noqa: E731
            f2 = lambda x: np.cos(m * x) * (x - (2 * np.pi - p)) / (a + B * np.cos(x))             # noqa: E731
            ref = (quad(f1, 0, np.pi, weight="cauchy", wvar=p)[0]
                   + quad(f2, np.pi, 2 * np.pi, weight="cauchy", wvar=2 * np.pi - p)[0])
        assert abs(ours[m] - ref) < 1e-9 * max(1.0, abs(ref))


def test_anisotropic_model_is_refused():
    with pytest.raises(SemiclassicalError, match="isotropic"):
        pair_skew_response(numeric_model("tilted-dirac"), 1.0)


@pytest.mark.parametrize("a,B", [(0.54, 1.3e-9), (-2.0, 1e-6), (0.54 + 1.88j, 1.3e-9), (-0.3 - 0.8j, 1e-4),
                                 (0.54 + 1.88j, 0.7)])
def test_pole_kernels_for_a_circle_through_the_origin_of_q(a, B):
    """B = 2 k_q |Q| << |a| (a tiny Fermi circle, profile case 531): the small root of
    w^2 + (2a/B) w + 1 taken as (-a + root)/B cancelled to 0 and the complex kernel gave nan (an
    internal error in `evaluate --crossed` and `derive`). Both kernels against mpmath at 40 digits, to
    double-precision rounding (1e-14 relative: a handful of operations on numbers of order one)."""
    mp.mp.dps = 40
    for m in range(4):
        ref = complex(mp.quad(lambda x: mp.exp(1j * m * x) / (mp.mpmathify(a) + mp.mpf(B) * mp.cos(x)),
                              [0, mp.pi, 2 * mp.pi]))
        kernel = _complex_kernel if isinstance(a, complex) else pv_kernel
        ours = complex(kernel(np.array([[m]]), np.array([[a]]), np.array([[B]]))[0, 0])
        assert abs(ours - ref) <= 1e-14 * abs(ref), (m, ours, ref)
