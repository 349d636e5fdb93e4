"""Any k-local operator through the quadrature engine (issue 15): the spin Hall conductivity and a
model file's own observables, by the spin density's route with sigma -> O (Eq. 63: O^mm, gamma_O of
Eq. 61 with T_O of Eq. 56, s^int_O of Eq. 57, skew), from H(k) and O(k) alone, in a random gauge.

Tolerances. Two routes to one number inside one evaluation (the current's own route -- v, beta, Omega
-- against the operator route with O = v_y; spin_density.x against O = sigma_x) use the same nodes,
so they agree to rounding: 1e-12 of the family's largest piece. The Rashba 2DEG's universal e/(8 pi)
is checked to 1e-12 relative (the sea integral is converged to 1e-12); a piece that vanishes by
symmetry must be 0 within the engine's own error estimate (its rounding floor), which is asserted to
be small (<= 1e-10 of the family's scale) so that the check is not empty (the engine's estimates are its requested 1e-10 times the
integrand sizes, ~1e-9 of the pieces).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from semiclassical import catalogue
from semiclassical.disorder import Disorder
from semiclassical.engines import Problem, Quadrature
from semiclassical.model import TwoBandModel
from semiclassical.quadrature.gauge import RandomGauge
from semiclassical.quadrature.sea import lower_band_integrand, sea_integrand

W0 = ("intrinsic", "extrinsic", "side_jump", "skew", "total")
RTOL = 1e-12

TI = '[model]\nname = "ti-obs"\nhamiltonian = "hbar*v*(kx*sy - ky*sx) + M*sz"\n[parameters]\nv = 1.3\nM = 0.4\n'
RASHBA = ('[model]\nname = "rashba-obs"\nhamiltonian = "k**2/(2*m) + alpha*(kx*sy - ky*sx) + Delta*sz"\n'
          '[parameters]\nm = 0.8\nalpha = 0.7\nDelta = 0.3\n')
#: v_y = (1/hbar) dH/dk_y written by hand (hbar = 1 in these files), and sigma_x
OWN = {"ti-obs": '[observables]\nvy = "-v*sx"\nsx = "sx"\n',
       "rashba-obs": '[observables]\nvy = "ky/m - alpha*sx"\nsx = "sx"\n'}
RASHBA_2DEG = "k**2/(2*m) + alpha*(kx*sy - ky*sx)"


def _model(tmp_path, text, name, extra=""):
    path = tmp_path / f"{name}.toml"
    path.write_text(text + OWN.get(name, "") + extra)
    return TwoBandModel.from_toml(path)


def _run(model, sets, keys, seed=0, disorder=None):
    if disorder is not None:
        model.disorder = disorder
    return Quadrature(gauge_seed=seed).evaluate(Problem.at(model, sets, observables_=keys))


def _scale(values):
    return max(abs(x) for x in values.values() if x is not None)


@pytest.mark.parametrize("text,name,sets", [(TI, "ti-obs", {"eF": 1.1}),
                                            (RASHBA, "rashba-obs", {"eF": 0.9})])   # two circles
def test_velocity_and_sigma_x_as_observables_reproduce_the_current_and_the_spin(tmp_path, text, name, sets):
    """<v_y> = -sigma_yx/e piece by piece (T_v = R', gamma_v = beta, s^int_v = -(e/hbar) Omega: the
    general route against the current's own), <sigma_x> = spin_density.x, at e = 1.7."""
    model = _model(tmp_path, text, name)
    e = 1.7
    r = _run(model, {**sets, "e": e}, ("sigma_yx", "spin_density.x", "observables.vy", "observables.sx"), seed=3)
    if name == "rashba-obs":
        assert [c["band"] for c in r.meta["contours"]] == [0, 1]
    cur, v = r.values["sigma_yx"], r.values["observables.vy"]
    spin, s = r.values["spin_density.x"], r.values["observables.sx"]
    scale_v, scale_s = _scale(cur) / e, _scale(spin)
    assert scale_v > 1e-2 and scale_s > 1e-2
    assert abs(v["leading"] + cur["drude"] / e) <= RTOL * scale_v
    assert abs(s["leading"] - spin["edelstein"]) <= RTOL * scale_s
    for p in W0:
        assert abs(v[p] + cur[p] / e) <= RTOL * scale_v, p
        assert abs(s[p] - spin[p]) <= RTOL * scale_s, p
    # and their error estimates are those of the same families
    assert r.errors["observables.vy"]["extrinsic"] <= 1e-9 * scale_v


def test_every_skew_reading_and_magnetic_vertices_serve_the_operators(tmp_path):
    """Readings C (mirror shells) and B, and magnetic impurities: <v_y> = -sigma_yx/e still."""
    model = _model(tmp_path, TI, "ti-obs")
    keys = ("sigma_yx", "observables.vy")
    for reading in ("C", "B"):
        problem = Problem.at(model, {"eF": 1.1}, observables_=keys, skew_reading=reading)
        r = Quadrature().evaluate(problem)
        assert r.meta["skew_reading"] == reading
        for p in W0:
            assert abs(r.values["observables.vy"][p] + r.values["sigma_yx"][p]) <= RTOL * _scale(r.values["sigma_yx"])
    r = _run(model, {"eF": 1.1}, keys, disorder=Disorder("white-noise", 0.01, W_m=0.004, moments="random"))
    for p in W0:
        assert abs(r.values["observables.vy"][p] + r.values["sigma_yx"][p]) <= RTOL * _scale(r.values["sigma_yx"])


def test_sea_integrand_of_k_dependent_operators_is_the_eigenvector_form():
    """Im<-|A|+><+|B|-> = -d^.(a x b) pointwise: the triple product with O's Pauli vector at each k
    (spin currents, k-dependent) equals the sum over states in a random gauge; the two bands' values
    are opposite."""
    model = catalogue.get("rashba-ferromagnet")
    nm = Problem.at(model, {"eF": 1.0}, observables_=("spin_hall.x", "spin_hall.y", "spin_hall.z")).numeric_model
    kx, ky = np.random.default_rng(5).normal(size=(2, 40))
    x = sea_integrand(nm, kx, ky, RandomGauge(13))
    lower, size = lower_band_integrand(nm, kx, ky)
    assert x.shape == (40, 2, 7) and lower.shape == size.shape == (40, 7)
    scale = np.abs(x).max()
    assert np.abs(x[:, :, 6]).max() > 1e-2          # j^z_y: a non-trivial k-dependent operator
    assert np.all(np.abs(lower - x[:, 0, :]) <= 1e-12 * scale)
    assert np.all(np.abs(x[:, 0, :] + x[:, 1, :]) <= 1e-12 * scale)


@pytest.mark.parametrize("m,alpha,eF", [(1.0, 0.5, 1.0), (0.6, 1.3, 2.5)])
def test_rashba_2deg_universal_intrinsic_spin_hall_and_vanishing_total(m, alpha, eF):
    """Rashba 2DEG, both subbands: sigma^z_sH intrinsic = +e/(8 pi) (Sinova et al. 2004; + in our
    conventions: charge -e, E along x, j^z_y = (1/2){(hbar/2) sigma_z, v_y}) whatever m, alpha, eF;
    the W^0 total vanishes (Inoue, Bauer, Molenkamp 2004: j^z_y = (hbar/4 m alpha) ds_y/dt, zero in
    a steady state), for white noise and a Gaussian correlated disorder (d = 1)."""
    model = TwoBandModel.from_string(RASHBA_2DEG, {"m": m, "alpha": alpha})
    e = 1.3
    for disorder in (None, Disorder("gaussian", 0.01, {"d": 1.0})):
        r = _run(model, {"eF": eF, "e": e}, ("spin_hall.z",), disorder=disorder)
        z, err = r.values["spin_hall.z"], r.errors["spin_hall.z"]
        assert z["intrinsic"] == pytest.approx(e / (8 * math.pi), rel=RTOL)
        assert z["extrinsic"] == pytest.approx(-e / (8 * math.pi), rel=1e-10)
        assert abs(z["total"]) <= err["total"] <= 1e-8 * z["intrinsic"]
        assert z["drude"] == 0.0 and abs(z["side_jump"]) <= err["side_jump"] and abs(z["skew"]) <= err["skew"]


def test_rashba_2deg_lower_band_only_and_a_tilted_anisotropic_2deg():
    """eF < 0 (an annulus of the lower band): the total still vanishes (ds_y/dt = 0 holds for any
    filling), the intrinsic piece is no longer universal. A tilt t kx keeps j^z_y = (hbar/4 m alpha)
    ds_y/dt ([sigma_y, t kx] = 0) but breaks the rotational symmetry: the total vanishes there too,
    in two random gauges."""
    model = TwoBandModel.from_string(RASHBA_2DEG, {"m": 1.0, "alpha": 0.5})
    r = _run(model, {"eF": -0.05}, ("spin_hall.z",))
    assert {c["band"] for c in r.meta["contours"]} == {0} and len(r.meta["contours"]) == 2
    z, err = r.values["spin_hall.z"], r.errors["spin_hall.z"]
    assert 0 < z["intrinsic"] < 1 / (8 * math.pi)
    assert abs(z["total"]) <= err["total"] <= 1e-8 * z["intrinsic"]
    tilted = TwoBandModel.from_string(RASHBA_2DEG + " + t*kx", {"m": 1.0, "alpha": 0.5, "t": 0.2})
    a, b = (_run(tilted, {"eF": 0.6}, ("spin_hall.z",), seed=s) for s in (1, 2))
    assert a.meta["isotropy"] == "anisotropic" and not a.doubts
    za, zb = a.values["spin_hall.z"], b.values["spin_hall.z"]
    assert abs(za["total"]) <= a.errors["spin_hall.z"]["total"] <= 1e-8 * za["intrinsic"]
    for p in ("drude", *W0):
        assert abs(za[p] - zb[p]) <= 1e-10 * za["intrinsic"], p


def test_ti_surface_has_no_spin_hall_current():
    """TI surface: j^a_y = (1/4){sigma_a, -hbar v sigma_x} is 0 for a = y, z and the constant -hbar v/2
    for a = x, whose response vanishes (n^(-1), n^sj, n^sk change no population; gamma = 0): every
    piece 0 within its error floor."""
    keys = ("sigma_yx", "sigma_xx", "spin_hall.x", "spin_hall.y", "spin_hall.z")
    r = _run(catalogue.get("ti-surface"), {"eF": 1.0}, keys)
    scale = {"drude": r.values["sigma_xx"]["drude"], **{p: _scale(r.values["sigma_yx"]) for p in W0}}
    for a in "xyz":
        vals, errs = r.values[f"spin_hall.{a}"], r.errors[f"spin_hall.{a}"]
        for p, x in vals.items():
            assert abs(x) <= errs[p] <= 1e-9 * scale[p], (a, p)
    assert all(x == 0.0 for x in r.values["spin_hall.z"].values())


def test_gauge_seed_changes_nothing_and_tilted_dirac_runs():
    """Gauge invariance of every operator piece (rashba-ferromagnet, spin_hall.z non-zero); the
    anisotropic tilted-dirac answers spin_hall.z with finite numbers (0: j^z_y = (1/4){sigma_z, -v
    sigma_x} = 0 identically) and a converged, undoubted response."""
    model = catalogue.get("rashba-ferromagnet")
    keys = ("spin_hall.x", "spin_hall.y", "spin_hall.z")
    a, b = (_run(model, {"eF": 1.0, "Delta": 0.5}, keys, seed=s) for s in (4, 9))
    scale = _scale(a.values["spin_hall.z"])
    assert scale > 1e-2
    for key in keys:
        for p, x in a.values[key].items():
            assert abs(x - b.values[key][p]) <= 1e-12 * scale, (key, p)
    r = _run(catalogue.get("tilted-dirac"), {"eF": 1.0}, keys)
    assert r.meta["isotropy"] == "anisotropic" and not r.doubts
    assert all(math.isfinite(x) for x in r.values["spin_hall.z"].values())


def test_a_divergent_sea_piece_is_said_not_printed(tmp_path):
    """kx^2 sx on a TI surface above the gap: the lower band alone is filled to k = oo and the sea
    piece diverges; no intrinsic piece and no total, a note; the other pieces and observables stay."""
    model = _model(tmp_path, TI, "ti-kxx", '[observables]\nkxx = "kx**2*sx"\n')
    r = _run(model, {"eF": 1.1}, ("sigma_yx", "observables.kxx"))
    kxx = r.values["observables.kxx"]
    assert kxx["intrinsic"] is None and kxx["total"] is None and kxx["side_jump"] is not None
    assert any("diverges" in n and "observables.kxx" in n for n in r.notes)
    assert r.values["sigma_yx"]["total"] is not None and r.meta["sea_converged"]
