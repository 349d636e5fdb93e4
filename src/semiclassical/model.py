"""Two-band Bloch Hamiltonians: validation, d-vector, rotational covariance.

A model is H(k) = d0(k) + d(k).sigma, a 2x2 Hermitian matrix in k_x, k_y and real parameters.
It is *rotationally covariant* ("isotropic") when, in polar coordinates k = k(cos t, sin t),

    d0 = d0(k),   dz = dz(k),   d_x + i d_y = w d_perp(k) e^{i J t},

with an integer winding J, a constant phase w (|w| = 1) and a real, possibly sign-changing,
radial function d_perp(k). The TI surface model of the paper (Eq. 68) has J = 1, w = i,
d_perp = hbar v k, dz = M. Covariant models get closed forms (Fermi-surface averages become
Fourier harmonics); every model, covariant or not, gets numerics.

Internally the polar angle enters through ``u = e^{i t}`` (a Laurent variable): angular
averages are then constant terms of Laurent polynomials (docs/design.md section 6).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import sympy as sp

from . import parsing
from .errors import SemiclassicalError
from .parsing import PAULI, hbar, k, kx, ky

__all__ = ["u", "e", "conj", "conj_in", "laurent_harmonics", "laurent_coefficients", "angular_average",
           "Covariance", "TwoBandModel", "pauli_matrices"]

if TYPE_CHECKING:
    from .disorder import Disorder

#: e^{i theta} of the momentum direction.
u = sp.Symbol("u", nonzero=True)
#: Electron charge magnitude.
e = sp.Symbol("e", positive=True)


def conj(expr):
    """Complex conjugate of an expression whose only non-real symbols are Laurent variables.

    Every symbol of the toolkit is real except the angle variables ``u``-like symbols, which
    are unimodular (conj(u) = 1/u); pass extra Laurent variables via :func:`conj_in`.
    """
    return conj_in(expr, (u,))


def conj_in(expr, laurent_vars):
    repl = {sp.I: -sp.I}
    repl.update({v: 1 / v for v in laurent_vars})
    return sp.sympify(expr).xreplace(repl)


def laurent_harmonics(expr, var) -> dict[int, sp.Expr]:
    """As :func:`laurent_coefficients`, without expanding the coefficients (large coupled solutions):
    each top-level term c var^n is read as it stands; only terms of another shape are expanded."""
    out: dict[int, sp.Expr] = {}
    for term in sp.Add.make_args(sp.sympify(expr)):
        coeff, power = term.as_independent(var, as_Add=False)
        n = 0 if power == 1 else 1 if power == var else (
            int(power.exp) if power.is_Pow and power.base == var and power.exp.is_Integer else None)
        parts = {n: coeff} if n is not None else laurent_coefficients(term, var)
        for n, c in parts.items():
            out[n] = out.get(n, 0) + c
    return {n: c for n, c in out.items() if c != 0}


def laurent_coefficients(expr, var) -> dict[int, sp.Expr]:
    """{n: c_n} with expr = sum_n c_n var^n; raises if expr is not a Laurent polynomial in var."""
    from .expansion import expand

    expr = expand(expr)
    out: dict[int, sp.Expr] = {}
    for term in sp.Add.make_args(expr):
        coeff, power = term.as_independent(var, as_Add=False)
        if power.has(var) and power != var and not (power.is_Pow and power.base == var):
            # e.g. c/(a u^2 + b u^2): pull the common power of var out of sums first
            coeff, power = sp.factor_terms(term).as_independent(var, as_Add=False)
        if power == 1 or term == 0:
            n = 0
        else:
            base, exp_ = power.as_base_exp()
            if base != var or not exp_.is_Integer:
                raise ValueError(f"{term} is not a Laurent monomial in {var}")
            n = int(exp_)
        out[n] = out.get(n, 0) + coeff
    return {n: c for n, c in out.items() if c != 0}


def angular_average(expr, var=u):
    """<F>_theta = (1/2pi) int dtheta F: the constant Laurent coefficient (exact)."""
    return laurent_coefficients(expr, var).get(0, sp.Integer(0))


@dataclass(frozen=True)
class Covariance:
    """Polar form of a covariant model: radial functions of ``k`` (a positive symbol)."""

    winding: int          # J
    phase: sp.Expr        # w, |w| = 1, constant
    d0: sp.Expr           # d0(k)
    dz: sp.Expr           # dz(k)
    dperp: sp.Expr        # d_perp(k), real, may change sign

    @cached_property
    def dnorm(self):
        """|d|(k) = sqrt(d_perp^2 + d_z^2)."""
        return sp.sqrt(sp.expand(self.dperp**2 + self.dz**2))


@dataclass
class TwoBandModel:
    """A validated 2x2 Bloch Hamiltonian.

    Build it with :meth:`from_string`, :meth:`from_matrix`, :meth:`from_toml` or
    :func:`semiclassical.catalogue.get`. ``parameters`` maps names to SymPy symbols (real,
    positive unless declared negative); ``values`` holds numeric defaults.
    """

    matrix: sp.Matrix
    parameters: dict[str, sp.Symbol]
    values: dict[str, float] = field(default_factory=dict)
    name: str = "model"
    disorder: "Disorder" = field(default_factory=lambda: _disorder(None))
    source: str = ""
    #: name of the magnetization (exchange) parameter, ``[model] magnetization`` of a model file
    magnetization: str | None = None
    #: parameters the user declared positive (``[parameters] positive``, ``positive=``): a value <= 0
    #: is then an error; every other parameter may take any real value (see :meth:`sign_case`)
    declared_positive: tuple = ()
    #: parameters set to zero in this sign case (their symbol no longer appears in the matrix)
    zero: tuple = ()
    #: the model's own observables, name -> operator text (``[observables]`` of a model file; the
    #: operator is parsed in this model's symbols by :meth:`observable_matrix`)
    observables: dict = field(default_factory=dict)

    def __post_init__(self):
        self.matrix = sp.Matrix(self.matrix)
        self.disorder = _disorder(self.disorder)
        self._validate()

    # ----------------------------------------------------------------- constructors
    @classmethod
    def from_string(cls, hamiltonian, parameters=None, *, name="model", negative=(), positive=(), disorder=None):
        """From a Hamiltonian string in Pauli matrices (or a 2x2 list of strings).

        ``parameters`` is a dict name -> numeric default (or a list of names); names listed in
        ``negative`` start as negative symbols, all others as positive ones; any parameter may still be
        given any real value (:meth:`sign_case`), except those listed in ``positive``, which the user
        declares positive (a value <= 0 is then an error). ``disorder`` is a :class:`~semiclassical.disorder.Disorder` (default: white noise, W = 0.01).
        """
        values = dict(parameters) if isinstance(parameters, dict) else {}
        names = list(parameters or [])
        for n in positive:
            if n not in names or n in negative:
                raise SemiclassicalError(f"positive=({n!r}, ...) names " + (
                    "a parameter that is also declared negative" if n in negative else
                    f"no parameter of the model (parameters: {', '.join(names) or 'none'})"))
        syms = {n: parsing.parameter_symbol(n, negative=n in negative) for n in names}
        mat = parsing.parse_hamiltonian(hamiltonian, syms)
        return cls(mat, syms, {n: float(v) for n, v in values.items()}, name,
                   _disorder(disorder), str(hamiltonian), declared_positive=tuple(positive))

    @classmethod
    def from_matrix(cls, matrix, values=None, *, name="model"):
        """From a SymPy 2x2 Matrix (or Pauli expression) in symbols named kx/ky (or k_x/k_y)."""
        if not isinstance(matrix, sp.MatrixBase):
            raise SemiclassicalError("from_matrix needs a SymPy Matrix; use from_string for text input")
        if matrix.shape != (2, 2):
            raise SemiclassicalError(
                f"the Hamiltonian must be a 2x2 matrix, got {matrix.shape[0]}x{matrix.shape[1]}: "
                "this toolkit treats two-band models"
            )
        repl, syms = {}, {}
        for s in matrix.free_symbols:
            if s.name in ("kx", "k_x"):
                repl[s] = kx
            elif s.name in ("ky", "k_y"):
                repl[s] = ky
            elif s.name == "hbar":
                repl[s] = hbar
            else:
                neg = bool(s.is_negative)
                new = parsing.parameter_symbol(s.name, negative=neg)
                repl[s] = new
                syms[s.name] = new
        values = {str(kk): float(v) for kk, v in (values or {}).items()}
        return cls(matrix.xreplace(repl), syms, values, name)

    @classmethod
    def from_toml(cls, path):
        """From a model file (docs/design.md section 4), read strictly: every section, key and value is
        checked against the one definition in :mod:`semiclassical.modelfile`; any mistake is one
        :class:`SemiclassicalError` line naming the file, the section and the key."""
        from .modelfile import load

        return load(path, cls)

    # ----------------------------------------------------------------- validation
    def _validate(self):
        from .modelfile import reserved_name_meaning

        for n in self.parameters:
            meaning = reserved_name_meaning(n)
            if meaning:
                raise SemiclassicalError(f"parameter name {n!r} is reserved: {n} is {meaning}; "
                                         f"rename the parameter (e.g. {n}0)")
        if self.matrix.shape != (2, 2):
            raise SemiclassicalError(
                f"the Hamiltonian must be 2x2, got {self.matrix.shape[0]}x{self.matrix.shape[1]}"
            )
        known = {kx, ky, hbar, *self.parameters.values()}
        unknown = self.matrix.free_symbols - known
        if unknown:
            names = ", ".join(sorted(s.name for s in unknown))
            raise SemiclassicalError(f"unknown symbol(s) {names} in the Hamiltonian: declare them as parameters")
        if not (self.matrix.free_symbols & {kx, ky}):
            raise SemiclassicalError("the Hamiltonian does not depend on kx or ky: there is no band structure")
        # powers of kx^2 + ky^2 become powers of the positive k, so that SymPy can conjugate them
        # (|k|^-1 in v (kx sy - ky sx)/k is real; conjugate(1/sqrt(kx^2 + ky^2)) does not simplify)
        kk = kx**2 + ky**2
        mat = self.matrix.replace(lambda x: x.is_Pow and x.base == kk, lambda x: k ** (2 * x.exp))
        anti = (mat - mat.H).applyfunc(lambda x: sp.simplify(sp.expand(x)))
        if any(x != 0 for x in anti):
            raise SemiclassicalError(
                "the Hamiltonian is not Hermitian for real momenta and parameters "
                f"(H - H^dagger has entry {next(x for x in anti if x != 0)}); check the off-diagonal terms"
            )
        if all(sp.expand(x) == 0 for x in self.d_vector[1:]):
            raise SemiclassicalError(
                "H is a multiple of the identity (d = 0 at every k): the two bands are degenerate everywhere, "
                "with no spin texture or Berry curvature; add a term in sx, sy or sz")

    # ----------------------------------------------------------------- decomposition
    @cached_property
    def d_vector(self) -> tuple[sp.Expr, sp.Expr, sp.Expr, sp.Expr]:
        """(d0, dx, dy, dz) with H = d0 s0 + d.sigma."""
        H = self.matrix
        d0 = sp.expand((H[0, 0] + H[1, 1]) / 2)
        dz = sp.expand((H[0, 0] - H[1, 1]) / 2)
        dx = sp.expand((H[0, 1] + H[1, 0]) / 2)
        dy = sp.expand(sp.I * (H[0, 1] - H[1, 0]) / 2)
        return d0, dx, dy, dz

    def polar(self, expr):
        """expr(kx, ky) in terms of k and u = e^{i theta}."""
        expr = sp.sympify(expr).xreplace({sp.sqrt(kx**2 + ky**2): k})
        return sp.expand(expr.subs({kx: k * (u + 1 / u) / 2, ky: k * (u - 1 / u) / (2 * sp.I)}))

    @cached_property
    def covariance(self) -> Covariance | None:
        """The polar form if the model is rotationally covariant, else None (see :attr:`why_not_covariant`)."""
        return self._covariance()[0]

    @property
    def why_not_covariant(self) -> str:
        return self._covariance()[1]

    @property
    def is_covariant(self) -> bool:
        return self.covariance is not None

    def _covariance(self):
        try:
            d0, dx, dy, dz = (self.polar(x) for x in self.d_vector)
            c0 = laurent_coefficients(d0, u)
            cz = laurent_coefficients(dz, u)
            ch = laurent_coefficients(self.polar(self.matrix[1, 0]), u)  # dx + i dy
        except ValueError:
            return None, "H is not a polynomial in e^{i theta} at fixed |k| (non-polynomial angular dependence)"
        if set(c0) - {0}:
            return None, f"d0 has angular harmonics {sorted(set(c0) - {0})} (anisotropic dispersion)"
        if set(cz) - {0}:
            return None, f"d_z has angular harmonics {sorted(set(cz) - {0})}"
        if len(ch) > 1:
            return None, f"d_x + i d_y mixes windings {sorted(ch)}"
        J, c = next(iter(ch.items())) if ch else (0, sp.Integer(0))
        re, im = (sp.simplify(x) for x in c.as_real_imag())
        if im == 0:
            phase, dperp = sp.Integer(1), re
        elif re == 0:
            phase, dperp = sp.I, im
        else:
            # a constant phase of the winding term (e.g. v k e^{-i phi}): |c| as d_perp and the
            # unimodular c/|c| as the phase, kept as simple as SymPy can write it (an exponential,
            # not the (1 - i tan phi)/sqrt(1 + tan^2 phi) of the ratio im/re, which made every later
            # polynomial step crawl)
            dperp = sp.simplify(sp.sqrt(sp.expand(re**2 + im**2)))
            phase = sp.simplify(sp.expand(c / dperp))
            if phase.has(k):
                return None, "the phase of d_x + i d_y varies with |k| (not supported in closed form)"
        return Covariance(J, phase, c0.get(0, sp.Integer(0)), cz.get(0, sp.Integer(0)), dperp), ""

    def require_covariant(self, what="this closed form"):
        if not self.is_covariant:
            raise SemiclassicalError(
                f"model {self.name!r} is not rotationally covariant ({self.why_not_covariant}); "
                f"{what} needs a covariant model; use the quadrature engine (semiclassical evaluate) instead"
            )
        return self.covariance

    # ----------------------------------------------------------------- energies
    @cached_property
    def energies(self) -> dict[int, sp.Expr]:
        """Band energies eps^{+-}(kx, ky) = d0 +- |d| (keys +1, -1)."""
        d0, dx, dy, dz = self.d_vector
        norm = sp.sqrt(sp.expand(dx**2 + dy**2 + dz**2))
        return {+1: d0 + norm, -1: d0 - norm}

    def radial_energy(self, band: int) -> sp.Expr:
        """eps^band(k) of a covariant model."""
        cov = self.require_covariant("a radial dispersion")
        return cov.d0 + band * cov.dnorm

    # ----------------------------------------------------------------- numbers
    @property
    def symbols(self) -> dict[str, sp.Symbol]:
        return {"hbar": hbar, **self.parameters}

    def resolve_values(self, overrides=None) -> dict[str, float]:
        """Parameter values: defaults updated by ``overrides``; hbar defaults to 1."""
        from .disorder import SHAPE_PARAMETERS

        vals = {"hbar": 1.0, **self.values}
        for n, v in (overrides or {}).items():
            if n not in self.parameters and n not in ("hbar", "e", "W", "eF", *SHAPE_PARAMETERS):
                close = [p for p in self.parameters if p.lower() == n.lower()]
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise SemiclassicalError(
                    f"unknown parameter {n!r}{hint}; model {self.name!r} has {', '.join(self.parameters) or 'none'}"
                    " plus hbar, e, eF and the disorder's W, d (gaussian), q_s (screened Coulomb)"
                )
            vals[n] = float(v)
        missing = [n for n in self.parameters if n not in vals]
        if missing:
            raise SemiclassicalError(
                f"missing value for parameter(s) {', '.join(missing)}; give them with --set NAME=VALUE"
                " or under [parameters] in the model file"
            )
        for n in self.declared_positive:
            if n in vals and vals[n] <= 0:
                raise SemiclassicalError(
                    f"parameter {n} = {vals[n]:g} must be positive (the model declares {n} positive); give a "
                    f"positive value, or remove {n} from [parameters] positive to allow any sign")
        return vals

    # ----------------------------------------------------------------- sign cases
    def sign_case(self, values: dict) -> "TwoBandModel":
        """This model with each parameter's symbol of the sign of its value in ``values``.

        Closed forms are derived with sign-definite symbols (SymPy writes sqrt(M**2) = M only for a
        positive M, and the half-angle eigenvectors need the sign of d_z and d_perp), so every sign
        pattern of the parameters is its own derivation: a parameter of the other sign gets a
        negative (or positive) symbol of the same name, a parameter set to zero is substituted in
        the matrix (a gapless model is then derived as such). Cached per sign pattern; the model
        itself when the pattern is its own (docs/design.md section 2, "sign cases").
        """
        pattern = tuple((n, _sign(values[n])) for n in self.parameters if n in values)
        own = tuple((n, 0 if n in self.zero else -1 if s.is_negative else 1)
                    for n, s in self.parameters.items() if n in values)
        if pattern == own:
            return self
        cases = self.__dict__.setdefault("_sign_cases", {})
        if pattern not in cases:
            cases[pattern] = self._build_case(dict(pattern), values)
        return cases[pattern]

    def _build_case(self, signs: dict, values: dict) -> "TwoBandModel":
        zero = tuple(n for n, s in signs.items() if s == 0)
        syms = {n: (sym if signs.get(n, 0) == 0 else parsing.parameter_symbol(n, negative=signs[n] < 0))
                for n, sym in self.parameters.items()}
        repl = {sym: (0 if n in zero else syms[n]) for n, sym in self.parameters.items() if n in signs}
        matrix = self.matrix.xreplace(repl).applyfunc(sp.expand)
        if matrix.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
            names = ", ".join(f"{n} = 0" for n in zero)
            raise SemiclassicalError(f"{names} makes the Hamiltonian singular (a division by zero in H); "
                                     "give a non-zero value")
        where = ", ".join(f"{n} = {values[n]:g}" for n in zero)
        try:
            return TwoBandModel(matrix, syms, dict(self.values), self.name, self.disorder, self.source,
                                self.magnetization, self.declared_positive, zero, dict(self.observables))
        except SemiclassicalError as exc:
            raise SemiclassicalError(f"with {where}: {exc}") from None

    def observable_matrix(self, name: str) -> sp.Matrix:
        """The operator of ``[observables] name`` in this model's symbols: a Hermitian 2x2 matrix in kx, ky.

        Parsed like the Hamiltonian (safe ``ast`` parser, same names and limits); a scalar is a
        multiple of the identity. Non-Hermitian operators are one clear error.
        """
        source = self.observables[name]
        try:
            expr = parsing.parse_expression(source, self.parameters) if not isinstance(source, (list, tuple)) \
                else parsing.parse_hamiltonian(source, self.parameters)
        except SemiclassicalError as exc:
            raise SemiclassicalError(f"[observables] {name}: {exc}") from None
        mat = sp.Matrix(expr) if isinstance(expr, sp.MatrixBase) else expr * sp.eye(2)
        mat = mat.xreplace({self.parameters[n]: 0 for n in self.zero})
        if mat.shape != (2, 2):
            raise SemiclassicalError(f"[observables] {name} must be a 2x2 operator, got {mat.shape[0]}x{mat.shape[1]}")
        if any(sp.expand(x) != 0 for x in mat - mat.H):
            raise SemiclassicalError(f"[observables] {name} = {source!r} is not Hermitian: an observable must "
                                     "equal its conjugate transpose (use real coefficients of s0, sx, sy, sz)")
        return mat

    @property
    def sign_description(self) -> str:
        """The sign case of this model's closed forms, e.g. ``v > 0, M < 0`` (``M = 0`` for a zero)."""
        parts = [f"{n} = 0" if n in self.zero else f"{n} {'<' if s.is_negative else '>'} 0"
                 for n, s in self.parameters.items()]
        return ", ".join(parts)

    def numeric(self, overrides=None, *, e=1.0, operators=None):
        """The :class:`~semiclassical.numeric_model.NumericModel` at a parameter point.

        ``operators``: observable key -> SymPy 2x2 operator O(kx, ky) in this model's symbols (the
        operator-valued observables of the problem, :mod:`semiclassical.observables`); lambdified
        with the same parameter values as H.
        """
        from .numeric_model import NumericModel

        vals = self.resolve_values(overrides)
        subs = {self.symbols[n]: v for n, v in vals.items() if n in self.symbols}
        ops = {key: sp.Matrix(m).subs(subs) for key, m in (operators or {}).items()}
        return NumericModel.from_sympy(self.matrix.subs(subs), kx, ky, {}, hbar=vals["hbar"], e=e,
                                       name=self.name, isotropic=self.is_covariant, operators=ops)

    def __repr__(self):
        return f"TwoBandModel({self.name!r}, H = {sp.sstr(self.matrix)})"

    def _repr_latex_(self):
        return f"$H = {sp.latex(self.matrix)}$"


def _sign(x: float) -> int:
    return 0 if x == 0 else (1 if x > 0 else -1)


def _disorder(value):
    """A :class:`~semiclassical.disorder.Disorder` from None (the default), a mapping or itself."""
    from .disorder import Disorder

    return Disorder.default() if value is None else Disorder.from_mapping(value)


def pauli_matrices():
    """(s0, sx, sy, sz) as SymPy matrices."""
    return PAULI["s0"], PAULI["sx"], PAULI["sy"], PAULI["sz"]
