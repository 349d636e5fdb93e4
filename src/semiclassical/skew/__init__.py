"""Skew scattering: the driving term J_sk -> n^sk -> current and spin density (Eqs. 31-36, 83-85, 102-103).

The main path is the golden rule ("T", the default, :mod:`.golden_rule`): the antisymmetric part of
the fourth-order non-crossing T-matrix rate between Fermi-shell states, which agrees with the
Kubo-Streda engine for every model and gives the paper's Eqs. 85 and 103 for the TI. The paper's
own route ("C", and "B" with the rotating Markov form of Eq. 17; :mod:`.paper_route`) goes through
the interband coherence S' of Eqs. 31-33 and puts half of its driving term on mirror shells; it
reproduces Eqs. 84, 85 and 103 as printed and is what ``reproduce`` and the errata use. Both sit
behind one interface (:mod:`.pipeline`) and one registry of names (:mod:`.readings`), which the
quadrature engine, ``Derivation`` and the CLI share. Derivations: docs/skew_scattering.md.

Modules: :mod:`.readings` (names, notes, validator), :mod:`.common` (shells, averages, result
types, J0 solve), :mod:`.golden_rule`, :mod:`.paper_route` (mirror shells, Born collision
integral, D', S'), :mod:`.pipeline` (skew_driving, skew_distribution, skew_current,
skew_spin_density).

Only :mod:`.readings` is imported eagerly: the quadrature engine validates reading names through it
and must stay free of SymPy; every other name below is loaded on first use (PEP 562).
"""
from __future__ import annotations

import importlib

from .readings import DEFAULT_READING, MIRROR_READINGS, READINGS, Reading, check_reading

#: public name -> submodule that defines it (loaded on first access)
_LAZY = {
    **dict.fromkeys(("skew_driving", "skew_distribution", "skew_current", "skew_spin_density"), "pipeline"),
    **dict.fromkeys(("FERMI", "CirclePiece", "SkewField", "band_velocity_y", "leading_placeholders",
                     "solve_driving", "solve_shell"), "common"),
    "golden_rule_driving": "golden_rule",
    **dict.fromkeys(("Mirror", "MirrorCircle", "MirrorShells", "anomalous_driving", "born_collision",
                     "coherence_driving", "interband_coherence", "mirror_circle_values", "mirror_shells",
                     "mirror_spec"), "paper_route"),
}

__all__ = ["DEFAULT_READING", "MIRROR_READINGS", "READINGS", "Reading", "check_reading", *_LAZY]


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
