"""Operator-valued observables in closed form (issue 15): the spin Hall conductivity and a model
file's own observables, through one route (Eq. 63 with sigma -> O), in a random gauge.

Tolerances: the closed forms are exact expressions evaluated in double precision, and the one sea
integral is converged to 1e-12 relative (derivation.sea_integral), so two routes to the same
number agree to ~1e-12 of the family's largest piece; 1e-10 leaves room for the cancellation
between pieces of opposite sign.
"""
from __future__ import annotations

import math

import pytest

from semiclassical.model import TwoBandModel
from semiclassical.bloch import Gauge
from semiclassical.derivation import Derivation
from semiclassical.engines import ClosedForm, Problem
from semiclassical.errors import SemiclassicalError

RTOL = 1e-10
PIECES = ("intrinsic", "extrinsic", "side_jump", "skew", "total")

TI = '[model]\nname = "ti-obs"\nhamiltonian = "hbar*v*(kx*sy - ky*sx) + M*sz"\n[parameters]\nv = 1.3\nM = 0.4\n'
RASHBA = ('[model]\nname = "rashba-obs"\nhamiltonian = "k**2/(2*m) + alpha*(kx*sy - ky*sx) + Delta*sz"\n'
          '[parameters]\nm = 0.8\nalpha = 0.7\nDelta = 0.3\n')
#: v_y = (1/hbar) dH/dk_y written by hand, and sigma_x
OWN = {"ti-obs": '[observables]\nvy = "-v*sx"\nsx = "sx"\n',
       "rashba-obs": '[observables]\nvy = "ky/m - alpha*sx"\nsx = "sx"\n'}


def _model(tmp_path, text, name):
    path = tmp_path / f"{name}.toml"
    path.write_text(text + OWN.get(name, ""))
    return TwoBandModel.from_toml(path)


def _evaluate(model, sets, keys, seed=3):
    problem = Problem.at(model, sets, observables_=keys)
    D = Derivation(model.sign_case(problem.values), Gauge.random(seed))
    return ClosedForm().evaluate_with(D, problem)


def _close(a, b, scale):
    return abs(a - b) <= RTOL * scale


@pytest.mark.parametrize("text,name,sets", [(TI, "ti-obs", {"eF": 1.1}),
                                            (RASHBA, "rashba-obs", {"eF": 0.9})])   # two circles
def test_velocity_and_spin_as_observables_reproduce_the_current_and_the_spin(tmp_path, text, name, sets):
    """<v_y> = -sigma_yx/e piece by piece (the general route against the current's own: beta, Omega),
    and <sigma_x> = spin_density.x, at e = 1.7 in a random gauge."""
    model = _model(tmp_path, text, name)
    e = 1.7
    r = _evaluate(model, {**sets, "e": e}, ("sigma_yx", "spin_density.x", "observables.vy", "observables.sx"))
    v, s = r.values["observables.vy"], r.values["observables.sx"]
    scale = max(abs(x) for p, x in r.values["sigma_yx"].items() if x is not None)
    assert scale > 1e-3
    for p in PIECES:
        assert _close(v[p], -r.values["sigma_yx"][p] / e, scale), p
        assert _close(s[p], r.values["spin_density.x"][p], scale), p
    assert s["leading"] == r.values["spin_density.x"]["edelstein"]


@pytest.mark.parametrize("m,alpha,eF", [(1.0, 0.5, 1.0), (0.6, 1.3, 2.5)])
def test_rashba_2deg_universal_intrinsic_spin_hall_and_vanishing_total(m, alpha, eF):
    """Rashba 2DEG, both subbands: sigma^z_sH intrinsic = +e/(8 pi) (Sinova et al. 2004; + in our
    conventions: charge -e, E along x, j^z_y = (1/2){(hbar/2) sigma_z, v_y}), whatever alpha, m, eF;
    the W^0 total vanishes (the extrinsic piece, the vertex correction, cancels it: Inoue, Bauer,
    Molenkamp 2004), for white noise and every correlated scalar disorder (Gaussian, screened Coulomb,
    a custom c(q)): one correlated derivation serves every shape (the kernel enters at evaluation)."""
    model = TwoBandModel.from_string("k**2/(2*m) + alpha*(kx*sy - ky*sx)", {"m": m, "alpha": alpha})
    e = 1.3
    r = _evaluate(model, {"eF": eF, "e": e}, ("spin_hall.z",))
    z = r.values["spin_hall.z"]
    assert z["intrinsic"] == pytest.approx(e / (8 * math.pi), rel=1e-12)
    assert abs(z["total"]) <= 1e-13 * z["intrinsic"]
    from semiclassical.disorder import Disorder
    model.disorder = Disorder("gaussian", 0.01, {"d": 1.0})
    problem = Problem.at(model, {"eF": eF, "e": e}, observables_=("spin_hall.z",))
    D = Derivation(model.sign_case(problem.values), correlated=True)   # canonical gauge (random: test_correlated_engines)
    drude = set()
    for shape in (Disorder("gaussian", 0.01, {"d": 1.0}), Disorder("screened-coulomb", 0.01, {"q_s": 1.5}),
                  Disorder("custom", 0.01, {"correlator": "1/(1 + q**2)**2"})):
        model.disorder = shape
        problem = Problem.at(model, {"eF": eF, "e": e}, observables_=("spin_hall.z", "sigma_xx"))
        r = ClosedForm().evaluate_with(D, problem).values
        g = r["spin_hall.z"]
        assert g["intrinsic"] == pytest.approx(e / (8 * math.pi), rel=1e-12), shape.kind
        assert abs(g["total"]) <= 1e-12 * g["intrinsic"], shape.kind
        # the pieces themselves cancel (not only the symbolic total): double-precision sums
        assert abs(sum(g[p] for p in ("intrinsic", "extrinsic", "side_jump", "skew"))) <= 1e-12 * g["intrinsic"]
        drude.add(round(r["sigma_xx"]["drude"], 6))
    assert len(drude) == 3          # the shapes did reach the evaluation (different transport times)


def test_ti_surface_has_no_spin_hall_current():
    """TI surface: j^a_y = (1/4){sigma_a, -hbar v sigma_x}: zero for a = z, y; for a = x it is the
    constant -hbar v/2, whose response vanishes (the density does not change)."""
    model = TwoBandModel.from_string("hbar*v*(kx*sy - ky*sx) + M*sz", {"v": 1.0, "M": 0.5})
    r = _evaluate(model, {"eF": 1.2}, ("spin_hall.x", "spin_hall.y", "spin_hall.z"))
    for a in "xyz":
        assert all(abs(x) < 1e-14 for x in r.values[f"spin_hall.{a}"].values()), a


def test_an_unbounded_observable_with_a_divergent_sea_piece_is_said(tmp_path):
    """kx^2 sx on a TI surface above the gap: the lower band alone is filled to k = oo, the sea piece
    diverges; the observable gets no intrinsic piece and no total, with a note; others are kept."""
    model = _model(tmp_path, TI + '[observables]\nkxx = "kx**2*sx"\n', "ti-kxx")
    r = _evaluate(model, {"eF": 1.1}, ("sigma_yx", "observables.kxx"))
    assert r.values["observables.kxx"]["intrinsic"] is None and r.values["observables.kxx"]["total"] is None
    assert r.values["observables.kxx"]["side_jump"] is not None
    assert any("diverges" in n and "observables.kxx" in n for n in r.notes)
    assert r.values["sigma_yx"]["total"] is not None


def test_a_non_hermitian_observable_is_one_line(tmp_path):
    with pytest.raises(SemiclassicalError, match=r"\[observables\] bad .* not Hermitian"):
        _model(tmp_path, TI + '[observables]\nbad = "kx*sx + I*sy"\n', "ti-bad")


def test_rashba_spin_current_is_the_time_derivative_of_sigma_y():
    """Why the total vanishes (docs/spin_hall.md): for H = hbar^2 k^2/2m + alpha(kx sy - ky sx),
    j^z_y = (hbar^3 / (4 m alpha)) d sigma_y/dt with d sigma_y/dt = (i/hbar)[H, sigma_y]; scalar disorder
    commutes with sigma_y, so in a steady state <j^z_y> = 0 for every scalar correlator."""
    import sympy as sp

    from semiclassical import observables
    from semiclassical.parsing import PAULI, hbar

    model = TwoBandModel.from_string("hbar**2*k**2/(2*m) + alpha*(kx*sy - ky*sx)", {"m": 1.0, "alpha": 0.5})
    m, alpha = model.parameters["m"], model.parameters["alpha"]
    j = observables.operator_matrix(observables.get("spin_hall.z"), model)
    H = model.matrix
    dsy_dt = sp.I / hbar * (H * PAULI["sy"] - PAULI["sy"] * H)
    assert (j - hbar**3 / (4 * m * alpha) * dsy_dt).applyfunc(sp.simplify) == sp.zeros(2, 2)


def test_check_judges_sea_pieces_and_spin_hall_keys():
    """`check` on a Fermi-sea piece (a radial integral in circle variables: its variable k is bound,
    not a point value) and on a spin Hall key."""
    from semiclassical import catalogue
    from semiclassical.check import check

    ti = catalogue.get("ti-surface")
    assert check(ti, "spin_density.x.intrinsic", "e*M/(4*pi*hbar*v*eF)", {"eF": 1.2}).verdict == "equal"
    assert check(ti, "spin_density.x.intrinsic", "e*M/(2*pi*hbar*v*eF)", {"eF": 1.2}).verdict == "factor"
    assert check(ti, "spin_hall.z.total", "0", {"eF": 1.2}).verdict == "equal"
