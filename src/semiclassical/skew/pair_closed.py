"""Skew scattering on pairs of impurities in closed form: the massive-Dirac class (docs/pair_skew.md, sec. 10).

The pair-skew rate of Eq. P5 (docs/pair_skew.md) has an inner principal value over the Fermi circle of
the intermediate state q. For the class of models recognized by :func:`dirac_class`,

    d0 = 0,   d_z = m (constant),   d_x + i d_y = w c k e^{i J theta},   |J| = 1, c != 0 constant

(massive Dirac fermions up to a spin rotation about z, the phase w, and for J = -1 a mirror), every
shifted circle of Eq. P5 cuts the Fermi circle, the Glauert kernel (Eq. P7) is a Chebyshev polynomial
and the whole rate moment is a polynomial integral, so the piece is derived exactly:

1. circle variables of the one Fermi circle (``bloch.Point``): k = k_c, C = cos a = m/|d|,
   S = sin a = c k/|d|, dd = |d|, band b, eF = b dd. With kappa = K/k and the class's d-vector,
   H(K) = dd h(kappa), h = C sz + S (w kappa^J sigma_- + h.c.) (kappa^{-1} -> conj(kappa)), so on the
   shell P = (1 + b h)/2 and off it the principal-value resolvent is
   adj(eF - H)/det(eF - H) = (b + h(kappa)) / (dd S^2 (1 - |kappa|^2))   (:func:`class_resolvent`,
   derived from the matrix, the det reduced with C^2 + S^2 = 1);
2. Eq. P5 with l at angle 0, j at phi = 2t (s = e^{it}) and q on the circle at the angle of each
   term's shift Q plus psi (z = e^{i psi}): the three traces Im Tr[...] as Laurent polynomials in z;
   1 - |kappa|^2 = -(a + B cos psi) read off |kappa|^2;
3. the inner principal value by the Glauert kernel (Eq. P7, |a| < |B| for every shift, |Q| < 2k):
   <z^n/(1 - |kappa|^2)>_psi = -U_{|n|-1}(-a/B)/B, 0 for n = 0;
4. the one moment a one-circle rate needs, J = int dphi/(2 pi) omega(phi) sin(phi) (Eq. P10):
   = (1/pi) int_0^pi dt omega(2t) sin(2t), whose integrand is a Laurent polynomial in s once 1/B is
   cancelled against sin(2t); int_0^pi s^n dt is exact;
5. the driving term of Eq. P9, J_pair(l) = -rho sum_n g_n u^n Omega(n), Omega(+-1) = -+ i J
   (omega is odd: antisymmetry and isotropy), with the toolkit's own leading distribution g
   (Eqs. 27, 29); then the skew pipeline's J0 solve (Eq. 35) and observables (Eqs. 83, 102-103):
   sigma_yx^pair and <sigma_x>, <sigma_y>^pair, all in circle variables, any band and any signs.

For H = hbar v (kx sy - ky sx) + M sz this gives sigma_yx^pair = -(2/pi) eF M (eF^2 - M^2)/(eF^2 + 3M^2)^2
(e = hbar = v = 1; tests/test_pair_skew_closed.py checks it against the quadrature engine).
Other models: :func:`dirac_class` says why no closed form is available.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from .. import kinetic
from ..bloch import BlochSystem
from ..disorder import WHITE_NOISE, Correlator
from ..errors import SemiclassicalError
from ..fermi import Shell, W
from ..model import TwoBandModel, conj_in, k, laurent_coefficients
from ..parsing import hbar
from .common import FERMI, driving_field, solve_driving
from .pipeline import skew_current, skew_spin_density

__all__ = ["DiracClass", "dirac_class", "class_resolvent", "pair_rate_form", "rate_sine_moment",
           "pair_skew_closed", "EQUATIONS"]

#: equation references of the results (docs/pair_skew.md)
EQUATIONS = "P5, P7, P9, P10 (docs/pair_skew.md)"

#: Laurent variables of the derivation: s = e^{it} (phi = 2t, the angle of j), z = e^{i psi} (q)
s, z = sp.symbols("s_pair z_pair", nonzero=True)


@dataclass(frozen=True)
class DiracClass:
    """A model of the massive-Dirac class (module docstring): its winding J = +-1 and phase w."""

    winding: int
    phase: sp.Expr


def dirac_class(model: TwoBandModel) -> tuple[DiracClass | None, str]:
    """(the class data, "") when ``model`` is massive Dirac up to a spin rotation about z, else (None, why).

    Read from the model's covariance data (:attr:`TwoBandModel.covariance`): d0 = 0, d_z constant,
    |J| = 1 and d_perp linear in k.
    """
    cov = model.covariance
    if cov is None:
        return None, f"not rotationally covariant ({model.why_not_covariant})"
    if sp.simplify(cov.d0) != 0:
        return None, f"d0 = {sp.sstr(cov.d0)} is not zero"
    if cov.dz.has(k):
        return None, f"d_z = {sp.sstr(cov.dz)} depends on |k|"
    if abs(cov.winding) != 1:
        return None, f"winding J = {cov.winding} (the class has |J| = 1)"
    c = sp.simplify(cov.dperp / k)
    if c.has(k) or c == 0:
        return None, f"d_perp = {sp.sstr(cov.dperp)} is not linear in k"
    return DiracClass(cov.winding, cov.phase), ""


def _conj(x):
    return conj_in(x, (s, z))


def _h(cls: DiracClass, C, S, kappa):
    """h(kappa) = H(k kappa)/|d| of the class in circle variables (module docstring, step 1)."""
    w = cls.phase
    zeta = w * S * (kappa if cls.winding == 1 else _conj(kappa))       # (d_x + i d_y)/|d|
    return sp.Matrix([[C, _conj(zeta)], [zeta, -C]])


def class_resolvent(cls: DiracClass, C, S, dd, band: int, kappa):
    """(adj(eF - H(K)), det(eF - H(K))) at K = k kappa, eF = band dd, from the matrix of the class.

    The det is reduced with C^2 + S^2 = 1 to dd^2 S^2 (1 - |kappa|^2) and checked to be of that form.
    """
    H = dd * _h(cls, C, S, kappa)
    A = band * dd * sp.eye(2) - H
    adj, det = A.adjugate(), sp.expand(A.det())
    det = sp.expand(det.subs(C**2, 1 - S**2))
    if sp.expand(det - dd**2 * S**2 * (1 - sp.expand(kappa * _conj(kappa)))) != 0:
        raise SemiclassicalError(f"pair skew: det(eF - H) = {det} is not dd^2 S^2 (1 - |K/k|^2)")
    return adj.applyfunc(sp.expand), det


def _im_trace(*mats):
    prod = sp.eye(2)
    for m in mats:
        prod = (prod * m).applyfunc(sp.expand)
    x = sp.expand(prod.trace())
    return sp.expand((x - _conj(x)) / (2 * sp.I))


def _terms():
    """The three terms of Eq. P5: (direction of q, kappa = K/k, order of the trace, sign).

    l = k (angle 0), j = k s^2 (angle phi = 2t), q = k y on the circle; y is the unit vector of the
    term's shift Q times z = e^{i psi}, so that |kappa|^2 = A + B cos(psi) (module docstring)."""
    yj = s**2
    y1, y2, y3 = -sp.I * s * z, sp.I * s * z, s * z
    return ((y1, y1 + 1 - yj, "ljqR", 1), (y2, y2 + yj - 1, "ljRq", 1), (y3, 1 + yj - y3, "lqjR", -1))


@lru_cache(maxsize=None)
def pair_rate_form(cls: DiracClass, band: int):
    """The pair-skew rate omega(2t) sin(2t) per unit (2 pi/hbar) 2 pi W^2 rho/dd, Laurent in s = e^{it},
    and omega(2t) itself (a rational function of s), for circle variables C, S of a ``band`` circle.

    Returns (sine-moment integrand, omega(2t)/((2 pi/hbar) 2 pi W^2 rho/dd)); symbols C_pair, S_pair.
    """
    C, S = sp.symbols("C_pair S_pair", real=True)
    b = band
    P = {"l": (sp.eye(2) + b * _h(cls, C, S, sp.Integer(1))) / 2,
         "j": (sp.eye(2) + b * _h(cls, C, S, s**2)) / 2}
    sin2t = (s**2 - s**-2) / (2 * sp.I)
    moment, rate = sp.Integer(0), sp.Integer(0)
    for y, kappa, order, sign in _terms():
        mats = dict(P, q=(sp.eye(2) + b * _h(cls, C, S, y)) / 2, R=b * sp.eye(2) + _h(cls, C, S, kappa))
        num = _im_trace(*(mats[x].applyfunc(sp.expand) for x in order))
        mod2 = laurent_coefficients(sp.expand(kappa * _conj(kappa)), z)      # |kappa|^2 = A + B cos psi
        if set(mod2) - {-1, 0, 1}:
            raise SemiclassicalError(f"pair skew: |K/k|^2 = {mod2} is not A + B cos(psi)")
        a, B = sp.cancel(mod2[0] - 1), sp.cancel(2 * mod2[1])
        x = sp.cancel(-a / B)
        inner = sp.Integer(0)
        for n, c in laurent_coefficients(num, z).items():
            if n:
                # Eq. P7: <z^n/(1 - |kappa|^2)>_psi = -U_{|n|-1}(-a/B)/B (Glauert, |a| < |B|)
                inner -= c * sp.chebyshevu(abs(n) - 1, x)
        # 1/(dd S^2) of the resolvent; the 1/dd is in the unit of the rate
        moment += sign * sp.expand(inner * sp.cancel(sin2t / B)) / S**2
        rate += sign * inner / B / S**2
    return sp.expand(moment), rate, (C, S)


def rate_sine_moment(cls: DiracClass, band: int, C, S, dd, rho):
    """J = int dphi/(2 pi) omega(phi) sin(phi) (Eq. P10) in circle variables (module docstring, step 4)."""
    moment, _, (Cs, Ss) = pair_rate_form(cls, band)
    total = sp.Integer(0)
    for n, c in laurent_coefficients(moment, s).items():
        # (1/pi) int_0^pi e^{int} dt: 1 for n = 0, ((-1)^n - 1)/(i pi n) otherwise
        total += c if n == 0 else c * ((-1) ** n - 1) / (sp.I * sp.pi * n)
    total = sp.expand(total)
    if sp.expand(total - _conj(total)) != 0:
        raise SemiclassicalError(f"pair skew: the sine moment {total} is not real")
    unit = (2 * sp.pi / hbar) * 2 * sp.pi * W**2 * rho / dd
    return sp.factor(sp.expand(unit * total.xreplace({Cs: C, Ss: S})))


def pair_skew_closed(bs: BlochSystem, shell: Shell, corr: Correlator = WHITE_NOISE) -> dict:
    """sigma_yx^pair and (<sigma_x>, <sigma_y>)^pair per unit E_x, order W^0, in circle variables
    (module docstring, step 5): {"moment": J, "n_pair": the distribution, "sigma_yx", "spin_density"}.

    Raises :class:`SemiclassicalError` (with the reason) outside the class, for a disorder other than
    white noise, or without a Fermi circle.
    """
    cls, why = dirac_class(bs.model)
    if cls is None:
        raise SemiclassicalError(f"no closed form of the pair-skew piece: {why}")
    if corr is not WHITE_NOISE:
        raise SemiclassicalError("no closed form of the pair-skew piece: derived for white-noise disorder only")
    if len(shell) != 1:
        raise SemiclassicalError("no Fermi circle: the pair-skew piece needs a Fermi surface")
    t = shell.circles[0]
    p = t.point
    J = rate_sine_moment(cls, t.band, p.C, p.S, p.dd, t.rho)
    g = laurent_coefficients(kinetic.leading_distribution(bs, shell, corr)[t.tag], p.u)
    if set(g) - {-1, 1}:
        raise SemiclassicalError(f"pair skew: the leading distribution has harmonics {sorted(g)}, not +-1")
    # Eq. P9: J_pair(u) = -rho sum_n g_n u^n Omega(n), Omega(n) = -i n J for n = +-1
    source = sp.expand(-t.rho * sp.Add(*[gn * p.u**n * (-sp.I * n * J) for n, gn in g.items()]))
    dist = solve_driving(bs, driving_field("pair", shell, {}, {(FERMI, t.tag): source}, {}, {}), corr)
    return {"moment": J, "n_pair": dist, "sigma_yx": skew_current(bs, shell, dist=dist),
            "spin_density": skew_spin_density(bs, shell, dist=dist)}
