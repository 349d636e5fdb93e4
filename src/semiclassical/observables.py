"""The observable registry: what the engines are asked for, entered once (docs/design.md, "Observables").

An :class:`Observable` is data: the response of one component of a k-local operator to E = E_x xhat,
its pieces in the paper's counting (one 1/W piece, the W^0 pieces that add up to ``total``), and the
equations that define them. Every engine answers with a value per registered observable and piece
(``None`` where it does not compute that piece), so the result type, the JSON, the text output, the
comparison of engines and the figures are written once, over the registry.

The operator families an engine must know (the physics of each engine stays its own):

- ``"current"``: the charge current j = -e v, v = (1/hbar) dH/dk, component ``component`` (x = 0, y = 1);
  sigma_{a x} = j_a / E_x (Eq. 52). Its interband field is the Berry connection R^{mn}
  (v^{mn} = (i/hbar)(eps^m - eps^n) R^{mn}), whose disorder dressing is beta (Eq. 47); its Fermi-sea
  piece is the Berry-curvature term (Eq. 72).
- ``"spin"``: the spin density <sigma_a> per unit area and unit E_x (Pauli matrices, no hbar/2;
  Eq. 63). Its interband field is T (Eq. 56), dressed into gamma (Eq. 61); its sea piece is s^int
  (Eq. 57).

- ``"operator"``: any k-local Hermitian 2x2 operator O(k) (the spin current of the spin Hall effect,
  a user's ``[observables]`` entry), given as data: ``operator(model)`` returns the SymPy matrix
  O(kx, ky) in the model's own symbols. Its band-diagonal weight is O^{mm}, its interband field
  T_O^{mn} = hbar O^{mn} / (i (eps^m - eps^n)) (Eq. 56 with sigma -> O), dressed like gamma (Eq. 61);
  its sea piece is (i e/hbar)[T_O, E.R]^{mm} (Eq. 57). The spin density is this family with the
  constant operator sigma_a (its ``operator`` is given too); the current keeps its own family because
  its interband field is the Berry connection itself (T_v = R).

A new observable is one :func:`register` call (or one ``[observables]`` line of a model file) and
its tests; every engine reads the operator from the observable.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy as sp

__all__ = ["Observable", "REGISTRY", "W0_PIECES", "USER_PREFIX", "register", "get", "pieces_of",
           "spin_current", "user_observable", "operator_matrix"]

#: key prefix of a model's own observables (``[observables] name = "..."``): ``observables.<name>``
USER_PREFIX = "observables."

#: the W^0 pieces in the paper's counting, summed into ``total`` (docs/design.md section 3, Eqs. 52, 63)
W0_PIECES = ("intrinsic", "extrinsic", "side_jump", "skew")


@dataclass(frozen=True)
class Observable:
    """One component of one operator's response, per unit E_x.

    ``key``: the dotted JSON path (``"sigma_yx"``, ``"spin_density.x"``); ``family``: ``"current"``,
    ``"spin"`` or ``"operator"``; ``component``: Cartesian index (x = 0, y = 1, z = 2) of the
    current or spin, the direction of the flow for a spin current; ``leading``: the name of the 1/W
    piece (``"drude"``, ``"edelstein"``, ``"leading"``); ``equations``: piece -> paper equation (TI
    example); ``operator``: model -> the SymPy 2x2 operator O(kx, ky) (families "spin", "operator").
    """

    key: str
    family: str
    component: int
    leading: str
    symbol: str
    description: str
    equations: tuple = ()
    operator: Callable | None = None

    @property
    def pieces(self) -> tuple[str, ...]:
        """Every piece an engine may report: the 1/W piece, the W^0 pieces and their total."""
        return (self.leading, *W0_PIECES, "total")

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.key.split("."))

    def equation(self, piece: str) -> str:
        return dict(self.equations).get(piece, "")


REGISTRY: dict[str, Observable] = {}


def register(obs: Observable) -> Observable:
    """Add an observable to the registry (its key must be new)."""
    if obs.key in REGISTRY:
        raise ValueError(f"observable {obs.key!r} is registered already")
    REGISTRY[obs.key] = obs
    return obs


def get(key: str, model=None) -> Observable:
    """The observable ``key``: a registered one, or ``observables.<name>`` of ``model``'s own.

    Without a model a user key still has its structure (pieces, leading name), not its operator.
    """
    from .errors import SemiclassicalError

    if key in REGISTRY:
        return REGISTRY[key]
    if key.startswith(USER_PREFIX):
        name = key[len(USER_PREFIX):]
        if model is None:
            return user_observable(name, None)
        own = getattr(model, "observables", {}) or {}
        if name in own:
            return user_observable(name, own[name])
        raise SemiclassicalError(f"unknown observable {key!r}: the model defines "
                                 f"{', '.join(USER_PREFIX + n for n in own) or 'no observables'} "
                                 "(add it under [observables] in the model file)")
    raise SemiclassicalError(f"unknown observable {key!r}: registered are {', '.join(REGISTRY)}, and "
                             f"{USER_PREFIX}<name> for a model file's [observables]")


def pieces_of(key: str) -> tuple[str, ...]:
    return get(key).pieces


def operator_matrix(obs: Observable, model) -> sp.Matrix:
    """O(kx, ky) of an operator-valued observable for ``model`` (in the model's own symbols)."""
    if obs.operator is None:
        raise ValueError(f"{obs.key} has no operator (family {obs.family!r})")
    return sp.Matrix(obs.operator(model))


def _pauli(axis: int) -> sp.Matrix:
    from .parsing import PAULI

    return PAULI[("sx", "sy", "sz")[axis]]


def _spin_operator(axis: int):
    def build(model):
        return _pauli(axis)
    build.__doc__ = f"sigma_{'xyz'[axis]} (Pauli, no hbar/2: the paper's Eqs. 88-89)"
    return build


def spin_current(axis: int, direction: int):
    """The conventional spin current j^a_i = (1/2){(hbar/2) sigma_a, v_i}, v_i = (1/hbar) dH/dk_i.

    Returns model -> (1/4){sigma_a, dH/dk_i} (hbar cancels): the operator whose response to E_x is the
    spin Hall conductivity sigma^a_{ix} = j^a_i / E_x (Sinova et al., PRL 92, 126603 (2004)). The
    definition is the conventional one, not the conserved spin current of Shi et al. (2006).
    """
    from .parsing import kx, ky

    def build(model):
        dh = model.matrix.diff((kx, ky)[direction])
        s = _pauli(axis)
        return (s * dh + dh * s) / 4
    return build


def user_observable(name: str, source) -> Observable:
    """The observable ``observables.<name>`` of a model file (``source``: the operator's text)."""
    def build(model):
        return model.observable_matrix(name)
    return Observable(USER_PREFIX + name, "operator", 0, "leading", rf"\langle {name} \rangle",
                      f"<{name}> per unit area and unit E_x, {name} = {source}",
                      operator=build if source is not None else None)


register(Observable("sigma_yx", "current", 1, "drude", r"\sigma_{yx}", "anomalous Hall conductivity j_y/E_x",
                    (("intrinsic", "74"), ("extrinsic", "78"), ("side_jump", "82"), ("skew", "85"),
                     ("total", "86"))))
register(Observable("sigma_xx", "current", 0, "drude", r"\sigma_{xx}", "longitudinal conductivity j_x/E_x",
                    (("drude", "76"),)))
for _i, _axis in enumerate("xyz"):
    register(Observable(f"spin_density.{_axis}", "spin", _i, "edelstein", rf"\langle\sigma_{_axis}\rangle",
                        f"current-induced spin density <sigma_{_axis}> per unit area and unit E_x",
                        (("intrinsic", "96"), ("extrinsic", "99"), ("side_jump", "101"),
                         ("skew", "103"), ("total", "104")) if _axis == "x" else
                        (("edelstein", "90"),) if _axis == "y" else (), operator=_spin_operator(_i)))
for _axis in "xyz":
    # derived from the spin density by every engine alike (semiclassical.torque.add_torque)
    register(Observable(f"torque.{_axis}", "torque", "xyz".index(_axis), "edelstein", rf"T_{_axis}",
                        f"spin-orbit torque T_{_axis} = J (m x <sigma>)_{_axis} per unit area and unit E_x",
                        (("edelstein", "105"), ("total", "104-105"))))
for _i, _axis in enumerate("xyz"):
    register(Observable(f"spin_hall.{_axis}", "operator", 1, "drude", rf"\sigma^{{{_axis}}}_{{yx}}",
                        f"spin Hall conductivity j^{_axis}_y/E_x, j^{_axis}_y = (1/2){{(hbar/2) sigma_{_axis}, v_y}}",
                        operator=spin_current(_i, 1)))
