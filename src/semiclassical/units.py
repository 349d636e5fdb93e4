"""The one unit convention of every output (docs/design.md sections 3-4; issue 13 item 7).

Numbers are in the natural units built from the parameters as given: hbar and e are parameters
(default 1), so sigma comes out in e^2/hbar -- never e^2/h (= (e^2/hbar)/(2 pi)) -- and the spin
density <sigma_i> (Pauli matrices, no hbar/2) per unit area per unit E_x. Every output (evaluate's
table and JSON, derive's document, map.json, the reproduction report and figures) states it with
:func:`statement`.
"""
from __future__ import annotations

__all__ = ["SIGMA_UNIT", "statement"]

#: the unit of every conductivity the toolkit prints
SIGMA_UNIT = "e^2/hbar"


def statement(hbar: float | None = None, e: float | None = None) -> str:
    """One line saying in which units the numbers are (with the values of hbar and e when known)."""
    given = "" if hbar is None else f" (hbar = {hbar:g}, e = {1.0 if e is None else e:g})"
    return (f"units: those of the parameters{given}; conductivities in {SIGMA_UNIT} (e^2/h = {SIGMA_UNIT}/(2 pi)); "
            "spin densities <sigma_i> (Pauli, no hbar/2) per unit area per unit E_x")
