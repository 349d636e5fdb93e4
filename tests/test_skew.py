"""Skew scattering (issue 6): readings B, C, A of Eqs. 31-36 against Eqs. 84, 85, 103 and numerics.

Findings these tests pin down (see semiclassical.skew):
* reading C (J from the exact steady-state solution of Eq. 16) reproduces Eqs. 84, 85 and 103 for
  the TI surface exactly, upper and lower (mirror) bands alike;
* reading B (the J of conventions.md, Eq. 17's interaction-picture Markov form) gives exactly one
  third of them;
* Eq. 36 as printed (reading A) is gauge dependent, and singular with two bands at eF.

The independent numeric reference below (``_Rings``, ``_numeric_skew``) applies the general on-shell
Born collision integral to ring distributions delta(|k| - r) F(theta) with numpy eigenvectors (an
arbitrary gauge) and finds every shell and circle by root finding, so it shares no bookkeeping with
the symbolic module. Its theta grid (N = 24) integrates the trigonometric polynomials that occur
(degree <= 6) exactly, and radii come from Brent's method at 1e-15: agreement is at rounding level,
so tolerances are 1e-9 relative.
"""
import numpy as np
import pytest
import sympy as sp
from scipy.optimize import brentq

import skew_audit  # tests/skew_audit.py: the audit readings A, B36, C36 of Eq. 36
from identities import vanishes_identically
from semiclassical import kinetic, skew
from semiclassical.bloch import BlochSystem, Gauge, Point
from semiclassical.errors import SemiclassicalError
from semiclassical.fermi import W, Shell, circle_values, find_circles
from semiclassical.fermi import eF as EF  # the Fermi-energy symbol (eF below is a number)
from semiclassical.model import TwoBandModel, conj_in, e, laurent_coefficients
from semiclassical.parsing import hbar

TI = "hbar*v*(kx*sy - ky*sx) + M*sz"
DIRAC_QUADRATIC = "v*(kx*sy-ky*sx)+(M-B*k^2)*sz+D*k^2"
RASHBA_FM = "k**2/(2*m) + alpha*(kx*sy - ky*sx) + Delta*sz"

# ------------------------------------------------------------------ independent numeric reference
BAND_COL = {+1: 1, -1: 0}
class _Rings:
    def __init__(self, nm, W=1.0, N=24, kmax=20.0):
        self.nm, self.W, self.N, self.kmax = nm, W, N, kmax
        self.th = 2 * np.pi * np.arange(N) / N
        self._cache, self._roots = {}, {}

    # ---------------------------------------------------------------- band structure
    def vecs(self, r):
        key = round(r, 12)
        if key not in self._cache:
            _, V = self.nm.eigh(r * np.cos(self.th), r * np.sin(self.th))
            self._cache[key] = V
        return self._cache[key]

    def energy(self, band, r):
        E, _ = self.nm.eigh(np.array([r]), np.array([0.0]))
        return E[0, BAND_COL[band]]

    def slope(self, band, r):
        """d eps/dk (radial), Hellmann-Feynman at theta = 0."""
        _, V = self.nm.eigh(np.array([r]), np.array([0.0]))
        dx, _ = self.nm.dh(np.array([r]), np.array([0.0]))
        v = V[0, :, BAND_COL[band]]
        return float(np.real(np.conj(v) @ dx[0] @ v))

    def roots(self, band, E):
        key = (band, round(E, 12))
        if key in self._roots:
            return self._roots[key]
        grid = np.linspace(1e-7, self.kmax, 4001)
        vals = self.nm.eigh(grid, 0 * grid)[0][:, BAND_COL[band]] - E
        out = []
        for i in np.nonzero(np.sign(vals[:-1]) * np.sign(vals[1:]) < 0)[0]:
            out.append(brentq(lambda x: self.energy(band, x) - E, grid[i], grid[i + 1], xtol=1e-15, rtol=1e-15))
        self._roots[key] = out
        return out

    def rho(self, band, r):
        """int d^2k/(2pi)^2 delta(eps - E) F = rho <F>, rho = r/(2 pi |d eps/dk|) (hbar v = d eps/dk)."""
        return r / (2 * np.pi * abs(self.slope(band, r)))

    # ---------------------------------------------------------------- overlaps
    def ov(self, r1, b1, r2, b2):
        """o[i, j] = <b1 at (r1, th_i) | b2 at (r2, th_j)>."""
        V1, V2 = self.vecs(r1)[:, :, BAND_COL[b1]], self.vecs(r2)[:, :, BAND_COL[b2]]
        return np.conj(V1) @ V2.T

    def weight(self, r, r2, a, b, c, d):
        """w[i, j] = <U^{ab}_{kk'} U^{cd}_{k'k}> = W <a_k|b_k'><c_k'|d_k>, k = (r, th_i), k' = (r2, th_j)."""
        return self.W * self.ov(r, a, r2, b) * self.ov(r2, c, r, d).T

    # ---------------------------------------------------------------- J0 on a shell
    def states(self, E):
        return [(b, r) for b in (+1, -1) for r in self.roots(b, E)]

    def solve_J0(self, E, source, hbar=1.0):
        """h with J0[delta(eps - E) h] = delta(eps - E) source (Eq. 28); source: {(band, r): array}."""
        st = self.states(E)
        N = self.N
        A = np.zeros((len(st) * N, len(st) * N), complex)
        for i, (b, r) in enumerate(st):
            for j, (b2, r2) in enumerate(st):
                w = np.abs(self.ov(r, b, r2, b2)) ** 2 * self.W * self.rho(b2, r2) / N
                A[i * N:(i + 1) * N, i * N:(i + 1) * N] += np.diag(w.sum(axis=1))
                A[i * N:(i + 1) * N, j * N:(j + 1) * N] -= w
        A *= 2 * np.pi / hbar
        rhs = np.zeros(len(st) * N, complex)
        for (b, r), val in source.items():
            i = _find(st, b, r)
            rhs[i * N:(i + 1) * N] += val
        h = np.linalg.lstsq(A, rhs, rcond=None)[0]
        assert np.allclose(A @ h, rhs, atol=1e-10 * max(1, np.abs(rhs).max()))
        return {s: h[i * N:(i + 1) * N] for i, s in enumerate(st)}

    # ---------------------------------------------------------------- general Born J
    def born(self, f, markov, hbar=1.0):
        """J(f) for f = {r: F (N, 2, 2) in band basis (cols: band -1 -> 0, +1 -> 1)}; -> {r: (N, 2, 2)}."""
        out = {}
        N = self.N

        def add(r, m, n, val):
            key = _key(out, r)
            if key is None:
                out[r] = np.zeros((N, 2, 2), complex)
                key = r
            out[key][:, BAND_COL[m], BAND_COL[n]] += val

        bands = (+1, -1)

        def shell_sum(r, E, left, right):
            """sum_{a, k' at energy E} <w^{left a, a right}>_theta' (k on the ring r)."""
            tot = np.zeros(N, complex)
            for a in bands:
                for r2 in self.roots(a, E):
                    tot += self.rho(a, r2) * self.weight(r, r2, left, a, a, right).mean(axis=1)
            return tot

        for r, F in f.items():
            for x in bands:
                for y in bands:
                    Fxy = F[:, BAND_COL[x], BAND_COL[y]]
                    if not np.any(Fxy):
                        continue
                    # first term: w^{ma,ab} delta(eps^a_k' - E) f^{bn}_k, (b, n) = (x, y)
                    E = self.energy(x if markov == "rotating" else y, r)
                    for m in bands:
                        add(r, m, y, np.pi / hbar * shell_sum(r, E, m, x) * Fxy)
                    # third term: f^{ma}_k w^{ab,bn} delta(eps^b_k' - E), (m, a) = (x, y)
                    E = self.energy(y if markov == "rotating" else x, r)
                    for n in bands:
                        add(r, x, n, np.pi / hbar * shell_sum(r, E, y, n) * Fxy)
        # second term: -w^{ma,bn} f^{ab}_k' (two deltas pinning |k|)
        for r2, F in f.items():
            for a in bands:
                for b in bands:
                    Fab = F[:, BAND_COL[a], BAND_COL[b]]
                    if not np.any(Fab):
                        continue
                    for m in bands:
                        for n in bands:
                            if markov == "rotating":
                                pins = ((self.energy(b, r2), n), (self.energy(a, r2), m))
                            else:
                                pins = ((self.energy(a, r2), n), (self.energy(b, r2), m))
                            for E, band in pins:
                                for r in self.roots(band, E):
                                    # int d^2k'/(2pi)^2 delta(|k'| - r2) = r2/(2 pi) <.>; delta(eps^band_k - E)
                                    # = delta(|k| - r)/|d eps/dk|
                                    pref = r2 / (2 * np.pi) / abs(self.slope(band, r))
                                    val = (self.weight(r, r2, m, a, b, n) * Fab[None, :]).mean(axis=1)
                                    add(r, m, n, -np.pi / hbar * pref * val)
        return out


def _find(states, b, r):
    for i, (b2, r2) in enumerate(states):
        if b2 == b and abs(r2 - r) < 1e-9 * max(1, r):
            return i
    raise KeyError((b, r))


def _key(d, r):
    for k in d:
        if abs(k - r) < 1e-9 * max(1, r):
            return k
    return None


def _numeric_skew(nm, eF, markov, W=1.0, N=24, e=1.0, hbar=1.0):
    """(sigma_yx^sk, <s_x>^sk, <s_y>^sk, details) from the rings engine (E = xhat, E_x = 1)."""
    R = _Rings(nm, W, N)
    th = R.th
    # leading order: J0[n] = -e v_x delta(eps - eF)
    src = {(b, r): -e * R.slope(b, r) / hbar * np.cos(th) for b, r in R.states(eF)}
    g = R.solve_J0(eF, src, hbar)
    f = {}
    for (b, r), h in g.items():
        F = np.zeros((N, 2, 2), complex)
        F[:, BAND_COL[b], BAND_COL[b]] = h / abs(R.slope(b, r))   # delta(eps - eF) = delta(|k| - r)/|eps'|
        f[r] = F
    Jn = R.born(f, "rotating", hbar)     # identical for both Markov forms on a diagonal f
    Sp = {}
    for r, J in Jn.items():
        F = np.zeros((N, 2, 2), complex)
        for m, n in ((+1, -1), (-1, +1)):
            gap = R.energy(m, r) - R.energy(n, r)
            F[:, BAND_COL[m], BAND_COL[n]] = hbar * (-J[:, BAND_COL[m], BAND_COL[n]]) / (1j * gap)
        Sp[r] = F
    Jsk = R.born(Sp, markov, hbar)
    # group the diagonal parts by energy shell: coefficient of delta(eps^m - E) is |eps'| J^{mm}
    shells = {}
    for r, J in Jsk.items():
        for m in (+1, -1):
            val = J[:, BAND_COL[m], BAND_COL[m]]
            if np.max(np.abs(val)) < 1e-14:
                continue
            E = R.energy(m, r)
            key = next((k for k in shells if abs(k - E) < 1e-9 * max(1, abs(E))), E)
            shells.setdefault(key, {})[(m, r)] = -abs(R.slope(m, r)) * val
    sigma, sx, sy = 0.0, 0.0, 0.0
    parts = {}
    for E, source in shells.items():
        h = R.solve_J0(E, {(m, r): v for (m, r), v in source.items()}, hbar)
        part = 0.0
        for (b, r), hv in h.items():
            rho = R.rho(b, r)
            vy = R.slope(b, r) / hbar * np.sin(th)
            part += -e * rho * np.mean(vy * hv)
            V = R.vecs(r)[:, :, BAND_COL[b]]
            spin = [np.einsum("ti,ij,tj->t", np.conj(V), s, V) for s in nm.spin[:2]]
            sx += rho * np.mean(spin[0] * hv)
            sy += rho * np.mean(spin[1] * hv)
        parts[E] = part
        sigma += part
    return sigma, sx, sy, {"shells": parts, "fermi_states": R.states(eF)}


# ------------------------------------------------------------------ fixtures and helpers
xi, eps_F, v = sp.symbols("xi epsilon_F v", positive=True)
P1 = Point("1")
RHO_TI = eps_F / (2 * sp.pi * hbar**2 * v**2)
#: the TI circle at eF (eF > M > 0) in xi = M/eF: checked against BlochSystem.point_values below
TI_SUBS = {P1.C: xi, P1.S: sp.sqrt(1 - xi**2), P1.dd: eps_F, P1.ddp: hbar * v * sp.sqrt(1 - xi**2),
           P1.d0p: 0, P1.ap: hbar * v * xi / eps_F,
           sp.Symbol("rho_1", positive=True): RHO_TI, sp.Symbol("rho_1m", positive=True): RHO_TI}
SIGMA_UNIT = e**2 / (2 * sp.pi * hbar)


def ti_model(negative_M=False):
    return TwoBandModel.from_string(TI, {"v": 1.0, "M": -0.3 if negative_M else 0.3},
                                    negative=("M",) if negative_M else ())


@pytest.fixture(scope="module")
def ti():
    return BlochSystem(ti_model())


@pytest.fixture(scope="module")
def ti_dist(ti):
    shell = Shell.of([(1, 1)])
    return {r: skew.skew_distribution(ti, shell, r) for r in ("B", "C", "T")}


def explicit(expr):
    return sp.factor(sp.simplify(sp.sympify(expr).xreplace(TI_SUBS)))


def numeric_point(model, values, eF_value, gauge=Gauge(), spec_needed=True):
    """(BlochSystem, shell, mirrors, numeric substitution) at a parameter point."""
    bs = BlochSystem(model, gauge)
    circles = find_circles(bs, values, eF_value)
    shell = Shell.of([(b, s) for b, s, _ in circles])
    spec = skew.mirror_spec(bs, values, circles, eF_value)
    mirrors = skew.mirror_shells(shell, spec)
    num = {model.parameters[n]: x for n, x in values.items() if n in model.parameters}
    for c, (_, _, kc) in zip(shell.circles, circles):
        num.update(circle_values(bs, c, values, kc))
    num.update(skew.mirror_circle_values(bs, mirrors, spec, values))
    num.update({hbar: values.get("hbar", 1.0), e: 1.0, W: 1.0})
    return bs, shell, mirrors, num


def value(expr, num):
    x = complex(sp.sympify(expr).xreplace(num).evalf(30))
    assert abs(x.imag) <= 1e-12 * max(1.0, abs(x.real)), x   # observables are real
    return x.real


# ------------------------------------------------------------------ TI surface: paper Eqs. 84, 85, 103
def test_ti_circle_symbols_match_point_values(ti):
    """The substitution used below is BlochSystem.point_values at k_F = sqrt(eF^2 - M^2)/(hbar v)."""
    M = ti.model.parameters["M"]
    vs = ti.model.parameters["v"]
    kF = sp.sqrt(eps_F**2 - M**2) / (hbar * vs)
    pv = ti.point_values(P1, kF)
    on_xi = {M: xi * eps_F, vs: v}
    for sym in (P1.C, P1.S, P1.dd, P1.ddp, P1.d0p, P1.ap):
        assert sp.simplify(pv[sym].subs(on_xi) - TI_SUBS[sym]) == 0
    # the lower band at k_F is hole-like (v^- = -v^+)
    partner = skew.mirror_shells(Shell.of([(1, 1)]), {"1": {"partner_vsign": -1}})["1"].partner
    rho_m = partner.rho_value().subs(pv).subs(P1.k, kF).subs(on_xi)
    assert sp.simplify(rho_m - RHO_TI) == 0


def eq84_upper():
    """Eq. 84 upper-band factor: (3/2)(hbar v/eF) xi (1-xi^2)^{3/2}/(1+3xi^2)^2 e E.thetahat, E = xhat."""
    u = P1.u
    return (sp.Rational(3, 2) * hbar * v / eps_F * xi * (1 - xi**2) ** sp.Rational(3, 2) / (1 + 3 * xi**2) ** 2
            * e * sp.I * (u - 1 / u) / 2)          # E.thetahat = -sin(theta) = i(u - 1/u)/2


def test_ti_reading_C_distribution_is_eq84(ti_dist):
    """n^sk = delta(eF - eps^+) (...) sigma_z: upper band on the Fermi circle, lower band (mirror shell,
    energy -eF, same k_F, delta(eps^- + eF) = delta(eps^+ - eF) here) with the opposite sign."""
    dist = ti_dist["C"]
    upper = dist[(skew.FERMI, "1")]
    lower = dist[("1", "1m")]
    assert [pc.energy for pc in dist.pieces] == [EF, EF - 2 * P1.dd]
    target = laurent_coefficients(sp.expand(eq84_upper()), P1.u)
    for l, c in laurent_coefficients(sp.expand(upper), P1.u).items():
        assert sp.simplify(explicit(c) - target[l]) == 0
    for l, c in laurent_coefficients(sp.expand(lower), P1.u).items():
        assert sp.simplify(explicit(c) + target[l]) == 0


def test_ti_reading_C_current_is_eq85(ti, ti_dist):
    shell = Shell.of([(1, 1)])
    sigma = skew.skew_current(ti, shell, dist=ti_dist["C"])
    eq85 = SIGMA_UNIT * xi * 3 * (1 - xi**2) ** 2 / (2 * (1 + 3 * xi**2) ** 2)
    assert sp.simplify(explicit(sigma) - eq85) == 0
    # Eq. 83: the two bands contribute equally
    half = skew.skew_current(ti, shell, dist=ti_dist["C"], shells=(skew.FERMI,))
    assert sp.simplify(explicit(half) - eq85 / 2) == 0


def test_ti_reading_C_spin_is_eq103(ti, ti_dist):
    sx, sy = skew.skew_spin_density(ti, Shell.of([(1, 1)]), dist=ti_dist["C"])
    eq103 = e * hbar * RHO_TI * v * xi / eps_F * 3 * (1 - xi**2) ** 2 / (2 * (1 + 3 * xi**2) ** 2)
    assert sp.simplify(explicit(sx) - eq103) == 0
    assert explicit(sy) == 0
    # sigma_yx = e v <s_x> (paper, below Eq. 105) holds piece by piece
    sigma = skew.skew_current(ti, Shell.of([(1, 1)]), dist=ti_dist["C"])
    assert sp.simplify(explicit(sigma) - e * v * explicit(sx)) == 0


def test_ti_reading_B_is_one_third_of_eq85(ti, ti_dist):
    """Derived with the J of conventions.md (Eq. 17): n^sk and sigma_sk are exactly 1/3 of Eqs. 84-85."""
    shell = Shell.of([(1, 1)])
    sigma = skew.skew_current(ti, shell, dist=ti_dist["B"])
    assert sp.simplify(explicit(sigma) - SIGMA_UNIT * xi * (1 - xi**2) ** 2 / (2 * (1 + 3 * xi**2) ** 2)) == 0
    target = laurent_coefficients(sp.expand(eq84_upper() / 3), P1.u)
    for l, c in laurent_coefficients(sp.expand(ti_dist["B"][(skew.FERMI, "1")]), P1.u).items():
        assert sp.simplify(explicit(c) - target[l]) == 0


def test_ti_reading_T_is_eq84_folded_onto_the_fermi_circle(ti, ti_dist):
    """Reading T (golden rule, the default): n^sk = 2 x the upper-band part of Eq. 84, no lower-band
    (mirror) part; the observables are Eqs. 85 and 103 all the same (d0 = const)."""
    dist = ti_dist["T"]
    assert [(pc.shell, pc.energy) for pc in dist.pieces] == [(skew.FERMI, EF)]
    target = laurent_coefficients(sp.expand(2 * eq84_upper()), P1.u)
    got = laurent_coefficients(sp.expand(dist[(skew.FERMI, "1")]), P1.u)
    assert set(got) == set(target)
    for l, c in got.items():
        assert sp.simplify(explicit(c) - target[l]) == 0
    shell = Shell.of([(1, 1)])
    for name in ("current", "spin"):
        f = skew.skew_current if name == "current" else (lambda *a, **k: skew.skew_spin_density(*a, **k)[0])
        assert sp.simplify(explicit(f(ti, shell, dist=dist) - f(ti, shell, dist=ti_dist["C"]))) == 0, name


@pytest.mark.parametrize("hamiltonian,spec", [(TI, [(1, 1)]), (DIRAC_QUADRATIC, [(1, 1)]),
                                              (RASHBA_FM, [(1, 1), (-1, 1)]), (RASHBA_FM, [(-1, -1), (-1, 1)])],
                         ids=["ti", "dirac+Dk^2", "rashba, one circle per band", "rashba, two lower-band circles"])
def test_golden_rule_is_twice_the_fermi_shell_part_of_reading_C(hamiltonian, spec):
    """J_sk^T = 2 x [J^static(S')]_Fermi shell, exactly, in circle symbols and a random gauge (the identity
    of the skew module docstring): two routes that share only the eigenvectors -- the Pancharatnam
    triple products of reading T and the interband coherence S' of Eqs. 31-33 under J of Eq. 16."""
    model = TwoBandModel.from_string(hamiltonian, {"v": 1, "M": 0.5, "B": 0.2, "D": 0.1} if "B*" in hamiltonian
                                     else {"m": 1, "alpha": 0.5, "Delta": 0.5} if "alpha" in hamiltonian
                                     else {"v": 1, "M": 0.3})
    bs = BlochSystem(model, Gauge.random(6))
    shell = Shell.of(spec)
    jt = skew.skew_driving(bs, shell, "T")
    jc = skew.skew_driving(bs, shell, "C", skew.mirror_shells(shell))
    sphere = [(t.point.C, t.point.S) for t in shell.circles]            # Bloch angle in (0, pi)
    for c in shell.circles:
        diff = jt[(skew.FERMI, c.tag)] - 2 * jc[(skew.FERMI, c.tag)]
        # exact rational arithmetic at random points, u included (tests/identities.py)
        assert vanishes_identically(diff, sphere), c.tag
        assert not vanishes_identically(jt[(skew.FERMI, c.tag)] - jc[(skew.FERMI, c.tag)], sphere), c.tag
    assert all(pc.shell == skew.FERMI for pc in jt.pieces)


def test_one_circle_skew_current_readings_T_and_C():
    """One circle of band + (winding 1, any d0(k)): sigma^sk = 3 e^2 C S^2 rho X (d0' + |d|') / (2 hbar |d| (1 + 3C^2)^2)
    with X = d0' + |d|' (= hbar v_F) for the golden rule and X = |d|' for the paper's route: they differ
    exactly by the scalar velocity d0'/hbar, and coincide for the TI (Eq. 85)."""
    model = TwoBandModel.from_string(DIRAC_QUADRATIC, {"v": 1, "M": 0.5, "B": 0.2, "D": 0.1})
    bs, shell, p = BlochSystem(model), Shell.of([(1, 1)]), Point("1")
    common = 3 * e**2 * p.C * p.S**2 * sp.Symbol("rho_1", positive=True) * (p.d0p + p.ddp) / (
        2 * p.dd * hbar * (3 * p.C**2 + 1) ** 2)
    on_sphere = {p.S: sp.sqrt(1 - p.C**2)}
    for reading, x in (("T", p.d0p + p.ddp), ("C", p.ddp)):
        sigma = skew.skew_current(bs, shell, reading)
        assert sp.simplify((sigma - common * x).xreplace(on_sphere)) == 0, reading


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("reading", ["B", "C", "T"])
def test_gauge_independence(ti_dist, seed, reading):
    """A k-dependent random gauge (windings and smooth phases) leaves n^sk unchanged, symbolically."""
    bs = BlochSystem(ti_model(), Gauge.random(seed))
    dist = skew.skew_distribution(bs, Shell.of([(1, 1)]), reading)
    for pc, ref in zip(dist.pieces, ti_dist[reading].pieces):
        assert sp.simplify(explicit(pc.expr - ref.expr)) == 0


def test_sigma_skew_odd_in_M():
    """sigma_sk(-M) = -sigma_sk(M) (time reversal flips the magnetization), closed form and reference."""
    out = {}
    for neg in (False, True):
        model = ti_model(neg)
        vals = {"v": 1.0, "M": -0.3 if neg else 0.3, "hbar": 1.0}
        bs, shell, mirrors, num = numeric_point(model, vals, 1.0)
        sig = value(skew.skew_current(bs, shell, "C", mirrors), num)
        ref = _numeric_skew(model.numeric(vals), 1.0, "static")[0].real
        assert sig == pytest.approx(ref, rel=1e-9)
        out[neg] = sig
    assert out[True] == pytest.approx(-out[False], rel=1e-12)
    assert out[False] == pytest.approx(3 * 0.3 * (1 - 0.09) ** 2 / (2 * (1 + 0.27) ** 2) / (2 * np.pi), rel=1e-12)


# ------------------------------------------------------------------ internal consistency
def test_eq36_routes_equal_collision_routes(ti):
    """Eq. 36 with corrected indices is an independent route: B36 == B and C36 == C exactly."""
    shell = Shell.of([(1, 1)])
    for a, b in (("B", "B36"), ("C", "C36")):
        Ja, Jb = skew.skew_driving(ti, shell, a), skew_audit.skew_driving(ti, shell, b)
        for pa, pb in zip(Ja.pieces, Jb.pieces):
            assert sp.simplify(pa.expr - pb.expr) == 0


def test_born_collision_reduces_to_eq28_and_hermitian_coherence(ti):
    """J(n)^{mm} of the general collision integral is J0 (Eq. 28); S'^{-+} = (S'^{+-})*."""
    shell = Shell.of([(1, 1)])
    g = kinetic.leading_distribution(ti, shell)
    J = skew.born_collision(ti, shell, {"1": {(1, 1): g["1"]}}, components="diagonal")
    A1 = kinetic.collision_matrix(ti, shell, 1)[0, 0]
    u = P1.u
    j0 = sum(A1 * c * u**l for l, c in laurent_coefficients(g["1"], u).items())
    assert sp.simplify(J[(skew.FERMI, "1")][(1, 1)] - j0) == 0
    Sp = skew.interband_coherence(ti, shell)["1"]
    assert sp.simplify(Sp[(-1, 1)] - conj_in(Sp[(1, -1)], (u,))) == 0


# ------------------------------------------------------------------ other models vs the numeric reference
DIRAC_VALUES = {"v": 1.0, "M": 0.5, "B": 0.2, "D": 0.1, "hbar": 1.0}
RASHBA_VALUES = {"m": 1.0, "alpha": 0.5, "Delta": 0.5, "hbar": 1.0}


@pytest.mark.parametrize("name,hamiltonian,values", [
    ("massive Dirac + quadratic (no particle-hole symmetry)", DIRAC_QUADRATIC, DIRAC_VALUES),
    ("Rashba ferromagnet (two Fermi circles)", RASHBA_FM, RASHBA_VALUES),
])
def test_closed_forms_match_numeric_reference(name, hamiltonian, values):
    model = TwoBandModel.from_string(hamiltonian, {k: x for k, x in values.items() if k != "hbar"})
    bs, shell, mirrors, num = numeric_point(model, values, 1.0, Gauge.random(4))
    for reading, markov in (("B", "rotating"), ("C", "static")):
        dist = skew.skew_distribution(bs, shell, reading, mirrors)
        got = [value(skew.skew_current(bs, shell, dist=dist), num),
               *(value(s, num) for s in skew.skew_spin_density(bs, shell, dist=dist))]
        ref = _numeric_skew(model.numeric(values), 1.0, markov)
        assert got == pytest.approx([x.real for x in ref[:3]], rel=1e-9, abs=1e-13), (name, reading)


def test_rashba_mirror_shells():
    """eF > Delta: circles of both bands; the outer circle's mirror energy is crossed by a third circle."""
    model = TwoBandModel.from_string(RASHBA_FM, {k: x for k, x in RASHBA_VALUES.items() if k != "hbar"})
    _, shell, mirrors, _ = numeric_point(model, RASHBA_VALUES, 1.0)
    assert [c.band for c in shell.circles] == [1, -1]
    assert [len(mirrors[t].shell) for t in ("1", "2")] == [1, 2]
    assert [t.band for t in mirrors["2"].shell.circles] == [1, -1]


# ------------------------------------------------------------------ reading A: Eq. 36 as printed
def test_reading_A_is_gauge_dependent_for_the_ti(ti_dist):
    shell = Shell.of([(1, 1)])
    # canonical gauge: the printed driving term does not even conserve particle number
    with pytest.raises(SemiclassicalError, match="no solution"):
        skew_audit.skew_distribution(BlochSystem(ti_model()), shell, "A")
    # a smooth k-dependent gauge: the printed integrand is not gauge covariant
    with pytest.raises(SemiclassicalError, match="not gauge covariant"):
        skew_audit.skew_distribution(BlochSystem(ti_model(), Gauge.random(1)), shell, "A")
    # paper's Eq. 69 gauge and a winding gauge: a number, but minus reading B's
    sigma_B = explicit(skew.skew_current(BlochSystem(ti_model()), shell, dist=ti_dist["B"]))
    for gauge in (Gauge.paper_ti(), Gauge(winding=(1, 0))):
        bs = BlochSystem(ti_model(), gauge)
        assert sp.simplify(explicit(skew_audit.skew_current(bs, shell, "A")) + sigma_B) == 0


def test_reading_A_is_singular_with_two_bands_at_eF():
    model = TwoBandModel.from_string(RASHBA_FM, {k: x for k, x in RASHBA_VALUES.items() if k != "hbar"})
    bs, shell, mirrors, _ = numeric_point(model, RASHBA_VALUES, 1.0)
    with pytest.raises(SemiclassicalError, match="singular"):
        skew_audit.skew_driving(bs, shell, "A", mirrors)


def test_bad_input(ti):
    with pytest.raises(SemiclassicalError, match="unknown reading"):
        skew.skew_driving(ti, Shell.of([(1, 1)]), "D")
    with pytest.raises(SemiclassicalError, match="no Fermi circle"):
        skew.skew_driving(ti, Shell(()), "B")
    with pytest.raises(SemiclassicalError, match="markov"):
        skew.born_collision(ti, Shell.of([(1, 1)]), {}, markov="slow")
