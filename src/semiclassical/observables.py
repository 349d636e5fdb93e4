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

A new observable of an existing family is one :func:`register` call (and its tests); a new family
(the spin current of the spin Hall effect, a user's operator) adds its operator to each engine.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Observable", "REGISTRY", "W0_PIECES", "register", "get", "pieces_of"]

#: the W^0 pieces in the paper's counting, summed into ``total`` (docs/design.md section 3, Eqs. 52, 63)
W0_PIECES = ("intrinsic", "extrinsic", "side_jump", "skew")


@dataclass(frozen=True)
class Observable:
    """One component of one operator's response, per unit E_x.

    ``key``: the dotted JSON path (``"sigma_yx"``, ``"spin_density.x"``); ``family``: ``"current"`` or
    ``"spin"``; ``component``: Cartesian index (x = 0, y = 1, z = 2); ``leading``: the name of the
    1/W piece (``"drude"``, ``"edelstein"``); ``equations``: piece -> paper equation (TI example).
    """

    key: str
    family: str
    component: int
    leading: str
    symbol: str
    description: str
    equations: tuple = ()

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


def get(key: str) -> Observable:
    from .errors import SemiclassicalError

    try:
        return REGISTRY[key]
    except KeyError:
        raise SemiclassicalError(f"unknown observable {key!r}: registered are {', '.join(REGISTRY)}") from None


def pieces_of(key: str) -> tuple[str, ...]:
    return get(key).pieces


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
                        (("edelstein", "90"),) if _axis == "y" else ()))
