"""Disorder correlators <U^{ab}_{kk'} U^{cd}_{k'k}> (paper Eqs. 4-10).

White noise <U(r)U(r')> = W delta(r - r') gives <U_q U_-q> = W, so

    <U^{ab}_{kk'} U^{cd}_{k'k}> = W <u^a_k|u^b_k'> <u^c_k'|u^d_k>

(Eq. 6 with its indices kept distinct; Eq. 10 as printed repeats ``n``, a misprint). A
q-dependent correlator plugs in through :class:`Correlator.strength`, a function of the two
points (the Fourier transform <U_q U_-q> at q = k - k').

:class:`Disorder` is the disorder *input* of a model (the ``[disorder]`` section of a model file:
type, strength, which values were defaulted); :class:`Correlator` is its symbolic form.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable, Mapping

import sympy as sp

from .expansion import expand
from .bloch import BlochSystem, Point
from .errors import SemiclassicalError
from .fermi import W, W_m
from .model import angular_average, laurent_coefficients

__all__ = ["Correlator", "WHITE_NOISE", "vertex_element", "magnetic_correlator", "W_l", "kernel",
           "kernel_harmonic", "correlated_correlator", "kernel_average", "DEFAULT_W", "q", "SHAPES",
           "SUPPORTED_KINDS", "SHAPE_PARAMETERS", "MOMENTS", "Disorder"]


@dataclass(frozen=True)
class Correlator:
    """<U_q U_-q> as a function of the two points; white noise by default.

    ``correlated``: the strength is W c(|k_p - k_q|) with the shape c kept as a placeholder
    (:func:`kernel`), so that the closed forms hold for every scalar correlator at once: each angular
    average replaces c by its Fourier harmonics W_l (:func:`kernel_average`), and only the numbers
    of the harmonics depend on the shape (:meth:`Disorder.harmonic`).
    """

    strength: Callable[[Point, Point], sp.Expr] = lambda p, q: W
    name: str = "white-noise"
    correlated: bool = False
    #: magnetic impurities: independent white-noise channels ((w_s, V_s), ...), V_s a Hermitian 2x2
    #: vertex (docs/magnetic_impurities.md, section 2); None: scalar disorder (``strength``, Eq. 10)
    channels: tuple | None = None

    def __call__(self, bs: BlochSystem, a, p: Point, b, q: Point, c, d):
        """<U^{ab}_{pq} U^{cd}_{qp}> (Eq. 6); with channels sum_s w_s <a_p|V_s|b_q><c_q|V_s|d_p>."""
        if self.channels is None:
            return self.strength(p, q) * bs.overlap(a, p, b, q) * bs.overlap(c, q, d, p)
        return expand(sum((w * vertex_element(bs, a, p, V, b, q) * vertex_element(bs, c, q, V, d, p)
                              for w, V in self.channels), sp.Integer(0)))

    def dressed(self, bs: BlochSystem, band, p: Point) -> sp.Matrix:
        """sum_s w_s V_s |u^band_p><u^band_p| V_s: the projector of one state as a Gaussian pair of
        vertices sees it (the self-energy and rung factors of the golden rule, docs/magnetic_impurities.md
        section 4). Scalar disorder: |u><u|, the strength of the pair (:attr:`strength`) kept apart."""
        ket, bra = bs.spinor(band, p), bs.bra(band, p)
        channels = self.channels if self.channels is not None else ((1, sp.eye(2)),)
        return sum(((w * V * ket * bra * V).applyfunc(expand) for w, V in channels), sp.zeros(2, 2))

    def vertex_weights(self):
        """The 4x4 weights w_ab over (1, sx, sy, sz) of the channels, sum_s w_s e_s e_s^T with
        V_s = sum_a (e_s)_a Gamma_a (SymPy, in W and W_m): what Disorder.vertex_weights gives in numbers."""
        gammas = (sp.eye(2), *_PAULI)
        out = sp.zeros(4, 4)
        for w, V in self.channels if self.channels is not None else ((W, sp.eye(2)),):
            e = [expand((G * V).trace() / 2) for G in gammas]
            out += w * sp.Matrix(4, 4, lambda i, j: e[i] * e[j])
        return out.applyfunc(expand)

    def average(self, expr, q: Point):
        """<expr>_{theta_q}: the exact angular average over the point q (kernels included)."""
        return kernel_average(expr, q) if self.correlated else angular_average(expr, q.u)


WHITE_NOISE = Correlator()

# ------------------------------------------------------------------ magnetic vertices, symbolically
_PAULI = (sp.Matrix([[0, 1], [1, 0]]), sp.Matrix([[0, -sp.I], [sp.I, 0]]), sp.Matrix([[1, 0], [0, -1]]))


def vertex_element(bs: BlochSystem, a, p: Point, V: sp.Matrix, b, q: Point):
    """<u^a_p|V|u^b_q> for a constant 2x2 vertex V: a Laurent polynomial in u_p, u_q like the overlap."""
    return expand((bs.bra(a, p) * V * bs.spinor(b, q))[0])


#: moment distributions with closed forms: the channels (w_s, V_s) of the weights of
#: Disorder.vertex_weights (docs/magnetic_impurities.md, sections 1-2), covariant under rotations about z
_CHANNELS = {
    # w = v v^T, v = (sqrt(W), 0, 0, sqrt(W_m)): one channel, cross terms sqrt(W W_m)
    "z": ((sp.Integer(1), sp.sqrt(W) * sp.eye(2) + sp.sqrt(W_m) * _PAULI[2]),),
    "random": ((W, sp.eye(2)), *((W_m / 3, P) for P in _PAULI)),
    "random-z": ((W, sp.eye(2)), (W_m, _PAULI[2])),
}


def magnetic_correlator(moments: str) -> Correlator:
    """The correlator of point impurities V = u0 + u_m n.sigma (Eq. 6 with matrix vertices) as channels,
    in the symbols W and W_m; named per moment distribution (the persistent store keys by the name).
    Moments along x break rotational covariance about z: no closed form (the numerical engines answer)."""
    if moments not in _CHANNELS:
        why = ("in-plane moments break the rotational covariance the closed forms rest on"
               if moments == "x" else "unknown moment distribution")
        raise SemiclassicalError(f"no closed form for magnetic moments {moments!r} ({why}); closed forms take "
                                 + ", ".join(f'"{m}"' for m in _CHANNELS) + "; the numerical engines take every one")
    return Correlator(name=f"magnetic-{moments}", channels=_CHANNELS[moments])

# ------------------------------------------------------------------ a q-dependent kernel, symbolically
#: W_l(n, k_a, k_b) = (1/2pi) int dphi c(|k_a - k_b|) cos(n phi), phi the angle between k_a and k_b:
#: the n-th Fourier harmonic of the correlator shape between circles of radii k_a, k_b (dimensionless,
#: symmetric in k_a, k_b; white noise: delta_{n0}).
W_l = sp.Function("W_l", real=True)
_PAIRS: dict = {}


def kernel(p: Point, q: Point) -> sp.Symbol:
    """The placeholder of c(|k_p - k_q|) (symmetric in the two points)."""
    a, b = sorted((p, q), key=lambda x: x.u.name)
    sym = sp.Symbol(f"c_{a.u.name}_{b.u.name}", positive=True)
    _PAIRS[sym] = (a, b)
    return sym


def kernel_harmonic(n: int, ka, kb):
    """W_l(|n|, k_a, k_b) with the radii in a canonical order."""
    ka, kb = sorted((ka, kb), key=str)
    return W_l(abs(int(n)), ka, kb)


def correlated_correlator() -> Correlator:
    """W c(|k - k'|) with c a placeholder: the closed forms of every scalar correlated disorder."""
    return Correlator(strength=lambda p, q: W * kernel(p, q), name="correlated", correlated=True)


def kernel_average(expr, q: Point):
    """<expr>_{theta_q} where ``expr`` is a Laurent polynomial in the angle variables times at most one
    kernel placeholder c(|k_a - k_q|) per term: with phi = theta_q - theta_a,

        <c(|k_a - k_q|) u_q^n>_{theta_q} = u_a^n <c e^{i n phi}>_phi = W_l(|n|, k_a, k_q) u_a^n

    (c is even in phi). Two kernels on the averaged point would need a convolution of harmonics:
    callers average first over a point that only one kernel holds (the golden rule does)."""
    expr = expand(expr)
    plain, by_kernel = [], {}
    for term in sp.Add.make_args(expr):
        ks = [s for s in term.free_symbols if s in _PAIRS and q.u in (_PAIRS[s][0].u, _PAIRS[s][1].u)]
        if not ks:
            plain.append(term)
            continue
        rest = term / ks[0]
        if len(ks) > 1 or rest.has(ks[0]):
            raise ValueError("two kernels on the averaged point (a convolution of harmonics)")
        by_kernel.setdefault(ks[0], []).append(rest)
    out = angular_average(sp.Add(*plain), q.u)
    for K, terms in by_kernel.items():
        a = next(x for x in _PAIRS[K] if x.u != q.u)
        for n, c in laurent_coefficients(sp.Add(*terms), q.u).items():
            out += c * kernel_harmonic(n, a.k, q.k) * a.u**n
    return expand(out)


# ------------------------------------------------------------------ the disorder of a model
#: The white-noise strength W (energy^2 x area, the paper's n_i u0^2) used when a model states none.
DEFAULT_W = 0.01
#: The momentum transfer q = |k - k'| of a scalar correlator W(q).
q = sp.Symbol("q", nonnegative=True)
#: Scalar disorder types: <U_q U_-q> = W c(q), type -> (its parameters, c(q) in words).
#: (docs/design.md, "Disorder"; the model-file keys are defined in semiclassical.modelfile.)
SHAPES = {
    "white-noise": ((), "W(q) = W"),
    "gaussian": (("d",), "W(q) = W exp(-q^2 d^2 / 2)"),
    "screened-coulomb": (("q_s",), "W(q) = W q_s^2 / (q + q_s)^2"),
    "custom": (("correlator",), "W(q) = W c(q), c = the expression correlator = \"...\" in q"),
}
#: Disorder types the engines evaluate.
SUPPORTED_KINDS = tuple(SHAPES)
#: The numeric shape parameters and the magnetic strength (settable with --set like W).
SHAPE_PARAMETERS = ("d", "q_s", "W_m")
#: Distributions of the magnetic-impurity moments n (|n| = 1).
MOMENTS = {
    "z": "all along +z (aligned with the magnetization of the TI and Rashba models)",
    "x": "all along +x (in plane: breaks rotational covariance; numerical engines)",
    "random": "isotropic random directions",
    "random-z": "+z or -z at random, equal weight",
}


def _positive_length(name, value, allow_zero):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise SemiclassicalError(f"disorder parameter {name} = {value!r} must be a finite number {bound}")
    return float(value)


@dataclass(frozen=True)
class Disorder:
    """The disorder a model is evaluated with: the ``[disorder]`` section of a model file.

    ``kind`` is the correlator type (:data:`SHAPES`): <U(r)U(r')> = W C(|r - r'|), i.e. a Born
    kernel <U_q U_-q> = W c(q) with q = |k - k'| (white noise: c = 1, the paper's Eq. 10);
    ``W`` its strength (energy^2 x area, n_i u0^2); ``parameters`` the shape's parameters (gaussian
    ``d``, a length; screened Coulomb ``q_s``, a wave number; custom ``correlator``, the string
    c(q)); ``defaulted`` the names of the values that were not given and took their default
    (``("type", "W")`` with no ``[disorder]`` section at all). Model-file keys, defaults and
    meanings are defined once, in :mod:`semiclassical.modelfile`.
    """

    kind: str = "white-noise"
    W: float = DEFAULT_W
    parameters: Mapping[str, object] = field(default_factory=dict)
    defaulted: tuple[str, ...] = ()
    #: magnetic impurities: V = u0 + u_m n.sigma per impurity, W_m = n_i u_m^2 (energy^2 x area), the
    #: moments n distributed as ``moments`` (:data:`MOMENTS`); 0: none (docs/magnetic_impurities.md)
    W_m: float = 0.0
    moments: str | None = None

    def __post_init__(self):
        if isinstance(self.W_m, bool) or not isinstance(self.W_m, (int, float)) or not math.isfinite(self.W_m) \
                or self.W_m < 0:
            raise SemiclassicalError(f"W_m = {self.W_m!r} must be a finite number >= 0 (W_m = n_i u_m^2, the "
                                     "magnetic-impurity strength)")
        object.__setattr__(self, "W_m", float(self.W_m))
        if self.W_m > 0 and self.moments not in MOMENTS:
            raise SemiclassicalError(f"magnetic impurities (W_m = {self.W_m:g}) need moments = "
                                     + " | ".join(f'"{m}"' for m in MOMENTS)
                                     + (", none given (--set moments=random or [disorder] moments = ...)"
                                        if self.moments is None else f", got {self.moments!r}") + " ("
                                     + "; ".join(f"{m}: {t}" for m, t in MOMENTS.items()) + ")")
        if self.moments is not None and self.moments not in MOMENTS:
            raise SemiclassicalError(f"moments = {self.moments!r} is not a moment distribution; use "
                                     + ", ".join(f'"{m}"' for m in MOMENTS))
        if self.W_m > 0 and self.kind != "white-noise":
            raise SemiclassicalError("magnetic impurities are point-like here: W_m needs type = \"white-noise\" "
                                     f"(not {self.kind!r})")
        if self.kind not in SUPPORTED_KINDS:
            raise SemiclassicalError(f"disorder type {self.kind!r} is not supported; "
                                     f"supported: {', '.join(SUPPORTED_KINDS)}")
        if isinstance(self.W, bool) or not isinstance(self.W, (int, float)) or not math.isfinite(self.W) \
                or self.W <= 0:
            raise SemiclassicalError(f"W = {self.W!r} must be positive and finite (W = n_i u0^2, the "
                                     "disorder strength)")
        object.__setattr__(self, "W", float(self.W))
        params = dict(self.parameters)
        names = SHAPES[self.kind][0]
        extra = sorted(set(params) - set(names))
        if extra:
            raise SemiclassicalError(f"disorder type {self.kind!r} has no parameter {', '.join(extra)}; "
                                     f"its parameters: {', '.join(names) or 'none but W'}")
        missing = [n for n in names if n not in params]
        if missing:
            raise SemiclassicalError(f"disorder type {self.kind!r} needs {', '.join(missing)} "
                                     f"({SHAPES[self.kind][1]})")
        if "d" in params:
            params["d"] = _positive_length("d", params["d"], allow_zero=True)
        if "q_s" in params:
            params["q_s"] = _positive_length("q_s", params["q_s"], allow_zero=False)
        object.__setattr__(self, "parameters", MappingProxyType(params))
        object.__setattr__(self, "defaulted", tuple(self.defaulted))
        if self.kind == "custom":
            self.shape  # parsed now: a bad correlator string is one clear line at input time

    @classmethod
    def default(cls) -> "Disorder":
        """No disorder stated: white noise with W = DEFAULT_W, both values marked as defaulted."""
        return cls(defaulted=("type", "W"))

    @classmethod
    def from_mapping(cls, data) -> "Disorder":
        """From a mapping {"type": ..., "W": ..., shape parameters}; absent type and W are defaulted."""
        if isinstance(data, Disorder):
            return data
        data = dict(data or {})
        defaulted = tuple(x for x in ("type", "W") if x not in data)
        kind, W = data.pop("type", "white-noise"), data.pop("W", DEFAULT_W)
        return cls(kind, W, data, defaulted=defaulted)

    def override(self, **values) -> "Disorder":
        """The same disorder with some values set (e.g. ``--set W=...``, ``--set d=...``): those are no
        longer defaulted."""
        given = set(values)
        kind, W = values.pop("type", self.kind), values.pop("W", self.W)
        W_m, moments = values.pop("W_m", self.W_m), values.pop("moments", self.moments)
        return Disorder(kind, W, {**self.parameters, **values}, tuple(n for n in self.defaulted if n not in given),
                        W_m, moments)

    # ------------------------------------------------------------- the correlator
    @property
    def is_white_noise(self) -> bool:
        """Scalar white noise, the paper's Eq. 10: c(q) = 1 exactly (white noise, or a Gaussian of zero
        correlation length) and no magnetic impurities."""
        return (self.kind == "white-noise" or (self.kind == "gaussian" and self.parameters["d"] == 0)) \
            and not self.is_magnetic

    @property
    def scattering_bound(self) -> float:
        """An upper bound on the Born weight |<U_kk' U_k'k>| between any two states (energy^2 x area), for
        the validity estimate hbar/tau <= 2 pi rho x this: W for scalar disorder whose shape c <= 1 (white
        noise, Gaussian, screened Coulomb); W max(1, c(0)) for a custom c (an estimate: a c that peaks at
        q > 0 is not seen); (sqrt(W) + sqrt(W_m))^2 with magnetic impurities (|<u|Gamma|u'>| <= 1 per vertex)."""
        if self.is_magnetic:
            return (math.sqrt(self.W) + math.sqrt(self.W_m)) ** 2
        if self.kind == "custom":
            return self.W * max(1.0, float(self.shape.subs(q, 0)))
        return self.W

    @property
    def is_magnetic(self) -> bool:
        """Spin-dependent (magnetic) impurity scattering present (W_m > 0)."""
        return self.W_m > 0

    def vertex_weights(self):
        """The 4x4 real symmetric weights w_ab of the impurity vertices Gamma = (1, sx, sy, sz):

            <U^{ab}_{kk'} U^{cd}_{k'k}> = sum_{al,be} w_{al be} <u^a_k|Gamma_al|u^b_k'> <u^c_k'|Gamma_be|u^d_k>

        (point impurities V = u0 + u_m n.sigma, white noise in space). w_00 = W = n_i u0^2; w_ij = W_m <n_i n_j>;
        w_0i = w_i0 = sqrt(W W_m) <n_i> (u0 and u_m of one sign). Moments (:data:`MOMENTS`): "z", "x" aligned
        (<n_i n_j> = n_i n_j, <n> = n); "random" isotropic (<n_i n_j> = delta_ij/3, <n> = 0); "random-z" +-z
        with equal weight (<n_z n_z> = 1, <n> = 0). docs/magnetic_impurities.md derives them."""
        import numpy as np

        w = np.zeros((4, 4))
        w[0, 0] = self.W
        if not self.is_magnetic:
            return w
        if self.moments in ("z", "x"):
            n = np.array([1.0, 0.0, 0.0]) if self.moments == "x" else np.array([0.0, 0.0, 1.0])
            w[1:, 1:] = self.W_m * np.outer(n, n)
            w[0, 1:] = w[1:, 0] = math.sqrt(self.W * self.W_m) * n
        elif self.moments == "random":
            w[1:, 1:] = self.W_m / 3 * np.eye(3)
        else:   # random-z
            w[3, 3] = self.W_m
        return w

    @property
    def shape(self) -> sp.Expr:
        """c(q) = <U_q U_-q>/W as a SymPy expression in :data:`q` (numbers for the parameters)."""
        cached = self.__dict__.get("_shape")
        if cached is None:
            cached = _shape(self.kind, dict(self.parameters))
            object.__setattr__(self, "_shape", cached)
        return cached

    def correlation(self, qs):
        """W(q) = W c(q) at the momentum transfers ``qs`` (numpy array; energy^2 x area)."""
        import numpy as np

        f = self._shape_function("numpy")
        qs = np.asarray(qs, dtype=float)
        return self.W * np.broadcast_to(np.asarray(f(qs), dtype=float), qs.shape)

    def _shape_function(self, module: str):
        """c(q) lambdified once per module ("numpy" for arrays, "math" for the quadrature's scalar calls)."""
        cache = self.__dict__.setdefault("_shape_functions", {})
        if module not in cache:
            cache[module] = sp.lambdify(q, self.shape, module)
        return cache[module]

    def harmonic(self, n: int, ka: float, kb: float) -> float:
        """W_l(n, k_a, k_b) = (1/2pi) int dphi c(q) cos(n phi), q^2 = k_a^2 + k_b^2 - 2 k_a k_b cos phi: the
        numbers behind the closed forms' kernel harmonics (:data:`W_l`). Exact for the Gaussian,
        e^{-(k_a^2 + k_b^2) d^2/2} I_n(k_a k_b d^2); otherwise adaptive quadrature (QAWO, cosine weight)
        to 1e-13 relative (1e-15 absolute)."""
        n = abs(int(n))
        cache = self.__dict__.setdefault("_harmonics", {})
        key = (n, float(ka), float(kb))
        if key in cache:
            return cache[key]
        if self.is_white_noise:
            value = 1.0 if n == 0 else 0.0
        elif self.kind == "gaussian":
            from scipy.special import ive

            d2 = self.parameters["d"] ** 2
            # e^{-(a^2+b^2)d^2/2} I_n(a b d^2) = e^{-(a-b)^2 d^2/2} ive(n, a b d^2): no overflow at large k d
            value = float(math.exp(-(ka - kb) ** 2 * d2 / 2) * ive(n, ka * kb * d2))
        else:
            from scipy.integrate import quad

            c = self._shape_function("math")
            a2b2, ab = ka * ka + kb * kb, 2 * ka * kb
            f = lambda phi: c(math.sqrt(max(a2b2 - ab * math.cos(phi), 0.0)))  # noqa: E731
            with warnings.catch_warnings():   # its round-off notices are not the user's concern
                warnings.simplefilter("ignore")
                # c is O(1) near q = 0 (c(0) = 1 for the built-in shapes): 1e-15 absolute is round-off
                integral, _ = quad(f, 0.0, math.pi, weight="cos", wvar=n, epsabs=1e-15, epsrel=1e-13,
                                   limit=500)
            value = integral / math.pi
        cache[key] = value
        return value

    def harmonic_table(self, orders, ka, kb):
        """W_l(l, k_a, k_b)/W for l in ``orders`` on the grid ka x kb, shape (len orders, len ka, len kb),
        where the harmonics are known exactly (the Gaussian, as in :meth:`harmonic`); None for the
        other shapes (their users integrate c(q) themselves)."""
        if self.kind != "gaussian":
            return None
        import numpy as np
        from scipy.special import ive

        d2 = self.parameters["d"] ** 2
        a, b = np.asarray(ka, float)[:, None], np.asarray(kb, float)[None]
        envelope, x = np.exp(-(a - b) ** 2 * d2 / 2), a * b * d2
        return np.stack([envelope * ive(n, x) for n in orders])

    def check_shape(self, q_max: float, n: int = 2001) -> None:
        """A custom c(q) must be real, finite and non-negative on [0, q_max] (q_max = 2 k_F,max: every
        momentum transfer between Fermi circles); one clear line otherwise."""
        if self.kind != "custom":
            return
        import numpy as np

        qs = np.linspace(0.0, float(q_max), n)
        with np.errstate(all="ignore"):
            vals = self._shape_function("numpy")(qs + 0j) * np.ones_like(qs)
        bad = ~np.isfinite(vals) | (np.abs(vals.imag) > 1e-12 * np.maximum(1.0, np.abs(vals.real))) | (vals.real < 0)
        if bad.any():
            q_bad = qs[np.argmax(bad)]
            raise SemiclassicalError(
                f"the custom correlator c(q) = {self.parameters['correlator']!r} is "
                f"{'not finite' if not np.isfinite(vals[np.argmax(bad)]) else 'negative or complex'} at "
                f"q = {q_bad:.6g} (it must be real, finite and >= 0 for 0 <= q <= 2 k_F = {q_max:.6g})")

    # ------------------------------------------------------------- display
    def describe(self) -> str:
        """One line, e.g. ``white noise, W = 0.01 (default)``."""
        def mark(name):
            return " (default)" if name in self.defaulted else ""
        parts = [f"{self.kind.replace('-', ' ')}{mark('type') if self.kind != 'white-noise' else ''}",
                 f"W = {self.W:g}{mark('W')}"]
        parts += [f"{n} = {v:g}{mark(n)}" if isinstance(v, float) else f"{n} = {v!r}"
                  for n, v in self.parameters.items()]
        if self.is_magnetic:
            parts.append(f"magnetic W_m = {self.W_m:g}, moments {self.moments}")
        return ", ".join(parts)

    def to_json(self) -> dict:
        """{"type", "W", further parameters, "defaulted": [names]} for JSON outputs."""
        magnetic = {"W_m": self.W_m, "moments": self.moments} if self.is_magnetic else {}
        return {"type": self.kind, "W": self.W, **dict(self.parameters), **magnetic,
                "defaulted": list(self.defaulted)}

    def __hash__(self):
        return hash((self.kind, self.W, tuple(sorted(self.parameters.items())), self.defaulted, self.W_m,
                     self.moments))


def _shape(kind: str, params: dict) -> sp.Expr:
    if kind == "white-noise":
        return sp.Integer(1)
    if kind == "gaussian":
        return sp.exp(-q**2 * sp.Float(params["d"]) ** 2 / 2)
    if kind == "screened-coulomb":
        qs = sp.Float(params["q_s"])
        return qs**2 / (q + qs) ** 2
    from .parsing import parse_scalar

    text = params["correlator"]
    if not isinstance(text, str):
        raise SemiclassicalError(f"the custom correlator must be a string, an expression in q; got {text!r}")
    try:
        expr = parse_scalar(text, {"q": q}, what="custom correlator")
    except SemiclassicalError as exc:
        raise SemiclassicalError(f"{exc} (the custom correlator c(q) may use q, numbers, pi, sqrt, exp)") from None
    expr = sp.sympify(expr)
    if expr.free_symbols - {q}:
        names = ", ".join(sorted(str(s) for s in expr.free_symbols - {q}))
        raise SemiclassicalError(f"the custom correlator {text!r} uses {names}; c(q) may depend on q only")
    return expr
