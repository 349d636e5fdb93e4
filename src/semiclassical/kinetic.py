"""Leading-order kinetic layer on Fermi circles (paper Sec. III-IV, Eqs. 27-33, 37-38, 46-47, 56-61).

All quantities live on an energy :class:`~semiclassical.fermi.Shell` (a set of Fermi circles)
and are exact Laurent polynomials in u_c = e^{i theta} of the circle they are evaluated on.
The field is E = E_x xhat with E_x = 1 (results are per unit E_x); e > 0, electron charge -e.

Distributions on the shell are n^m_k = delta(eps^m_k - eF) g_c(theta), and
g_c(theta) = sum_l g_{c,l} u_c^l. The Born collision integral J0 (Eq. 28) conserves energy and
angular harmonic, so on harmonic l it is the N x N matrix of :func:`collision_matrix`.
"""
from __future__ import annotations

import sympy as sp

from .expansion import expand
from .bloch import BlochSystem, Point
from .disorder import WHITE_NOISE, Correlator
from .fermi import Circle, Shell
from .model import conj_in, e, laurent_coefficients
from .parsing import hbar

__all__ = ["OTHER", "full_angles", "same_circle", "scattering_weight", "collision_matrix", "scattering_rate",
           "solve_on_shell", "series", "leading_distribution", "interband_correction", "extrinsic_velocity",
           "extrinsic_spin", "intrinsic_spin", "leading_placeholders", "side_jump_rate",
           "side_jump_distribution"]

OTHER = {+1: -1, -1: +1}


def full_angles(expr, *points: Point):
    """Eliminate the half-angles of every point (gauge-invariant expressions only)."""
    for p in points:
        expr = p.to_full_angles(expr)
    return expand(expr)


def _cartesian_field(bs: BlochSystem, kind: str, m: int, n: int, p: Point, operators=None):
    """Off-diagonal matrix field at p: 'R' (Berry connection, Cartesian x, y) or 'T' (Eq. 56: the
    spin's x, y, z, or T_O = hbar O^{mn}/(i(eps^m - eps^n)) of each of ``operators``)."""
    if kind == "R":
        return p.cartesian(bs.berry_connection(m, n, p))
    if kind == "T":
        return bs.spin_torque_operator(m, n, p, operators)
    raise ValueError(kind)


def same_circle(expr, q: Point, on: Point):
    """Give the auxiliary point q the radius data of ``on`` (keeping its own angle)."""
    names = ("k", "ch", "sh", "C", "S", "ap", "dd", "d0p", "ddp")
    return expr.xreplace({getattr(q, n): getattr(on, n) for n in names})


# --------------------------------------------------------------------------- J0
def scattering_weight(bs: BlochSystem, c: Circle, q_circle: Circle, q: Point, corr: Correlator = WHITE_NOISE):
    """<U^{mm'}_{kk'} U^{m'm}_{k'k}> = W |<u^m_k|u^{m'}_{k'}>|^2 for k on c, k' = q on q_circle."""
    p, m, mp = c.point, c.band, q_circle.band
    return full_angles(corr(bs, m, p, mp, q, mp, m), p, q)


def collision_matrix(bs: BlochSystem, shell: Shell, l: int, corr: Correlator = WHITE_NOISE) -> sp.Matrix:
    """J0 (Eq. 28) on angular harmonic l: (J0 g)_{c,l} = sum_c' A_{cc'} g_{c',l}.

    A_{cc'} = (2 pi/hbar)[delta_{cc'} sum_c'' rho_c'' <w_{cc''}> - rho_c' <w_{cc'} e^{i l (theta'-theta)}>].
    For one circle A = 1/tau_tr with 1/tau_tr of Eq. 30 (harmonic l = +-1).
    """
    N = len(shell)
    A = sp.zeros(N, N)
    for i, c in enumerate(shell.circles):
        u_c = c.point.u
        for j, c2 in enumerate(shell.circles):
            q = c2.point.primed() if c2 is c else c2.point
            w = scattering_weight(bs, c, c2, q, corr)
            out = c2.rho * corr.average(w, q)
            gain = c2.rho * corr.average(expand(w * q.u**l), q) * u_c ** (-l)
            A[i, i] += 2 * sp.pi / hbar * out
            A[i, j] -= 2 * sp.pi / hbar * expand(gain)
    # rotational covariance: nothing may depend on the direction of k
    A = A.applyfunc(lambda x: expand(x))
    if any(x.has(c.point.u) for x in A for c in shell.circles):
        raise ValueError("collision matrix depends on the direction of k: model not covariant?")
    return A


def scattering_rate(bs: BlochSystem, shell: Shell, corr: Correlator = WHITE_NOISE):
    """Out-scattering rate 1/tau_c = (2 pi/hbar) sum_c' rho_c' <w_{cc'}> of each circle (Eq. 28, l = 0 diagonal)."""
    return [_out_rate(bs, shell, c, corr) for c in shell.circles]


def _out_rate(bs, shell, c, corr):
    total = 0
    for c2 in shell.circles:
        q = c2.point.primed() if c2 is c else c2.point
        total += c2.rho * corr.average(scattering_weight(bs, c, c2, q, corr), q)
    return expand(2 * sp.pi / hbar * total)


def solve_on_shell(bs: BlochSystem, shell: Shell, source: dict, corr: Correlator = WHITE_NOISE,
                   harmonics: bool = False):
    """Solve J0[g] = source harmonic by harmonic; source = {c.tag: Laurent polynomial in u_c}.

    Returns {c.tag: g_c(u_c)}, or with ``harmonics`` {c.tag: {l: g_{c,l}}} (the coefficients as
    solved: with several circles they are large rational functions, and re-extracting them from the
    sum would expand them). The l = 0 harmonic of J0 is singular (particle conservation); a source
    with an l = 0 part is rejected, as it would violate charge conservation.
    """
    coeffs = {c.tag: laurent_coefficients(source.get(c.tag, 0), c.point.u) for c in shell.circles}
    ls = sorted(set().union(*[set(v) for v in coeffs.values()]))
    out = {c.tag: {} for c in shell.circles}
    for l in ls:
        if l == 0:
            if any(sp.simplify(v.get(0, 0)) != 0 for v in coeffs.values()):
                raise ValueError("isotropic (l = 0) source: J0 cannot be inverted there")
            continue
        A = collision_matrix(bs, shell, l, corr)
        b = sp.Matrix([coeffs[c.tag].get(l, 0) for c in shell.circles])
        if len(shell) == 1:
            g = [sp.factor(sp.cancel(b[0] / A[0, 0]))]
        else:
            # Cramer's rule keeps one expanded determinant instead of nested LU fractions,
            # which SymPy's cancel/factor cannot digest quickly for coupled circles
            # (division-free Berkowitz: the default Bareiss simplifies every step with dotprodsimp, 4.6 s of
            # a correlated two-circle derivation's 16 s profiled)
            det = expand(A.det(method="berkowitz"))
            g = [expand(x) / det for x in A.adjugate(method="berkowitz") * b]
        for c, gl in zip(shell.circles, g):
            out[c.tag][l] = gl
    if harmonics:
        return out
    return {c.tag: series(out[c.tag], c.point.u) for c in shell.circles}


def series(coeffs: dict, u):
    """sum_l c_l u^l from {l: c_l}."""
    return sp.Add(*[c * u**l for l, c in coeffs.items()])


def leading_distribution(bs: BlochSystem, shell: Shell, corr: Correlator = WHITE_NOISE, harmonics: bool = False):
    """n_E^(-1) = delta(eps - eF) g_c (Eqs. 27, 29): J0[g] = -e E.v, E = xhat.

    For one circle g = -e tau_tr E.v (Eq. 29); several circles are solved as a linear system.
    ``harmonics``: {c.tag: {l: g_{c,l}}} instead (:func:`solve_on_shell`).
    """
    source = {}
    for c in shell.circles:
        p = c.point
        source[c.tag] = expand(-e * p.velocity(c.band) * (p.u + 1 / p.u) / 2)
    return solve_on_shell(bs, shell, source, corr, harmonics)


# --------------------------------------------------------------------------- beta, gamma
def _bracket_weights(bs: BlochSystem, corr: Correlator, m: int, p: Point, b2: int, q: Point):
    """The four correlators of Eqs. 47/61 for k on band m at p and k' on band b2 at q, computed once
    per Bloch system and shared by every field X (beta, gamma, each observable's gamma_O)."""
    cache = bs.__dict__.setdefault("_bracket_weights", {})
    key = (corr.name, m, p, b2, q)
    if key not in cache:
        nbar, b2bar = OTHER[m], OTHER[b2]
        cache[key] = (
            # first bracket: k' on circle c2 is band m' = b2; n = other band at k
            corr(bs, nbar, p, b2, q, b2, m),          # <U^{n m'}_{kk'} U^{m' m}_{k'k}>
            corr(bs, m, p, b2, q, b2, nbar),          # <U^{m m'}_{kk'} U^{m' n}_{k'k}>
            # second bracket: k' on circle c2 is band n = b2; m' = other band at k'
            corr(bs, m, p, b2, q, b2bar, m),          # <U^{m n}_{kk'} U^{m' m}_{k'k}>, X^{n m'}_{k'}
            corr(bs, m, p, b2bar, q, b2, m))          # <U^{m m'}_{kk'} U^{n m}_{k'k}>, X^{m' n}_{k'}
    return cache[key]


def interband_correction(bs: BlochSystem, shell: Shell, c: Circle, kind: str, corr: Correlator = WHITE_NOISE,
                         operators=None):
    """The Born-type operator of Eqs. 47 (kind 'R': beta) and 61 (kind 'T': gamma) at k on circle c.

    Lambda^m_k[X] = (pi/hbar) sum_{n,m',k'} { [X^{mn}_k <U^{nm'}U^{m'm}> + <U^{mm'}U^{m'n}> X^{nm}_k] delta(eps^m_k - eps^{m'}_k')
                                           - [<U^{mn}U^{m'm}> X^{nm'}_k' + <U^{mm'}U^{nm}> X^{m'n}_k'] delta(eps^n_k' - eps^m_k) }
    with X off-diagonal. Returns Cartesian components, Laurent polynomials in u_c (kind 'T' with
    ``operators``: one component per operator, X = T_O).
    """
    p, m = c.point, c.band
    nbar = OTHER[m]
    X_k = {(m, nbar): _cartesian_field(bs, kind, m, nbar, p, operators),
           (nbar, m): _cartesian_field(bs, kind, nbar, m, p, operators)}
    ncomp = len(X_k[(m, nbar)])
    total = [sp.Integer(0)] * ncomp
    for c2 in shell.circles:
        q = c2.point.primed() if c2 is c else c2.point
        b2, b2bar = c2.band, OTHER[c2.band]
        w1, w2, w3, w4 = _bracket_weights(bs, corr, m, p, b2, q)
        X_q = (_cartesian_field(bs, kind, b2, b2bar, q, operators), _cartesian_field(bs, kind, b2bar, b2, q, operators))
        for i in range(ncomp):
            term = (X_k[(m, nbar)][i] * w1 + w2 * X_k[(nbar, m)][i]
                    - w3 * X_q[0][i] - w4 * X_q[1][i])
            term = full_angles(term, p, q)
            total[i] += c2.rho * corr.average(term, q)
    return tuple(expand(sp.pi / hbar * t) for t in total)


def extrinsic_velocity(bs: BlochSystem, shell: Shell, c: Circle, corr: Correlator = WHITE_NOISE):
    """beta^m_k (Eqs. 46-47; Eq. 77 for the TI), polar components (k, theta) on circle c."""
    bx, by = interband_correction(bs, shell, c, "R", corr)
    return c.point.polar((bx, by))


def extrinsic_spin(bs: BlochSystem, shell: Shell, c: Circle, corr: Correlator = WHITE_NOISE, operators=None):
    """gamma^m_k (Eqs. 60-61; Eq. 98 for the TI), Cartesian spin components (x, y, z) on circle c;
    with ``operators``, gamma_O of each k-local operator O (Eq. 61 with T -> T_O)."""
    return interband_correction(bs, shell, c, "T", corr, operators)


def intrinsic_spin(bs: BlochSystem, band: int, p: Point = Point(), operators=None):
    """s^int_m = (i e/hbar) [T, E.R']^{mm} with E = xhat (Eq. 57, 91): (x, y, z) at a generic point;
    with ``operators``, the same for T_O of each k-local operator O (the sea piece of <O>)."""
    nbar = OTHER[band]
    T_mn, T_nm = bs.spin_torque_operator(band, nbar, p, operators), bs.spin_torque_operator(nbar, band, p, operators)
    Rx_nm = p.cartesian(bs.berry_connection(nbar, band, p))[0]
    Rx_mn = p.cartesian(bs.berry_connection(band, nbar, p))[0]
    return tuple(expand(p.to_full_angles(sp.I * e / hbar * (T_mn[i] * Rx_nm - Rx_mn * T_nm[i])))
                 for i in range(len(T_mn)))


def leading_placeholders(shell: Shell, g: dict, prefix: str = "g"):
    """Real symbols for the harmonics of the leading distribution, and their values.

    g_c = sum_l gcos_{c,l} cos(l theta) + gsin_{c,l} sin(l theta). Everything downstream is linear
    in n^(-1), so the derivation runs on these symbols (small polynomial expressions even with
    several circles, where g itself is a large rational function) and the values are put back at
    the end. Returns ({c.tag: g_c in the symbols}, {symbol: value}). ``prefix`` names the symbols
    (``g``: n^(-1); ``gsj``: the side-jump distribution).
    """
    gp, subs = {}, {}
    for c in shell.circles:
        u_c = c.point.u
        # g_c as {l: coefficient} (solve_on_shell(harmonics=True)) or as a Laurent polynomial
        coeffs = g[c.tag] if isinstance(g[c.tag], dict) else laurent_coefficients(g[c.tag], u_c)
        expr = sp.Integer(0)
        for l in sorted({abs(n) for n in coeffs}):
            a = sp.Symbol(f"{prefix}cos_{c.tag}_{l}", real=True)
            subs[a] = coeffs.get(l, 0) + (coeffs.get(-l, 0) if l else 0)
            expr += a * ((u_c**l + u_c**-l) / 2 if l else 1)
            if l:
                b = sp.Symbol(f"{prefix}sin_{c.tag}_{l}", real=True)
                subs[b] = sp.I * (coeffs.get(l, 0) - coeffs.get(-l, 0))
                expr += b * (u_c**l - u_c**-l) / (2 * sp.I)
        gp[c.tag] = expand(expr)
    return gp, subs


# --------------------------------------------------------------------------- side jump
def _grad_cartesian(p: Point, expr):
    """Cartesian gradient of expr with respect to the point p."""
    return p.cartesian((p.d_dk(expr), p.d_dtheta(expr) / p.k))


def _grad_entries(p: Point, vec: sp.Matrix):
    """Cartesian gradient (x, y) at p of each entry of a spinor or bra."""
    parts = [_grad_cartesian(p, x) for x in vec]
    return tuple(sp.Matrix(vec.shape[0], vec.shape[1], [g[i] for g in parts]) for i in range(2))


def side_jump_rate(bs: BlochSystem, shell: Shell, c: Circle, corr: Correlator = WHITE_NOISE):
    """V_c = sum_{m'k'} sum_s w_s |M_s|^2 dr_s delta(eps' - eps), M_s = <u^m_k|V_s|u^{m'}_{k'}> (Cartesian x, y).

    Eq. 38 with the vertices of Eq. 6: its second term Im<[(grad_k + grad_k') U^{mm'}_{kk'}] U^{m'm}_{k'k}>
    puts the gradient on M_s alone ((grad_k + grad_k') U_{k-k'} = 0, V_s constant), so per channel
    |M_s|^2 dr_s = |M_s|^2 (R^{m'm'}_{k'} - R^{mm}_k) + Im[M_s* (grad_k + grad_k') M_s], gauge invariant
    (docs/magnetic_impurities.md, section 3). The channel sums are dressed projectors D(x) =
    sum_s w_s V_s |x><x| V_s (:meth:`Correlator.dressed`): sum_s w_s M_s* grad_k M_s = <grad u_k|D(u_k')|u_k>,
    sum_s w_s M_s* grad_k' M_s = <u_k'|D(u_k)|grad u_k'>, sum_s w_s |M_s|^2 = <u_k'|D(u_k)|u_k'>. Scalar
    disorder is the one channel V = 1 (D = P, times W(k - k')): |O|^2 dr with O = <u_k|u_k'>.
    Eq. 38 then reads J_E(n_FD)^m_k = (2 pi/hbar)(dn_FD/deps) e E . V_c.
    """
    p, m = c.point, c.band
    R_k = p.cartesian(bs.berry_connection(m, m, p))
    ket_p, bra_p, D_p = bs.spinor(m, p), bs.bra(m, p), corr.dressed(bs, m, p)
    grad_bra_p = _grad_entries(p, bra_p)
    total = [sp.Integer(0), sp.Integer(0)]
    for c2 in shell.circles:
        # k' gets symbols of its own even on the same circle, so that d/dk acts on one point only
        q = Point(c2.tag + "q") if c2 is c else c2.point
        mp = c2.band
        R_q = q.cartesian(bs.berry_connection(mp, mp, q))
        ket_q, bra_q, D_q = bs.spinor(mp, q), bs.bra(mp, q), corr.dressed(bs, mp, q)
        grad_ket_q = _grad_entries(q, ket_q)
        w = corr.strength(p, q) if corr.channels is None else 1
        weight = expand((bra_q * D_p * ket_q)[0])             # sum_s w_s |M_s|^2 (/ W(k - k'))
        for i in range(2):
            grad = expand((grad_bra_p[i] * D_q * ket_p)[0] + (bra_q * D_p * grad_ket_q[i])[0])
            im = (grad - conj_in(grad, (p.u, q.u))) / (2 * sp.I)
            term = w * (weight * (R_q[i] - R_k[i]) + im)
            # averaged before q takes the circle's radius symbols: a kernel harmonic W_l(k_p, k_q)
            # must see the radius of q's own circle
            total[i] += c2.rho * same_circle(corr.average(full_angles(term, p, q), q), q, c2.point)
    return tuple(expand(t) for t in total)


def side_jump_distribution(bs: BlochSystem, shell: Shell, corr: Correlator = WHITE_NOISE, harmonics: bool = False):
    """n^sj = delta(eps - eF) g^sj (Eq. 37): J0[n^sj] = -J_E(n_FD), E = xhat.

    With dn_FD/deps = -delta(eps - eF): -J_E = delta(eps - eF) (2 pi/hbar) e V_c,x.
    ``harmonics``: {c.tag: {l: g^sj_{c,l}}} instead (:func:`solve_on_shell`).
    """
    source = {c.tag: expand(2 * sp.pi / hbar * e * side_jump_rate(bs, shell, c, corr)[0])
              for c in shell.circles}
    return solve_on_shell(bs, shell, source, corr, harmonics)
