"""The one input of every engine: a model, a disorder, a parameter point, the observables.

A :class:`Problem` is what ``semiclassical evaluate`` asks each engine (closed form, quadrature,
Kubo-Streda): the same object, validated once, so that a new physics input (a disorder, a
temperature, an observable) enters here and reaches every engine (docs/design.md, "Engines").
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

from .. import observables
from ..disorder import DEFAULT_W, SHAPE_PARAMETERS, Disorder
from ..errors import SemiclassicalError
from ..model import TwoBandModel

__all__ = ["Problem", "DEFAULT_OBSERVABLES", "EVALUATE_OBSERVABLES"]

#: what a Problem asks unless told otherwise (with the model's own observables)
DEFAULT_OBSERVABLES = ("sigma_yx", "sigma_xx", "spin_density.x", "spin_density.y", "spin_density.z")
#: what `semiclassical evaluate` asks: those and the spin Hall conductivities (issue 15)
EVALUATE_OBSERVABLES = (*DEFAULT_OBSERVABLES, "spin_hall.x", "spin_hall.y", "spin_hall.z")


#: magnitudes a non-zero value may take (docs/design.md section 4, limits): squares and products of
#: the values must stay far inside double precision (1e-308 .. 1e308)
VALUE_RANGE = (1e-100, 1e100)


def _model_disorder(model: TwoBandModel) -> Disorder:
    d = model.disorder
    if isinstance(d, Disorder):
        return d
    # a plain mapping (older callers): {"type": ..., "W": ...}
    d = dict(d or {})
    defaulted = () if "W" in d else ("W",)
    return Disorder(d.get("type", "white-noise"), float(d.get("W", DEFAULT_W)), {}, defaulted)


@dataclass(frozen=True)
class Problem:
    """Model + disorder + point (eF, every parameter, hbar) + charge e + observables + skew reading.

    Build it with :meth:`at`, which validates the numbers; ``values`` holds eF and every
    parameter of the model (hbar included); ``e`` is the charge magnitude.
    """

    model: TwoBandModel
    values: dict
    disorder: Disorder = field(default_factory=Disorder)
    e: float = 1.0
    observables: tuple[str, ...] = DEFAULT_OBSERVABLES
    skew_reading: str = "T"
    #: the magnetization direction m of a model with an exchange term J m.sigma (``theta_m``,
    #: ``phi_m``; :mod:`semiclassical.torque`): the torque J m x <sigma> of every engine uses it
    magnetization_direction: tuple = (0.0, 0.0, 1.0)
    #: temperature (k_B = 1, energy units of eF; eF is then the chemical potential): T > 0 makes every
    #: engine answer through :mod:`semiclassical.engines.thermal` (docs/temperature.md)
    T: float = 0.0
    #: also the crossed (pair) contributions of sigma_yx and <sigma_x> (issue 17, engines/crossed.py)
    crossed: bool = False

    @classmethod
    def at(cls, model: TwoBandModel, sets: dict, *, skew_reading: str = "T",
           observables_: tuple[str, ...] | None = None, crossed: bool = False) -> "Problem":
        """The problem of ``model`` at the point ``sets`` (NAME -> value; eF, W, e, hbar, T and parameters).

        ``W`` given here overrides the model's disorder strength; ``e`` defaults to 1, ``hbar`` to 1.
        ``crossed``: also the crossed (pair) pieces (:mod:`.crossed`; white noise, covariant models, T = 0).
        ``observables_``: keys of the registry or ``observables.<name>`` of the model's own; by default
        :data:`DEFAULT_OBSERVABLES` and the model's own observables.
        """
        if observables_ is None:
            observables_ = (*DEFAULT_OBSERVABLES, *(observables.USER_PREFIX + n for n in model.observables))
        from .. import torque

        sets = dict(sets)
        words = {n: sets.pop(n) for n in ("moments",) if n in sets}      # --set moments=random
        angles = {n: float(sets.pop(n)) for n in torque.ANGLES if n in sets}
        if angles:
            # the magnetization direction: the exchange term J sz turned to J m.sigma (torque.tilted)
            for n, v in angles.items():
                if not math.isfinite(v):
                    raise SemiclassicalError(f"{n} = {v} is not a finite number: give an angle in radians")
            model = torque.tilted(model, angles.get("theta_m", 0.0), angles.get("phi_m", 0.0))
        for name, v in sets.items():
            if not math.isfinite(float(v)):
                raise SemiclassicalError(f"{name} = {v} is not a finite number: give a finite value")
            if v != 0 and not VALUE_RANGE[0] <= abs(float(v)) <= VALUE_RANGE[1]:
                raise SemiclassicalError(
                    f"{name} = {v:g} is outside the accepted magnitudes {VALUE_RANGE[0]:g} to {VALUE_RANGE[1]:g} "
                    "(or 0): the engines square and multiply values in double precision; use units in which "
                    "the values are of order 1")
        T = float(sets.pop("T", 0.0))    # not a model parameter (a reserved name: modelfile.RESERVED_QUANTITIES)
        if T < 0:
            raise SemiclassicalError(f"T = {T:g} is negative: the temperature (k_B = 1, in the units of eF) is >= 0")
        values = model.resolve_values(sets)
        if "eF" not in values:
            raise SemiclassicalError("the Fermi energy is missing: add --set eF=VALUE")
        disorder = _model_disorder(model)
        given = {n: values.pop(n) for n in ("W", *SHAPE_PARAMETERS) if n in values} | words
        if given:
            try:
                disorder = disorder.override(**given)
            except SemiclassicalError as exc:
                raise SemiclassicalError(f"{exc} (the model's disorder: {disorder.describe()}; set another "
                                         "type under [disorder] in a model file)") from None
        if not disorder.W > 0:
            raise SemiclassicalError(f"W = {disorder.W} must be positive (W = n_i u0^2, the white-noise strength)")
        e = float(values.pop("e", 1.0))
        for name, v in (("e", e), ("hbar", values["hbar"])):
            if not v > 0:
                raise SemiclassicalError(f"{name} = {v} must be positive ({name} is a magnitude)")
        for key in observables_:
            observables.get(key, model)
        model.sign_case(values)   # a parameter at zero that makes H singular or k-independent: one clear line
        m = torque.direction(angles.get("theta_m", 0.0), angles.get("phi_m", 0.0))
        if crossed:
            from .crossed import refusal

            why = refusal(model, disorder, T)
            if why:
                raise SemiclassicalError(why)
        return cls(model, values, disorder, e, tuple(observables_), skew_reading, m, T, crossed)

    @property
    def eF(self) -> float:
        return float(self.values["eF"])

    @property
    def W(self) -> float:
        return float(self.disorder.W)

    @property
    def parameters(self) -> dict:
        """Every value used (parameters, hbar, eF) plus W, e and T (and the magnetization angles when
        tilted): the ``parameters`` echo of the JSON."""
        out = {**self.values, "W": self.W, "e": self.e, "T": self.T}
        mx, my, mz = self.magnetization_direction
        if (mx, my, mz) != (0.0, 0.0, 1.0):
            out.update(theta_m=math.acos(max(-1.0, min(1.0, mz))), phi_m=math.atan2(my, mx))
        return out

    def observable(self, key: str) -> observables.Observable:
        """The observable ``key`` of this problem (a registered one or the model's own)."""
        return observables.get(key, self.model)

    @property
    def operator_observables(self) -> tuple[str, ...]:
        """The keys of the operator-valued observables asked for (family "operator")."""
        return tuple(k for k in self.observables if self.observable(k).family == "operator")

    @cached_property
    def numeric_model(self):
        """H(k), dH/dk and the operators of the operator-valued observables as numbers at this point:
        the only model input of the numeric engines (``NumericModel.operators``, keyed by observable)."""
        model = self.model.sign_case(self.values)
        ops = {key: observables.operator_matrix(self.observable(key), model) for key in self.operator_observables}
        return model.numeric(self.values, e=self.e, operators=ops)

    def require_white_noise(self, engine: str):
        if not self.disorder.is_white_noise:
            raise SemiclassicalError(f"the {engine} engine supports white-noise disorder only, "
                                     f"not {self.disorder.describe()}")
