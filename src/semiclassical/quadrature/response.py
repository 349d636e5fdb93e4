"""Current (Eq. 52), spin density and every k-local operator (Eq. 63), piece by piece, adaptively.

Per unit field E = E_x xhat (E_x = 1), charge -e, spin = the model's spin operators (Pauli):

  sigma_ya = j_a/E_x,  j = -e sum_{m,k} { v [n^(-1) + n^sk + n^sj] + (eE/hbar x Omega) n_FD + beta n^(-1) }
    drude      -e sum v_a n^(-1)                       O(1/W)
    intrinsic  (e^2/hbar) sum Omega n_FD  (yx only)    Eq. 72, Fermi sea
    extrinsic  -e sum beta_a n^(-1)                     Eq. 75
    side_jump  -e sum v_a n^sj                          Eq. 79
    skew       -e sum v_a n^sk (all shells)             Eq. 83 (reading T by default, see below)
  <s_a> = sum_{m,k} { s^mm [n^(-1) + n^sk + n^sj] + s^int n_FD + gamma n^(-1) }
    edelstein  (1/W), intrinsic (Eq. 57, sea), extrinsic (Eq. 97), side_jump (Eq. 100), skew (Eq. 102).
  <O> = sum_{m,k} { O^mm [n^(-1) + n^sk + n^sj] + s^int_O n_FD + gamma_O n^(-1) }   (Eq. 63, sigma -> O)
    for every k-local operator O(k) of ``model.operators`` (spin currents, a model file's
    observables): T_O = hbar O^{mn}/(i(eps^m - eps^n)) (Eq. 56), gamma_O (Eq. 61 with T -> T_O),
    s^int_O = (i e/hbar)[T_O, E.R]^{mm} (Eq. 57). The spin density is the same route with the
    constant O = sigma_a: the engine computes the stack (s_x, s_y, s_z, *model.operators) at once
    (:func:`~.bands.operator_stack`) and splits it into observables (:func:`operator_groups`), each
    with its own convergence test, rounding floor and error scale. Pieces: leading (1/W), intrinsic,
    extrinsic, side_jump, skew (every skew reading), total.
  total = sum of the W^0 pieces (intrinsic + extrinsic + side_jump + skew).

Skew scattering (``skew_reading``, :mod:`.subleading`): "T" (default) builds the driving term of
Eq. 35 from the golden rule with the fourth-order non-crossing T-matrix (self-energy insertions on
the incoming and outgoing legs plus the ladder with a virtual interband partner); n^sk lives on
the Fermi shell only, and the totals reproduce the Kubo-Streda (NCA) ones for every model tested,
d0(k) non-constant included. "C" applies the collision integral to the coherence S' in its static
Markov form (steady state of Eq. 16, :mod:`.collision`); it puts part of n^sk on "mirror" shells
at the other band's energy, reproduces the printed Eqs. 84 (node by node), 85, 103 and agrees with
T for d0 = const (TI), but not when d0(k) varies. "B" uses the rotating form of Eq. 17 as printed
(one third of reading C's skew terms for the TI surface). Every other piece is the same in all
readings. The reading used is recorded in ``meta["skew_reading"]``, ``meta["skew_by_shell"]``
splits the skew pieces by energy shell (one Fermi entry for T). Units and sign conventions: README
"Conventions" section, docs/design.md section 3.

Nothing here reads a closed form: H(k) is diagonalised numerically in a random gauge, delta
functions are resolved exactly on the discretized contours, and the Boltzmann equations are solved
as linear systems on the contour nodes. The number of angles is doubled until two successive
results agree to ``rtol`` (relative to the largest piece of the same family).
"""
from __future__ import annotations

import time

import numpy as np

from ..errors import SemiclassicalError
from ..numeric_model import NumericModel
from ..skew.readings import GOLDEN_RULE, READINGS, check_reading
from . import extrinsic, leading, subleading
from .collision import J0Solver
from .gauge import RandomGauge
from .kernel import resolve_disorder, shell_kernel
from .sea import fermi_sea
from .shell import ShellFactory
from .vertices import vertex_channels
from .subleading import DEFAULT_SKEW_READING

__all__ = ["W0_PIECES", "STATEMENT", "operator_groups", "fermi_surface_terms", "rounding_floors",
           "zero_rounding_noise", "converge_fermi_surface", "converge_sea", "evaluate"]

W0_PIECES = ("extrinsic", "side_jump", "skew")
STATEMENT = ("computed from H(k) and dH/dk alone: numeric eigenvectors in a random k-dependent gauge, "
             "delta functions resolved on numerically found contours, Boltzmann equations solved as "
             "linear systems on the contour nodes, Fermi-sea integrals by adaptive quadrature over "
             "the singly filled region with Omega and s^int as triple products of the Pauli "
             "components of H, dH/dk and the spin operators; no closed-form expression of any model "
             "quantity is used")


def operator_groups(model: NumericModel) -> dict[str, slice]:
    """The observables of the operator stack (s_x, s_y, s_z, *model.operators): ``"spin"`` (the
    spin density, components 0-2, one family as in Eq. 63) and each key of ``model.operators``."""
    out = {"spin": slice(0, 3)}
    out.update({key: slice(3 + i, 4 + i) for i, key in enumerate(model.operators)})
    return out


def _split(stack: dict, groups: dict) -> tuple[dict, dict]:
    """The stacked operator pieces as the spin density's map (1/W piece ``edelstein``) and one map per
    further operator (1/W piece ``leading``)."""
    def part(sl, lead):
        return {(lead if p == "leading" else p): np.asarray(x)[..., sl] for p, x in stack.items()}
    return part(groups["spin"], "edelstein"), {k: part(sl, "leading") for k, sl in groups.items() if k != "spin"}


def fermi_surface_terms(model: NumericModel, eF: float, W: float, n_theta: int, *,
                        gauge: RandomGauge | None = None, kmax: float | None = None,
                        field=(1.0, 0.0), skew_reading: str = DEFAULT_SKEW_READING,
                        disorder=None) -> dict:
    """All Fermi-surface pieces at one angular resolution (see module docstring).

    ``skew_reading``: "T" (default, golden rule with the fourth-order NCA T-matrix), "C" (static
    Markov form of J acting on S') or "B" (rotating form); :mod:`.subleading`.
    ``disorder``: a :class:`semiclassical.disorder.Disorder` of strength W (default: white noise
    W); a correlated one puts W(|k - k'|) into every Born-level sum (:mod:`.kernel`), a magnetic one
    its vertex weights (:mod:`.vertices`); readings C and B take scalar white noise only.
    """
    if not W > 0:
        raise SemiclassicalError(f"disorder strength W must be positive, got {W}")
    check_reading(skew_reading)
    disorder = resolve_disorder(W, disorder)
    if not disorder.is_white_noise and READINGS[skew_reading].route != GOLDEN_RULE:
        raise SemiclassicalError(f"skew reading {skew_reading!r} (the paper's route with mirror shells) supports "
                                 f"scalar white-noise disorder only, not {disorder.describe()}; use skew reading 'T'")
    hbar, e = float(model.hbar), float(model.e)
    groups = operator_groups(model)
    n_op = 3 + len(model.operators)
    factory = ShellFactory(model, n_theta, gauge=gauge, kmax=kmax)
    shell = factory.get(eF)
    if shell.size == 0:
        # Fermi level in a gap: no Fermi surface, every Fermi-surface piece vanishes identically
        zero2 = np.zeros(2)
        spin, ops = _split({p: np.zeros(n_op) for p in ("leading",) + W0_PIECES}, groups)
        return {"current": {p: zero2.copy() for p in ("drude",) + W0_PIECES},
                "spin": spin, "operators": ops, "groups": groups,
                "shell": shell, "g": np.zeros(0), "g_sj": np.zeros(0), "beta": np.zeros((0, 2)),
                "gamma": np.zeros((0, 3)), "skew": None, "factory": factory, "transport_times": [],
                "sizes": {}, "skew_reading": skew_reading,
                "imbalance": {"leading": 0.0, "side_jump": 0.0, "skew": 0.0}}
    # c_ij = W(|k_i - k_j|)/W on the Fermi shell (None: white noise); it multiplies the summands,
    # so the sizes below (sums of |.|) and the rounding floors built on them carry it as well
    kernel = shell_kernel(shell, disorder)
    # magnetic impurities: independent scalar channels with Hermitian vertices V_s (None: scalar)
    vertices = vertex_channels(disorder)
    solver = J0Solver(shell, W, hbar, kernel, vertices)
    g = leading.leading_distribution(solver, e, field)
    lead_balance = (solver.last_removed, solver.last_magnitude)
    beta, beta_size = extrinsic.extrinsic_velocity(shell, W, hbar, with_size=True, kernel=kernel,
                                                   vertices=vertices)
    # gamma_O of every operator of the stack at once (Eq. 61 with T -> T_O): spin and the others alike
    gamma, gamma_size = extrinsic.extrinsic_operator(shell, W, hbar, with_size=True, kernel=kernel,
                                                     vertices=vertices)
    j_e = subleading.side_jump_source(shell, W, hbar, e, field, kernel, vertices)
    g_sj = subleading.side_jump_distribution(solver, j_e)
    sj_balance = (solver.last_removed, solver.last_magnitude)
    skew = subleading.skew_scattering(factory, shell, g, W, hbar, {id(shell): solver}, reading=skew_reading,
                                      kernel=kernel, vertices=vertices)
    v, o = shell.own_velocity(), shell.own_operator()
    cur = {"drude": -e * shell.integrate(g, v),
           "extrinsic": -e * shell.integrate(g, beta),
           "side_jump": -e * shell.integrate(g_sj, v),
           "skew": -e * skew.observable("velocity")}
    # Eq. 63 with sigma -> O, every operator of the stack (n_op,)
    stack = {"leading": shell.integrate(g, o),
             "extrinsic": shell.integrate(g, gamma),
             "side_jump": shell.integrate(g_sj, o),
             "skew": skew.observable("operator")}
    spin, ops = _split(stack, groups)
    # sizes of the integrands (sum of |.|): the scale against which quadrature errors are judged,
    # so that pieces vanishing by symmetry do not demand relative accuracy of rounding noise
    ag, agsj = np.abs(g), np.abs(g_sj)
    sizes = {"sigma_1/W": e * float(np.sum(shell.integrate(ag, np.abs(v)))),
             "sigma_W0": e * float(np.max([np.sum(shell.integrate(ag, np.abs(beta))),
                                           np.sum(shell.integrate(agsj, np.abs(v))),
                                           np.sum(skew.observable("velocity", absolute=True))]))}
    # sizes of the W^0 summands before any cancellation (Eq. 47's terms, |.| each): the rounding
    # scale of a W^0 family that vanishes by symmetry (every W^0 piece of a time-reversal-invariant
    # model, e.g. d_z = 0), where the integrand sizes above are themselves rounding noise
    sizes["summands"] = {"sigma_W0": e * float(np.sum(shell.integrate(ag, beta_size)))}
    lead_size = shell.integrate(ag, np.abs(o))
    # the 1/W piece's rounding scale: |g| times the size of the matrix elements of O, not of its
    # diagonal one (which may vanish by symmetry, with an integrand size that is rounding noise)
    lead_summands = shell.integrate(ag, shell.operator_size())
    w0_sizes = (shell.integrate(ag, np.abs(gamma)), shell.integrate(agsj, np.abs(o)),
                skew.observable("operator", absolute=True))
    summand_size = shell.integrate(ag, gamma_size)
    if skew.source_size is not None:
        # magnetic vertices: the skew source's summands, carried to n^sk by each node's out-scattering
        # rate (the diagonal of J0), are the rounding scale of a skew piece that vanishes by symmetry
        # (in-plane moments on spin-diagonal bands); scalar disorder keeps its floors bit for bit
        g_size = skew.source_size / np.diag(solver.A)
        sizes["summands"]["sigma_W0"] = max(sizes["summands"]["sigma_W0"],
                                            e * float(np.sum(shell.integrate(g_size, np.abs(v)))))
        skew_summands = shell.integrate(g_size, np.abs(o))
    for name, sl in groups.items():       # one family per observable of the stack (spin: x, y, z)
        sizes[f"{name}_1/W"] = float(np.sum(lead_size[sl]))
        sizes[f"{name}_W0"] = float(np.max([np.sum(x[sl]) for x in w0_sizes]))
        sizes["summands"][f"{name}_W0"] = float(np.sum(summand_size[sl]))
        sizes["summands"][f"{name}_1/W"] = float(np.sum(lead_summands[sl]))
        if skew.source_size is not None:
            sizes["summands"][f"{name}_W0"] = max(sizes["summands"][f"{name}_W0"], float(np.sum(skew_summands[sl])))
    # source balance: fraction of a source that would change a shell's population (removed)
    skew_ref = max(skew.magnitude, sj_balance[1], 1e-300)
    balance = {"leading": lead_balance[0] / max(lead_balance[1], 1e-300),
               "side_jump": sj_balance[0] / max(sj_balance[1], 1e-300),
               "skew": skew.removed / skew_ref}
    return {"current": cur, "spin": spin, "operators": ops, "groups": groups, "shell": shell, "g": g,
            "g_sj": g_sj, "beta": beta, "gamma": gamma[:, :3], "gamma_operators": gamma[:, 3:], "skew": skew, "factory": factory, "sizes": sizes, "skew_reading": skew_reading,
            "transport_times": leading.transport_times(shell, g, e, field),
            "imbalance": balance}


def _piece_maps(terms: dict) -> dict[str, tuple[str, dict]]:
    """{family: (name of its 1/W piece, its piece map)}: "sigma" (the current), "spin", and one per
    operator of ``model.operators`` (keyed by observable); the names the sizes and floors carry."""
    out = {"sigma": ("drude", terms["current"]), "spin": ("edelstein", terms["spin"])}
    out.update({key: ("leading", pieces) for key, pieces in terms.get("operators", {}).items()})
    return out


def _families(terms: dict) -> dict[str, np.ndarray]:
    out = {}
    for name, (lead, pieces) in _piece_maps(terms).items():
        out[f"{name}_1/W"] = np.asarray(pieces[lead])
        out[f"{name}_W0"] = np.concatenate([np.ravel(pieces[p]) for p in W0_PIECES])
    return out


#: a family at most this many ulps of its summands' size is a zero by symmetry (_difference)
_ROUNDING_SLACK = 1e4


def _difference(a: dict, b: dict, sizes: dict) -> float:
    """Largest change of a family between two resolutions, relative to the family's integrand size."""
    worst = 0.0
    summands = sizes.get("summands", {})
    for key in a:
        scale = max(np.max(np.abs(b[key])), sizes.get(key, 0.0))
        floor = _ROUNDING_SLACK * np.finfo(float).eps * summands.get(key, 0.0)
        if scale <= floor and key in summands:
            # the family vanishes by symmetry (values and integrands at the rounding level of its
            # summands): a change is judged against the summands, the size its rounding error has
            scale = summands[key]
        change = float(np.max(np.abs(a[key] - b[key])))
        # a change within the rounding level of the summands is no sign of missing resolution: a
        # W^0 piece much smaller than its summands (~ M at a small gap M) carries that noise at any
        # angle count, and demanding rtol of it doubles the angles without end
        if scale > 0 and change > floor:
            worst = max(worst, change / scale)
    return worst


def rounding_floors(sizes: dict) -> dict:
    """{family: {"1/W": floor, "W0": floor}} for "sigma", "spin" and each operator family found in
    ``sizes``: below its floor a number is rounding noise.

    Eq. 47's and Eq. 61's terms (and the side-jump and skew sources built from the same matrix
    elements) are added with |.| each into ``sizes["summands"]``; a W^0 value within
    _ROUNDING_SLACK ulps of that size cannot be told from zero (the whole family of a
    time-reversal-invariant model, d_z = 0, where beta = gamma = 0 exactly).
    """
    summands = sizes.get("summands", {})
    eps = _ROUNDING_SLACK * np.finfo(float).eps
    names = {k[:-len("_1/W")] for k in sizes if k.endswith("_1/W")} | {"sigma", "spin"}
    # the 1/W pieces add terms without cancellation: their integrand size is the scale, or the size
    # of the operator's matrix elements where its diagonal ones vanish by symmetry (summands "_1/W")
    # the W^0 pieces: Eq. 47's summands, or the integrand of O^mm n^sj, O^mm n^sk where the sum over
    # the shell cancels (O = const: the population of n^sj, n^sk is zero), whichever is larger
    return {name: {"1/W": eps * max(sizes.get(f"{name}_1/W", 0.0), summands.get(f"{name}_1/W", 0.0)),
                   "W0": eps * max(summands.get(f"{name}_W0", 0.0), sizes.get(f"{name}_W0", 0.0))}
            for name in names}


def zero_rounding_noise(terms: dict) -> None:
    """Set every Fermi-surface number below its :func:`rounding_floors` to exactly 0, in place
    (every family: the current, the spin density, each operator).

    Such a number vanishes by symmetry up to rounding (docs/design.md, quadrature): reporting the
    noise would have engines that give the exact zero (the closed form) flagged as disagreeing.
    """
    floors = rounding_floors(terms["sizes"])
    for name, (lead, pieces) in _piece_maps(terms).items():
        floor = floors.get(name, {"1/W": 0.0, "W0": 0.0})      # no Fermi surface: exact zeros already
        for piece in W0_PIECES + (lead,):
            x = np.asarray(pieces[piece], float)
            pieces[piece] = np.where(np.abs(x) <= floor["1/W" if piece == lead else "W0"], 0.0, x)


def converge_fermi_surface(model, eF, W, *, rtol=1e-10, n_theta=16, max_n_theta=1024, gauge=None,
                           kmax=None, field=(1.0, 0.0), skew_reading=DEFAULT_SKEW_READING, disorder=None):
    """Double the angle count until two successive Fermi-surface results agree to rtol."""
    prev = fermi_surface_terms(model, eF, W, n_theta, gauge=gauge, kmax=kmax, field=field,
                               skew_reading=skew_reading, disorder=disorder)
    history = [(n_theta, None)]
    n = n_theta
    while True:
        n *= 2
        if n > max_n_theta:
            raise SemiclassicalError(
                f"Fermi-surface quantities not converged to rtol={rtol:g} with {max_n_theta} angles "
                f"(last relative change {history[-1][1]:.2e} on doubling the angles): the quadrature engine cannot "
                "vouch for its numbers here; compare with --engines closed,kubo (in Python: raise max_n_theta "
                "or loosen rtol of quadrature.evaluate)"
            )
        cur = fermi_surface_terms(model, eF, W, n, gauge=gauge, kmax=kmax, field=field,
                                  skew_reading=skew_reading, disorder=disorder)
        diff = _difference(_families(prev), _families(cur), cur["sizes"])
        history.append((n, diff))
        if diff <= rtol:
            return cur, n, diff, history
        prev = cur


def converge_sea(model, eF, *, rtol=1e-10, n_theta=8, max_n_theta=256, kmax=None,
                 field=(1.0, 0.0)):
    """Fermi-sea pieces with the angle count doubled until agreement to rtol."""
    prev = fermi_sea(model, eF, n_theta, kmax=kmax, field=field,
                     epsrel=min(1e-12, rtol * 1e-2))
    n = n_theta
    while True:
        n *= 2
        cur = fermi_sea(model, eF, n, kmax=kmax, field=field, epsrel=min(1e-12, rtol * 1e-2))
        # a divergent component (NaN, named in "divergent") has no convergence to judge
        a = np.nan_to_num(np.concatenate([[prev["sigma_int"]], prev["operator_int"]]))
        b = np.nan_to_num(np.concatenate([[cur["sigma_int"]], cur["operator_int"]]))
        diff = 0.0
        # one family per observable: Omega (sigma_int), the spin density (x, y, z), each operator
        for sl in [slice(0, 1)] + [slice(1 + g.start, 1 + g.stop) for g in operator_groups(model).values()]:
            scale = max(np.abs(b[sl]).max(), cur["size"][sl].max(), 1e-300)
            diff = max(diff, float(np.abs(a[sl] - b[sl]).max() / scale))
        cur["n_theta"], cur["change"] = n, float(diff)
        # the large-k angular structure of some anisotropic models cannot be resolved on any grid
        # (see sea.py); their accuracy is reported, not claimed
        scale = max(np.abs(b).max(), 1e-300)
        cur["unresolved_relative"] = float(cur["unresolved_error"] / scale)
        cur["converged"] = bool(diff <= rtol and cur["unresolved_relative"] <= rtol)
        if diff <= rtol or 2 * n > max_n_theta:
            return cur
        prev = cur


def evaluate(model: NumericModel, eF: float, W: float, *, rtol: float = 1e-10, n_theta: int | None = None,
             gauge_seed: int | None = 0, kmax: float | None = None, sea: bool = True,
             max_n_theta: int = 1024, skew_reading: str = DEFAULT_SKEW_READING, disorder=None) -> dict:
    """Every piece of sigma_yx, sigma_xx and <s_x,y,z> per unit E_x (E = xhat), by quadrature.

    ``n_theta`` fixes the angle count (no adaptivity) when given. Returns maps ``sigma_yx``,
    ``sigma_xx``, ``spin_density`` {"x", "y", "z"} with keys drude|edelstein (1/W), intrinsic,
    extrinsic, side_jump, skew, total (= sum of the W^0 pieces), and ``meta``. ``sea=False``
    skips the Fermi-sea integrals (then ``intrinsic`` and ``total`` are NaN). Natural units of
    the model's parameters: sigma in e^2/hbar x ..., spin density per unit area per unit E_x.
    ``skew_reading``: "T" (default: golden rule with the fourth-order non-crossing T-matrix, n^sk
    on the Fermi shell only; agrees with the Kubo-Streda totals), "C" (J acting on the coherence S'
    in its static Markov form, steady state of Eq. 16, with mirror shells; reproduces Eqs. 84, 85,
    103 node by node) or "B" (rotating form of Eq. 17 as printed: one third of reading C's skew terms
    for the TI surface); recorded in ``meta["skew_reading"]``.
    ``disorder``: a :class:`semiclassical.disorder.Disorder` of the same strength W (default:
    white noise W, today's numbers bit for bit); scalar correlated disorder W(|k - k'|) enters
    every Fermi-surface piece (:mod:`.kernel`); the Fermi-sea pieces do not depend on it.
    Recorded in ``meta["disorder"]``.
    """
    check_reading(skew_reading)
    t0 = time.perf_counter()
    gauge = RandomGauge(gauge_seed)
    field = (1.0, 0.0)
    if n_theta is None:
        terms, n_used, change, history = converge_fermi_surface(
            model, eF, W, rtol=rtol, gauge=gauge, kmax=kmax, field=field, max_n_theta=max_n_theta,
            skew_reading=skew_reading, disorder=disorder)
    else:
        terms = fermi_surface_terms(model, eF, W, n_theta, gauge=gauge, kmax=kmax, field=field,
                                    skew_reading=skew_reading, disorder=disorder)
        n_used, change, history = n_theta, float("nan"), [(n_theta, None)]
    zero_rounding_noise(terms)
    t1 = time.perf_counter()
    if sea:
        sea_res = converge_sea(model, eF, rtol=rtol, kmax=kmax, field=field,
                               max_n_theta=min(max_n_theta, 256)) if n_theta is None else \
            fermi_sea(model, eF, n_theta, kmax=kmax, field=field)
        sigma_int, op_int = sea_res["sigma_int"], sea_res["operator_int"]
    else:
        sea_res, sigma_int, op_int = None, float("nan"), np.full(3 + len(model.operators), np.nan)
    t2 = time.perf_counter()
    cur, spin = terms["current"], terms["spin"]
    groups = terms["groups"]

    def sigma_map(a: int) -> dict:
        out = {"drude": float(cur["drude"][a]),
               "intrinsic": float(sigma_int) if a == 1 else 0.0}
        out.update({p: float(cur[p][a]) for p in W0_PIECES})
        out["total"] = out["intrinsic"] + sum(out[p] for p in W0_PIECES)
        return out

    def spin_map(a: int) -> dict:
        out = {"edelstein": float(spin["edelstein"][a]), "intrinsic": float(op_int[a])}
        out.update({p: float(spin[p][a]) for p in W0_PIECES})
        out["total"] = out["intrinsic"] + sum(out[p] for p in W0_PIECES)
        return out

    def operator_map(key: str) -> dict:
        pieces = terms["operators"][key]
        out = {_leading_name(key): float(pieces["leading"][0]), "intrinsic": float(op_int[groups[key]][0])}
        out.update({p: float(pieces[p][0]) for p in W0_PIECES})
        out["total"] = out["intrinsic"] + sum(out[p] for p in W0_PIECES)
        return out

    shell = terms["shell"]
    parts = [] if terms["skew"] is None else terms["skew"].parts
    skew_shells = sorted({float(p.shell.energy) for p in parts})
    e_ = float(model.e)
    skew_by_shell = []
    for p in parts:        # the skew pieces split by energy shell (Fermi shell, then the others)
        vel = -e_ * p.shell.integrate(p.g, p.shell.own_velocity())
        ops = p.shell.integrate(p.g, p.shell.own_operator())
        skew_by_shell.append({"energy": float(p.shell.energy),
                              "fermi": bool(abs(p.shell.energy - shell.energy) <= 1e-11 * max(1.0, abs(eF))),
                              "sigma_yx": float(vel[1]), "sigma_xx": float(vel[0]),
                              "spin_density": {c: float(x) for c, x in zip("xyz", ops[:3])},
                              "operators": {k: float(ops[sl][0]) for k, sl in groups.items() if k != "spin"}})
    isotropic = all(c.is_circle for c in shell.contours)
    meta = {
        "method": "quadrature",
        "statement": STATEMENT,
        "eF": float(eF), "W": float(W), "hbar": float(model.hbar), "e": float(model.e),
        "disorder": resolve_disorder(W, disorder).describe(),
        "n_theta": int(n_used), "n_nodes": int(shell.size),
        "contours": shell.summary(),
        "skew_reading": skew_reading,
        "skew_reading_note": f"{skew_reading}: {READINGS[skew_reading].note}",
        "skew_shell_energies": skew_shells,
        "skew_by_shell": skew_by_shell,
        "n_skew_shells": len(skew_shells),
        "isotropy": "isotropic" if isotropic else "anisotropic",
        "rtol_requested": float(rtol),
        "fermi_surface_change_last_doubling": float(change),
        "convergence_history": [(int(n), None if d is None else float(d)) for n, d in history],
        "sea_n_theta": None if sea_res is None else int(sea_res.get("n_theta", n_theta or 0)),
        "sea_quad_error": None if sea_res is None else float(np.max(sea_res["error"])),
        "sea_converged": None if sea_res is None else bool(sea_res.get("converged", False)),
        "sea_unresolved_k": (None if sea_res is None or not np.isfinite(sea_res["unresolved_k"])
                             else float(sea_res["unresolved_k"])),
        "sea_unresolved_relative": None if sea_res is None else sea_res.get("unresolved_relative"),
        "estimated_relative_accuracy": float(max(
            change if np.isfinite(change) else 0.0,
            0.0 if sea_res is None else sea_res.get("change", 0.0),
            0.0 if sea_res is None else sea_res.get("unresolved_relative", 0.0))),
        "source_imbalance": {k: float(v) for k, v in terms["imbalance"].items()},
        "source_imbalance_note": ("fraction of each Boltzmann source that would change the population "
                                  "of an energy shell (removed before solving J0; 0 up to rounding "
                                  "for rotationally covariant models)"),
        "transport_times": terms["transport_times"],
        # scales of the error estimates of the engine interface (engines/quadrature.py)
        "integrand_sizes": {k: float(v) for k, v in terms["sizes"].items() if k != "summands"},
        # sizes of the W^0 summands before cancellation: the rounding scale of a family that
        # vanishes by symmetry (d_z = 0), see _difference
        "summand_sizes": {k: float(v) for k, v in terms["sizes"].get("summands", {}).items()},
        "sea_errors": _sea_errors(sea_res, groups),
        # operators whose Fermi-sea piece diverges (the lower band alone filled to k = oo and O
        # growing with k): no intrinsic piece and no total for them
        "sea_divergent": [] if sea_res is None else [k for k, sl in groups.items() if k != "spin"
                                                     and sl.start in sea_res["divergent"]],
        "gauge_seed": gauge_seed,
        "seconds": {"fermi_surface": t1 - t0, "fermi_sea": t2 - t1},
    }
    out = {"sigma_yx": sigma_map(1), "sigma_xx": sigma_map(0),
           "spin_density": {"x": spin_map(0), "y": spin_map(1), "z": spin_map(2)},
           "meta": meta}
    for key in terms["operators"]:          # at the observable's dotted path: spin_hall/z, observables/<name>
        node = out
        *head, last = key.split(".")
        for part in head:
            node = node.setdefault(part, {})
        node[last] = operator_map(key)
    return out


def _leading_name(key: str) -> str:
    """The name of the 1/W piece of the observable ``key`` (``drude`` for a spin current, ``leading``
    for a model file's observable or an unregistered operator)."""
    from .. import observables

    try:
        return observables.get(key).leading
    except SemiclassicalError:
        return "leading"


def _sea_errors(sea_res, groups: dict) -> dict:
    """Absolute error of each Fermi-sea piece: the integrator's estimate plus the last angular change
    (every observable: sigma_yx, the spin density, each operator of ``groups``)."""
    if sea_res is None:
        return {}
    change = float(sea_res.get("change", 0.0)) + float(sea_res.get("unresolved_relative", 0.0))
    size = np.asarray(sea_res["size"], float)
    err = np.asarray(sea_res["error"], float)
    out = {"sigma_yx": float(err[0] + change * size[0]), "sigma_xx": 0.0}
    out.update({f"spin_density.{a}": float(err[1 + i] + change * size[1 + i]) for i, a in enumerate("xyz")})
    out.update({k: float(err[1 + sl.start] + change * size[1 + sl.start]) for k, sl in groups.items() if k != "spin"})
    return out

