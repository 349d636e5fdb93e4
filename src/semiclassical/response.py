"""Current (Eq. 52) and spin density (Eq. 63) as named contributions, in circle symbols.

Per unit E_x (E = E_x xhat), T = 0, j = -e sum_m int d^2k/(2pi)^2 (...), sigma_yx = j_y/E_x.
Fermi-surface pieces are sum_c rho_c <X_c g_c>_theta with the distributions of
:mod:`~semiclassical.kinetic`; Fermi-sea pieces integrate over the filled k-intervals.
"""
from __future__ import annotations

import sympy as sp

from .expansion import expand
from . import kinetic
from .bloch import BlochSystem, Gauge, Point
from .disorder import WHITE_NOISE, Correlator
from .fermi import Shell
from .model import angular_average, e, k, laurent_coefficients, laurent_harmonics
from .parsing import PAULI, hbar

__all__ = ["band_velocity_cartesian", "azimuthal_flux_function", "intrinsic_hall",
           "intrinsic_spin_density_integrand", "operator_pieces", "leading_order"]


def _fs_sum(shell: Shell, per_circle):
    """sum_c rho_c <X_c g_c>: per_circle(c) returns the pair (X_c, g_c) of Laurent polynomials in u_c.

    <X g> = sum_l X_{-l} g_l pairs harmonics without expanding products of the (large,
    rational) distribution coefficients.
    """
    total = sp.Integer(0)
    # three or more circles: the coupled solution is too large to expand (23 s per coefficient
    # for the ring model's three circles); split it into harmonics term by term instead
    harmonics = laurent_coefficients if len(shell) < 3 else laurent_harmonics
    for c in shell.circles:
        X, g = per_circle(c)
        xl = laurent_coefficients(X, c.point.u)
        gl = harmonics(g, c.point.u)
        total += c.rho * sp.Add(*[xl[-l] * gl[l] for l in gl if -l in xl])
    return total


def band_velocity_cartesian(c):
    p = c.point
    return p.cartesian((p.velocity(c.band), sp.Integer(0)))


def azimuthal_flux_function(bs: BlochSystem, band: int):
    """k R_theta^{mm}(k) in the canonical gauge, as a function of the generic point.

    Omega^m = (1/k) d/dk (k R_theta^{mm}) for a covariant model (Eq. 43, R_k^{mm} = 0 there), so the
    Fermi-sea integral of Eq. 72 over k in (a, b) is (1/2pi)[k R_theta^{mm}]_a^b (Stokes).
    """
    canonical = BlochSystem(bs.model, Gauge())
    return expand(Point().k * canonical.berry_connection(band, band)[1])




def intrinsic_hall(bs: BlochSystem, shell: Shell, filled_at_zero: dict, filled_at_infinity: dict):
    """sigma_yx^int = (e^2/hbar) sum_m int d^2k/(2pi)^2 Omega^m n_FD (Eqs. 72, 74), exactly.

    A circle of band m closes a filled interval from below (electron-like, v > 0) or opens one
    (hole-like, v < 0); k = 0 and k = infinity close the remaining ends. ``filled_at_zero[m]``,
    ``filled_at_infinity[m]`` say whether band m is occupied there.
    """
    total = sp.Integer(0)
    for c in shell.circles:
        f = azimuthal_flux_function(bs, c.band)
        f_c = f.xreplace({Point().C: c.point.C, Point().S: c.point.S, k: c.point.k})
        total += c.vsign * f_c
    for band in (+1, -1):
        f = bs.explicit(azimuthal_flux_function(bs, band))
        if filled_at_infinity.get(band):
            total += sp.limit(f, k, sp.oo)
        if filled_at_zero.get(band):
            total -= sp.limit(f, k, 0, "+")
    return expand(e**2 / (2 * sp.pi * hbar) * total)


def intrinsic_spin_density_integrand(bs: BlochSystem, band: int, operators=None):
    """(1/2pi) k <s^int_m>_theta (Eq. 57): integrate over the filled k of band m for Eq. 91/96;
    with ``operators``, the sea integrand of each k-local operator's <O> (T -> T_O)."""
    s = kinetic.intrinsic_spin(bs, band, operators=operators)
    return tuple(expand(k * angular_average(x) / (2 * sp.pi)) for x in s)


def operator_pieces(bs: BlochSystem, shell: Shell, corr: Correlator, operators, g: dict, gsj: dict,
                    gamma: dict | None = None):
    """The Fermi-surface pieces of <O> for each k-local operator O (Eq. 63 with sigma -> O).

    <O> = sum_m int [O^{mm} (n^(-1) + n^sj + n^sk) + s^int_O n_FD + gamma_O n^(-1)]: returns, per
    operator, ``leading`` (O^{mm} n^(-1), order 1/W), ``extrinsic`` (gamma_O n^(-1), Eq. 61 with
    T -> T_O) and ``side_jump`` (O^{mm} n^sj), sums over the circles of ``shell`` with the
    distributions ``g``, ``gsj`` (Laurent series or placeholders per circle tag). The spin density
    is this with the Pauli matrices; the skew and sea pieces are :func:`skew.skew_spin_density`
    and :func:`intrinsic_spin_density_integrand` with the same operators. ``gamma``: gamma_O per
    circle tag when already known.
    """
    if gamma is None:
        gamma = {c.tag: kinetic.extrinsic_spin(bs, shell, c, corr, operators) for c in shell.circles}
    diag = {c.tag: bs.spin(c.band, c.band, c.point, operators) for c in shell.circles}
    return [{"leading": _fs_sum(shell, lambda c: (diag[c.tag][i], g[c.tag])),
             "extrinsic": _fs_sum(shell, lambda c: (gamma[c.tag][i], g[c.tag])),
             "side_jump": _fs_sum(shell, lambda c: (diag[c.tag][i], gsj[c.tag]))}
            for i in range(len(operators))]


def leading_order(bs: BlochSystem, shell: Shell, corr: Correlator = WHITE_NOISE):
    """Everything of the leading-order layer on a shell, in circle symbols.

    Returns a dict of SymPy expressions: tau_tr rates, g^(-1), beta, gamma, g^sj, and the
    Fermi-surface response pieces (sigma_xx^drude, sigma_yx^{ext, sj}, <s>^{edelstein, ext, sj});
    with several circles the pieces are in the harmonics of g and g^sj (symbols gcos_<c>_<l>,
    gsin_<c>_<l>, gsjcos_..., gsjsin_...), whose closed forms are ``harmonics``.
    ``corr``: the disorder correlator (white noise, or a kernel in its harmonics W_l).
    """
    gh = kinetic.leading_distribution(bs, shell, corr, harmonics=True)
    gsjh = kinetic.side_jump_distribution(bs, shell, corr, harmonics=True)
    g_full = {c.tag: kinetic.series(gh[c.tag], c.point.u) for c in shell.circles}
    gsj_full = {c.tag: kinetic.series(gsjh[c.tag], c.point.u) for c in shell.circles}
    g, gsj, harmonics = g_full, gsj_full, {}
    if len(shell) > 1:
        # several circles: n^(-1) and n^sj solve a coupled linear system and are large rational
        # functions of the circle data, and every piece is linear in them; the pieces keep their
        # harmonics as symbols (``harmonics`` holds their values), which keeps a correlated
        # kernel's two-circle forms from minutes of expansion
        g, defs = kinetic.leading_placeholders(shell, gh, "g")
        gsj, defs_sj = kinetic.leading_placeholders(shell, gsjh, "gsj")
        harmonics = {**defs, **defs_sj}
    beta = {c.tag: kinetic.extrinsic_velocity(bs, shell, c, corr) for c in shell.circles}
    gamma = {c.tag: kinetic.extrinsic_spin(bs, shell, c, corr) for c in shell.circles}
    beta_cart = {c.tag: c.point.cartesian(beta[c.tag]) for c in shell.circles}
    vel = {c.tag: band_velocity_cartesian(c) for c in shell.circles}
    out = {
        "g": g_full, "g_sj": gsj_full, "harmonics": harmonics, "beta": beta, "gamma": gamma,
        # the distributions the pieces are written in (placeholders for several circles): what
        # any other observable's pieces (:func:`operator_pieces`) are written in too
        "g_series": g, "gsj_series": gsj,
        "collision_l1": kinetic.collision_matrix(bs, shell, 1, corr),
        "sigma_xx_drude": -e * _fs_sum(shell, lambda c: (vel[c.tag][0], g[c.tag])),
        "sigma_yx_drude": -e * _fs_sum(shell, lambda c: (vel[c.tag][1], g[c.tag])),
        "sigma_yx_extrinsic": -e * _fs_sum(shell, lambda c: (beta_cart[c.tag][1], g[c.tag])),
        "sigma_yx_side_jump": -e * _fs_sum(shell, lambda c: (vel[c.tag][1], gsj[c.tag])),
    }
    spins = operator_pieces(bs, shell, corr, (PAULI["sx"], PAULI["sy"]), g, gsj,
                            gamma={tag: x[:2] for tag, x in gamma.items()})
    for ax, pieces in zip("xy", spins):
        out[f"s{ax}_edelstein"] = pieces["leading"]
        out[f"s{ax}_extrinsic"] = pieces["extrinsic"]
        out[f"s{ax}_side_jump"] = pieces["side_jump"]
    return out
