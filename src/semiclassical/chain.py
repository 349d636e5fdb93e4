"""The whole chain of the paper's Sec. VI for any covariant model: what `semiclassical derive` prints.

:func:`derive_chain` is a composition of public steps (each also callable on its own from a notebook):

1. geometry at a generic point (k, theta): eigenvectors in the explicit gauge, energies (Eq. 69),
   Berry connection R^d and R^od (Eqs. 39, 70-71), Berry curvature (Eqs. 43, 73), spin matrix
   elements (Eqs. 88-89, 94-95), the operator T (Eq. 56);
2. per Fermi-circle scenario, in named circle variables (:data:`CIRCLE_VARIABLES`): the Born
   collision integral on harmonics l = 0, 1 (Eq. 28), tau and tau_tr (Eq. 30; the coupled l = 1 matrix
   for several circles), n^(-1) (Eqs. 27, 29), beta (Eq. 47), gamma (Eq. 61), n^sj (Eqs. 37-38), n^sk
   (golden rule, docs/skew_scattering.md), every sigma_yx piece, sigma_xx (Drude), <s_x>, <s_y> pieces
   and, for models that name their magnetization parameter, the torque T = M m x <sigma> (m = zhat;
   the paper's Eqs. 104-105 generalized: T = (2M/hbar) m x <s> with s = hbar sigma/2);
3. each scenario result made explicit in eF and the parameters where the Fermi radii are explicit,
   within a time budget per result (past it the circle form stays, and the result says so).

Keys are stable (README, docs/design.md section 4): ``eigenvectors``, ``energies``,
``berry_connection.diagonal``, ``berry_connection.offdiagonal``, ``berry_curvature``, ``spin.diagonal``,
``spin.offdiagonal``, ``torque_operator``, ``born_kernel``, ``tau``, ``tau_tr``, ``n_leading``, ``beta``,
``gamma``, ``n_side_jump``, ``n_skew``, ``sigma_yx.<piece>``, ``sigma_xx.drude``,
``spin_density.<x|y>.<piece>``, ``torque.<piece>``, ``spin_hall.<x|y|z>.<piece>``,
``sigma_yx.pair_skew``, ``spin_density.<x|y>.pair_skew`` (skew scattering on pairs of impurities,
:mod:`semiclassical.chain_pair`; not part of ``total``),
``observables.<name>.<piece>`` (a model file's own observables).
"""
from __future__ import annotations

import gc
import signal
import threading
import time
import weakref
from contextlib import contextmanager

import sympy as sp

from . import kinetic, observables, sommerfeld
from .bloch import BlochSystem, Point
from .chain_pair import PAIR_KEYS, pair_results
from .derivation import EXPLICIT_SHORT, Derivation, Scenario
from .errors import SemiclassicalError
from .observables import W0_PIECES
from .parsing import hbar
from .rational import fraction_in_lowest_terms
from .results import Result

__all__ = ["CIRCLE_VARIABLES", "GEOMETRY_KEYS", "SCENARIO_KEYS", "derive_chain", "geometry", "scenario_results",
           "scenario_label", "explicit_within", "normal_form", "scenario_energies", "time_limit",
           "intrinsic_spin_form", "BudgetExceeded", "DEFAULT_BUDGET"]

#: what each circle symbol means (c = the circle's tag, "1", "2", ...)
CIRCLE_VARIABLES = {
    "k_c": "Fermi radius of circle c",
    "C_c": "cos(alpha) = d_z/|d| at k_c (alpha: polar angle of d on the Bloch sphere)",
    "S_c": "sin(alpha) = d_perp/|d| at k_c",
    "dd_c": "|d| at k_c (half the band splitting)",
    "d0p_c": "d d0/dk at k_c",
    "ddp_c": "d|d|/dk at k_c",
    "ap_c": "d alpha/dk at k_c",
    "rho_c": "density of states of circle c, k_c/(2 pi hbar |v_c|), hbar v_c = d0p_c + band * ddp_c",
    "u_c": "e^{i theta} on circle c (theta: direction of k)",
    "W_l": "correlated disorder only: W_l(n, k_a, k_b) = (1/2pi) int dphi c(q) cos(n phi), q^2 = k_a^2 + k_b^2 "
           "- 2 k_a k_b cos phi, the n-th harmonic of the correlator shape c = W(q)/W (gaussian: "
           "exp(-(k_a^2 + k_b^2) d^2/2) I_n(k_a k_b d^2); white noise: delta_n0)",
}
GEOMETRY_KEYS = ("eigenvectors", "energies", "berry_connection.diagonal", "berry_connection.offdiagonal",
                 "berry_curvature", "spin.diagonal", "spin.offdiagonal", "torque_operator")
SCENARIO_KEYS = ("born_kernel", "tau", "tau_tr", "n_leading", "beta", "gamma", "n_side_jump", "n_skew",
                 "n_leading.harmonics", *(f"sigma_yx.{p}" for p in (*W0_PIECES, "total")), "sigma_xx.drude",
                 *(f"spin_density.{a}.{p}" for a in "xy" for p in ("edelstein", *W0_PIECES, "total")),
                 *(f"torque.{p}" for p in ("edelstein", *W0_PIECES, "total")),
                 *(f"spin_hall.{a}.{p}" for a in "xyz" for p in ("drude", *W0_PIECES, "total")), *PAIR_KEYS)
#: seconds allowed to make one result explicit in eF and the parameters
DEFAULT_BUDGET = 5.0
#: circle forms longer than this (characters) are not made explicit: substituting the radii makes
#: them longer still (measured: the two-circle Rashba skew term, 1.6e6 characters, ran for minutes)
EXPLICIT_MAX_CHARS = 3000


# ------------------------------------------------------------------------------ geometry
def _half_angles(p: Point):
    """cos(alpha/2), sin(alpha/2) in cos(alpha), sin(alpha): sin(alpha/2) = sin(alpha)/(2 cos(alpha/2))."""
    ch = sp.sqrt((1 + p.C) / 2)
    return {p.ch: ch, p.sh: p.S / (2 * ch)}


def geometry(bs: BlochSystem) -> list[Result]:
    """Step 1: the eigen-system and its geometry at a generic point, explicit in k and u = e^{i theta}."""
    p = Point()
    ex = bs.explicit

    def tidy(x):
        # one rational normal form first (3x faster than simplify on these radical forms); simplify
        # only where that stays long, keeping the shorter (as Derivation.explicit does)
        y = ex(x)
        fast = sp.factor_terms(sp.factor(sp.cancel(sp.together(y))))
        if sp.count_ops(fast) <= EXPLICIT_SHORT:
            return fast
        slow = sp.factor_terms(sp.simplify(y))
        return slow if sp.count_ops(slow) < sp.count_ops(fast) else fast

    kets = tuple(sp.simplify(ex(bs.spinor(b, p).xreplace(_half_angles(p)))) for b in (1, -1))
    model = bs.model
    return [
        Result("eigenvectors", "|u^{\\pm}\\rangle", kets, "", description="columns (up, down) of |u+>, |u->",
               components=("+", "-"), key="eigenvectors"),
        Result("energies", r"\epsilon", tuple(model.radial_energy(b) for b in (1, -1)), "69",
               components=("+", "-"), key="energies"),
        Result("Berry connection R^{mm}", "R^{mm}", tuple(tidy(x) for b in (1, -1) for x in bs.berry_connection(b, b)),
               "39, 70", components=("++,k", "++,theta", "--,k", "--,theta"), key="berry_connection.diagonal"),
        Result("Berry connection R^{+-}", "R^{+-}", tuple(tidy(x) for x in bs.berry_connection(1, -1)), "71, 92-93",
               components=("k", "theta"), key="berry_connection.offdiagonal"),
        Result("Berry curvature", r"\Omega^{\pm}", tuple(tidy(bs.berry_curvature(b)) for b in (1, -1)), "43, 73",
               components=("+", "-"), key="berry_curvature"),
        Result("spin s^{mm}", "s^{mm}", tuple(tidy(x) for b in (1, -1) for x in bs.spin(b, b)), "88-89",
               components=tuple(f"{s}{s},{a}" for s in "+-" for a in "xyz"), key="spin.diagonal"),
        Result("spin s^{-+}", "s^{-+}", tuple(tidy(x) for x in bs.spin(-1, 1)), "94-95",
               components=("x", "y", "z"), key="spin.offdiagonal"),
        # T^{+-} = hbar s^{+-}/(2 i |d|) (Eq. 56) from the tidied s^{+-}: simplify on T itself took most
        # of the geometry's time (dirac-quadratic: 2 of 4 s profiled)
        Result("T^{+-} = hbar s^{+-}/(i (eps^+ - eps^-))", "T^{+-}",
               tuple(sp.factor_terms(hbar * tidy(s) / (2 * sp.I * ex(p.dd))) for s in bs.spin(1, -1)), "56",
               components=("x", "y", "z"),
               key="torque_operator"),
    ]


# ------------------------------------------------------------------------------ scenario
def where_without_circles(sc: Scenario) -> str:
    """'eF below every band' (nothing occupied) or 'eF in a gap' (the lower band filled)."""
    return "eF in a gap" if (sc.filled_at_zero or sc.filled_at_infinity) else "eF below every band: no state is occupied"


def scenario_label(sc: Scenario) -> str:
    """One line naming the circles of a scenario: band, electron/hole-like, radius at the point found."""
    if not sc.circles:
        return f"no Fermi circle ({where_without_circles(sc)})"
    parts = [f"circle {i + 1}: band {'+' if b > 0 else '-'}, {'electron' if s > 0 else 'hole'}-like, k = {kc:.6g}"
             for i, (b, s, kc) in enumerate(sc.circles)]
    return "; ".join(parts)


def _per_circle(shell, make, names):
    comps, exprs = [], []
    for c in shell.circles:
        vals = make(c)
        vals = vals if isinstance(vals, tuple) else (vals,)
        for n, v in zip(names, vals):
            comps.append(f"{n}{c.tag}" if n else c.tag)
            exprs.append(v)
    return tuple(comps), tuple(exprs)


def scenario_results(D: Derivation, sc: Scenario, magnetization: str | None = None,
                     budget: float = DEFAULT_BUDGET, point: dict | None = None, keep=None) -> list[Result]:
    """Step 2: every kinetic and response result of one scenario, in circle variables.

    Each piece is brought to one rational normal form (:func:`normal_form`, within ``budget``) before
    totals and torques are formed from the pieces, so that a total reads as the sum of its pieces.
    The pair-skew pieces (not in the totals) come last (:func:`semiclassical.chain_pair.pair_results`;
    ``point``, the values with eF, gives a model without their closed form the quadrature's number;
    they are skipped when ``keep``, a predicate on keys, keeps none of them).
    """
    shell = sc.shell
    lead, sk = D.leading(sc), D.skew(sc)
    bs = D.bs
    out = []
    if len(shell):
        A0, A1 = (kinetic.collision_matrix(bs, shell, l, D.corr) for l in (0, 1))
        out.append(Result("Born collision integral on harmonics l = 0, 1", "A_l", (A0, A1), "28",
                          order="W", components=("l=0", "l=1"), key="born_kernel",
                          description="(J0 g)_{c,l} = sum_c' A_{cc'} g_{c',l}"))
        rates = kinetic.scattering_rate(bs, shell, D.corr)
        out.append(Result("scattering time", r"\tau", tuple(sp.factor(1 / r) for r in rates), "30", order="1/W",
                          components=tuple(c.tag for c in shell.circles), key="tau"))
        tr = sp.factor(1 / A1[0, 0]) if len(shell) == 1 else A1
        out.append(Result("transport time" if len(shell) == 1 else "transport rates (coupled l = 1 matrix)",
                          r"\tau_{tr}" if len(shell) == 1 else r"\tau_{tr}^{-1}", tr, "30", order="1/W",
                          key="tau_tr"))
        comps, g = _per_circle(shell, lambda c: lead["g"][c.tag], ("",))
        out.append(Result("leading distribution g_c(u_c), n^(-1) = delta(eps - eF) g", "g^{(-1)}", g, "27, 29",
                          order="1/W", components=comps, key="n_leading"))
        comps, b = _per_circle(shell, lambda c: lead["beta"][c.tag], ("k,", "theta,"))
        out.append(Result("extrinsic interband velocity", r"\beta", b, "47", order="W^0 (times n^(-1))",
                          components=comps, key="beta"))
        comps, gm = _per_circle(shell, lambda c: lead["gamma"][c.tag], ("x,", "y,", "z,"))
        out.append(Result("extrinsic spin", r"\gamma", gm, "61", order="W^0 (times n^(-1))", components=comps,
                          key="gamma"))
        comps, gsj = _per_circle(shell, lambda c: lead["g_sj"][c.tag], ("",))
        out.append(Result("side-jump distribution g^sj_c(u_c)", "g^{sj}", gsj, "37-38", order="W^0",
                          components=comps, key="n_side_jump"))
    def nf(x):
        return normal_form(sp.sympify(x), budget)

    skew_sigma, skew_spin = sk["sigma_yx_skew"], (sk["sx_skew"], sk["sy_skew"])
    # several circles: the pieces stay in the harmonics of n^(-1) and n^sj (Derivation.leading, .skew)
    defs = {**lead.get("harmonics", {}), **sk.get("harmonics", {})}
    if defs:
        out.append(Result("harmonics of n^(-1) and n^sj: g_c = sum_l gcos_c_l cos(l theta) + gsin_c_l sin(l theta), "
                          "g^sj_c likewise (gsjcos, gsjsin)", "g_{c,l}", tuple(nf(v) for v in defs.values()), "27, 29, 37",
                          order="1/W, W^0", components=tuple(s.name for s in defs), key="n_leading.harmonics"))
    dist = sk.get("n_sk")
    if dist is not None:
        pieces = list(dist.pieces)
        out.append(Result(f"skew-scattering distribution (reading {D.skew_reading})", "g^{sk}",
                          tuple(nf(pc.expr) for pc in pieces), "35-36", order="W^0",
                          components=tuple(f"{pc.shell}:{pc.circle.tag}" for pc in pieces), key="n_skew",
                          definitions=defs))
    sig = {"intrinsic": nf(lead["sigma_yx_intrinsic"]), "extrinsic": nf(lead.get("sigma_yx_extrinsic", 0)),
           "side_jump": nf(lead.get("sigma_yx_side_jump", 0)), "skew": nf(skew_sigma)}
    sig["total"] = sp.Add(*sig.values())
    eqs = {"intrinsic": "72, 74", "extrinsic": "75, 78", "side_jump": "79, 82", "skew": "83, 85", "total": "86"}
    for piece, x in sig.items():
        out.append(Result(f"sigma_yx {piece}", rf"\sigma_{{yx}}^{{\rm {piece.replace('_', ' ')}}}", x, eqs[piece],
                          order="W^0", key=f"sigma_yx.{piece}", definitions=_used(x, defs)))
    drude = lead.get("sigma_xx_drude", 0)
    out.append(Result("sigma_xx Drude", r"\sigma_{xx}^{\rm Drude}", drude, "76",
                      order="1/W", key="sigma_xx.drude", definitions=_used(drude, defs)))
    spin = {}
    sint = D.intrinsic_spin_integrands()
    for i, ax in enumerate("xy"):
        d = {"edelstein": nf(lead.get(f"s{ax}_edelstein", 0)),
             "intrinsic": intrinsic_spin_form(sc, sint, i),
             "extrinsic": nf(lead.get(f"s{ax}_extrinsic", 0)), "side_jump": nf(lead.get(f"s{ax}_side_jump", 0)),
             "skew": nf(skew_spin[i])}
        spin[ax] = d
        for piece, x in d.items():
            out.append(Result(f"<sigma_{ax}> {piece}", rf"\langle\sigma_{ax}\rangle^{{\rm {piece.replace('_', ' ')}}}",
                              x, "90" if piece == "edelstein" else "57, 63", order="1/W" if piece == "edelstein" else "W^0",
                              key=f"spin_density.{ax}.{piece}", definitions=_used(x, defs)))
        total = sp.Add(*[x for p, x in d.items() if p in W0_PIECES])
        out.append(Result(f"<sigma_{ax}> total", rf"\langle\sigma_{ax}\rangle^{{\rm total}}", total, "104",
                          order="W^0", key=f"spin_density.{ax}.total", definitions=_used(total, defs)))
    for key, op in operator_observables(D.model).items():
        obs = observables.get(key, D.model)
        o = D.operator(sc, op)
        sea = D.operator_sea_integrands(op)
        d = {obs.leading: nf(o["leading"]), "intrinsic": intrinsic_spin_form(sc, {b: (x,) for b, x in sea.items()}, 0),
             "extrinsic": nf(o["extrinsic"]), "side_jump": nf(o["side_jump"]), "skew": nf(o["skew"])}
        d["total"] = sp.Add(*[x for p, x in d.items() if p in W0_PIECES])
        for piece, x in d.items():
            out.append(Result(f"{obs.description}: {piece}", rf"{{{obs.symbol}}}^{{\rm {piece.replace('_', ' ')}}}", x,
                              "57, 63 (sigma -> O)", order="1/W" if piece == obs.leading else "W^0",
                              key=f"{key}.{piece}", definitions=_used(x, defs)))
    if magnetization:
        M = D.model.parameters[magnetization]
        for piece in ("edelstein", *W0_PIECES, "total"):
            if piece == "total":    # the W^0 pieces' sum, as for sigma_yx and <sigma>
                sx, sy = (sp.Add(*[spin[a][p] for p in W0_PIECES]) for a in "xy")
            else:
                sx, sy = spin["x"][piece], spin["y"][piece]
            out.append(Result(f"torque {piece} (m = zhat, T = M zhat x <sigma>)", rf"T^{{\rm {piece.replace('_', ' ')}}}",
                              (sp.expand(-M * sy), sp.expand(M * sx)), "104-105",
                              order="1/W" if piece == "edelstein" else "W^0", components=("x", "y"),
                              key=f"torque.{piece}", definitions=_used(sx + sy, defs)))
    # skew scattering on pairs of impurities (issue 17): closed form for the massive-Dirac class
    if keep is not None and not any(keep(key) for key in PAIR_KEYS):
        return out
    return out + pair_results(D, sc, point, budget)


def operator_observables(model) -> dict:
    """{key: operator O(kx, ky)} of every operator-valued observable ``derive`` shows for ``model``:
    the spin Hall currents and the model's own ``[observables]``."""
    keys = [k for k, o in observables.REGISTRY.items() if o.family == "operator"]
    keys += [observables.USER_PREFIX + n for n in model.observables]
    return {k: observables.operator_matrix(observables.get(k, model), model) for k in keys}


def _used(expr, defs: dict) -> dict:
    """The definitions an expression uses."""
    free = sp.sympify(expr).free_symbols
    return {s: v for s, v in defs.items() if s in free}


def normal_form(x, budget: float = DEFAULT_BUDGET):
    """The circle form as a physicist writes it: lowest terms (``together -> cancel``), then ``factor``.

    It collects the nested fractions the kinetic layer leaves and cancels W from the W^0 pieces;
    past ``budget`` seconds (or for integrals and matrices) the form stays as derived.
    """
    if x.has(sp.Integral) or getattr(x, "is_Matrix", False) or x.is_Atom:
        return x
    # the same form recurs (a distribution in its result and in the pieces; every scenario of a
    # derive run): one attempt per form and budget, a failed one remembered (5 s each otherwise)
    key = (x, budget)
    if key not in _NORMAL_FORMS:
        # i as an indeterminate: gcds over Q(i) were the slow part (two-circle Rashba pieces: over 5 s
        # each, 0.1-0.6 s over Q[iota]); the identity of rational functions in iota holds at iota = i
        y = x.xreplace({sp.I: _IOTA})
        try:
            with time_limit(budget):
                # lowest terms in a polynomial ring (semiclassical.rational): as cancel(together(y)),
                # 6x faster on the two-circle pieces
                num, den = fraction_in_lowest_terms(y, (_IOTA,))
                if sp.count_ops(num) > FACTOR_MAX_OPS:
                    # factoring a long numerator costs more than the rest of the chain (two-circle
                    # pieces: 1-2 s each) and shortens it by a few per cent; its denominator is factored
                    z = num / sp.factor(den)
                else:
                    z = sp.factor(num / den)
                _NORMAL_FORMS[key] = z.xreplace({_IOTA: sp.I})
        except (BudgetExceeded, ZeroDivisionError):
            # past the budget, or a denominator that vanishes identically (a singular form, which its
            # evaluation reports): the form stays as derived
            _NORMAL_FORMS[key] = x
    return _NORMAL_FORMS[key]


_NORMAL_FORMS: dict = {}
_IOTA = sp.Dummy("iota")
#: past this many operations a normal form's numerator is not factored (only common factors pulled out)
FACTOR_MAX_OPS = 400


def intrinsic_spin_form(sc: Scenario, integrands: dict, i: int):
    """<sigma_i>^int (Eq. 57) as the radial integrals over the filled intervals of each band.

    The limits are the circles' radius symbols (and 0, oo where a band is filled there), so the form
    holds in the whole scenario; ``integrands[band][i]`` is (1/2pi) k <s^int_band>_theta.
    """
    from .model import k

    total = sp.Integer(0)
    for band in (1, -1):
        radii = [c.point.k for c, (b, _, kc) in sorted(zip(sc.shell.circles, sc.circles), key=lambda t: t[1][2])
                 if b == band]
        filled, lo = band in sc.filled_at_zero, sp.Integer(0)
        f = integrands[band][i]
        if f == 0:
            continue
        for r in radii:
            if filled:
                total += sp.Integral(f, (k, lo, r))
            filled, lo = not filled, r
        if filled:
            total += sp.Integral(f, (k, lo, sp.oo))
    return total


def scenario_energies(bs: BlochSystem, values: dict) -> list[float]:
    """One Fermi energy inside each energy window of the bands at ``values`` (a scenario each).

    The windows are bounded by the band values at k = 0 and the extrema of each radial band
    (Mexican hats, band inversions, touchings), the exact ones of :func:`semiclassical.fermi_scan.scan`
    that the closed form's Fermi surfaces come from; one energy below and one above them close the list.
    """
    import numpy as np

    from .fermi import fermi_surface, radial_functions

    surface = None
    for trial in (0.1234567891, -0.9876543219, 3.3333333331):   # the extrema do not depend on it
        try:
            surface = fermi_surface(bs, values, trial)
            break
        except SemiclassicalError:      # a trial energy at an extremum: take the next
            continue
    f = radial_functions(bs, values)
    crit = [float(f["d0"](0.0) + band * f["dd"](0.0)) for band in (1, -1)]
    if surface is not None:
        crit += [float(e) for ext in surface.extrema.values() for _, e in ext]
    crit = sorted(set(np.round(crit, 12)))
    spread = max(crit[-1] - crit[0], 1.0)
    edges = [crit[0] - 0.5 * spread, *crit, crit[-1] + 0.5 * spread]
    mids = [0.5 * (a + b) for a, b in zip(edges, edges[1:])]
    return [edges[0]] + mids[1:-1] + [edges[-1]]


# ------------------------------------------------------------------------------ explicit forms
class BudgetExceeded(BaseException):
    """Raised by :func:`time_limit`; a BaseException so that no ``except Exception`` inside SymPy swallows it."""


@contextmanager
def time_limit(seconds: float):
    """Raise :class:`BudgetExceeded` after ``seconds`` (main thread on Unix; elsewhere no limit).

    The alarm repeats every 0.2 s until the block is left, in case one is swallowed on the way.
    """
    usable = seconds and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def fire(_signum, frame):
        # an exception raised inside a gc callback, a weakref finalizer or a __del__ is lost ("Exception
        # ignored in ...", on stderr) instead of leaving the block, and so is one raised where Python
        # gives the handler no frame (a callback from C): skip this tick, the repeating timer fires again
        if frame is None:
            return
        lost = {getattr(cb, "__code__", None) for cb in gc.callbacks}
        while frame is not None:
            code = frame.f_code
            if code in lost or code.co_name == "__del__" or code.co_filename == weakref.__file__:
                return
            frame = frame.f_back
        raise BudgetExceeded

    # an alarm already set by the caller (an outer budget, pytest-timeout's signal method) is put back
    # when the block is left, with the time it had left, and wins if it is due first
    old = signal.signal(signal.SIGALRM, fire)
    start = time.monotonic()
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds, 0.2)
    if outer and outer < seconds:
        signal.signal(signal.SIGALRM, old)
        signal.setitimer(signal.ITIMER_REAL, outer)
        old = None
    try:
        yield
    finally:
        if old is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
            if outer:
                signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - start), 1e-3))


def explicit_within(D: Derivation, r: Result, sc: Scenario, values: dict, budget: float = DEFAULT_BUDGET):
    """Step 3: r made explicit in eF and the parameters within ``budget`` seconds (in place)."""
    if not sc.circles or r.expr is None:
        return r
    if r.definitions:
        r.explicit_note = "in the harmonics of n^(-1) (n_leading.harmonics): not made explicit"
        return r
    size = r.size()
    if size > EXPLICIT_MAX_CHARS:
        r.explicit_note = f"circle form of {size} characters: not made explicit (longer than {EXPLICIT_MAX_CHARS})"
        return r
    try:
        with time_limit(budget):
            r.explicit = r.map(lambda x: D.explicit(x, sc, values))
    except BudgetExceeded:
        r.explicit_note = f"not made explicit within the {budget:g} s budget (--budget); circle form kept"
    except SemiclassicalError as exc:
        r.explicit_note = str(exc)
    return r


def derive_chain(model, values: dict | None = None, *, budget: float = DEFAULT_BUDGET, explicit: bool = True,
                 magnetization: str | None = None, skew_reading: str = "T", select=None):
    """Steps 1-3 for ``model``: (geometry results, [(scenario label, scenario results), ...]).

    ``values`` (with eF) picks the scenario of that point; without eF every scenario the model has at
    its default parameters is derived (:func:`semiclassical.fermi.scenario_energies`).
    ``select`` (a predicate on result keys, `derive --only`): only those results are kept, put in normal
    form and made explicit; no scenario is derived when no scenario key is selected.
    """
    from .engines.closed_form import derivation_for

    base = model.resolve_values({k: v for k, v in (values or {}).items() if k != "eF"})
    # the sign case of these values (D.model.sign_description); a correlated disorder's forms hold the
    # harmonics W_l of its shape
    D = derivation_for(model, skew_reading, base, correlated=not model.disorder.is_white_noise)
    energies = [float(values["eF"])] if values and "eF" in values else scenario_energies(D.bs, base)
    if not model.is_covariant:
        raise SemiclassicalError(f"model {model.name!r} is not rotationally covariant: no closed form to derive; "
                                 "use `semiclassical evaluate` (numerical engines)")
    keep = select or (lambda key: True)
    if not any(keep(key) for key in SCENARIO_KEYS) and not any(keep(key) for key in _scenario_prefixes(model)):
        energies = []               # geometry alone (e.g. --only eigenvectors,energies)
    seen, scenarios = set(), []
    for energy in energies:
        point = {**base, "eF": energy}
        sc = D.scenario(point)
        if sc.spec in seen:
            continue
        seen.add(sc.spec)
        rs = [r for r in scenario_results(D, sc, magnetization, budget, point if values and "eF" in values else None,
                                          keep) if keep(r.key)]
        for r in rs:
            # the pieces and the distributions of skew scattering are in normal form already
            if r.order and not r.key.endswith(".total") and r.key not in ("n_skew", "n_leading.harmonics") \
                    and not r.key.startswith(("sigma_yx", "spin_density", "torque", "spin_hall", observables.USER_PREFIX)):
                r.expr = r.map(lambda x: normal_form(x, budget))
            if explicit:
                explicit_within(D, r, sc, point, budget)
        if explicit:   # the T^2 Sommerfeld coefficient of each piece, from its form explicit in eF (issue 16)
            rs += [r for r in sommerfeld.results(D, sc, point, budget=budget) if keep(r.key)]
        scenarios.append((f"eF = {energy:.6g}: {scenario_label(sc)}", rs))
    return [r for r in geometry(D.bs) if keep(r.key)], scenarios


def _scenario_prefixes(model):
    """Scenario keys that depend on the model (its own observables)."""
    return [observables.USER_PREFIX + n for n in model.observables]
