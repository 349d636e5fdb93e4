"""The one registry of skew-scattering readings, shared by every engine and the command line.

A *reading* names how the driving term J_sk of Eq. 35 is built (docs/skew_scattering.md):

* ``"T"`` (the default): the golden rule with the fourth-order non-crossing T-matrix, on the Fermi
  shell only (:mod:`.golden_rule`; quadrature: ``golden_rule_source``);
* ``"C"``: the paper's route, the interband coherence S' of Eqs. 31-33 under the collision integral
  in the static Markov form (the exact steady state of Eq. 16); reproduces Eqs. 84, 85, 103 and
  puts part of J_sk on mirror shells (:mod:`.paper_route`);
* ``"B"``: the same route with the rotating Markov form of Eq. 17 as printed (one third of
  Eqs. 84-85 for the TI).

This module holds names, notes and the validator only (no SymPy, no numpy), so that the numeric
quadrature engine and the CLI can import it without the symbolic machinery; each engine keeps its
own physics. The audit readings of Eq. 36 (A, B36, C36) are not readings of the toolkit: they live
in the tests (``tests/skew_audit.py``).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import SemiclassicalError

__all__ = ["Reading", "READINGS", "DEFAULT_READING", "MIRROR_READINGS", "GOLDEN_RULE", "PAPER_ROUTE",
           "check_reading", "reading_help"]

#: route of the golden rule (Fermi shell only) and of the paper's density-matrix route
GOLDEN_RULE, PAPER_ROUTE = "golden-rule", "paper"


@dataclass(frozen=True)
class Reading:
    """One skew-scattering reading.

    ``route``: :data:`GOLDEN_RULE` or :data:`PAPER_ROUTE`; ``markov``: the Markov form of the
    collision integral acting on S' ("static" = steady state of Eq. 16, "rotating" = Eq. 17 as
    printed; None for the golden rule); ``note``: one line, recorded by the quadrature engine in
    ``meta["skew_reading_note"]``; ``summary``: the short phrase of the CLI help and of the
    validator's message; ``mirrors``: whether J_sk has parts on mirror shells (energies
    other than eF), which the closed-form pipeline must then locate (:class:`.paper_route.MirrorShells`).
    """

    name: str
    route: str
    markov: str | None
    note: str
    summary: str

    @property
    def mirrors(self) -> bool:
        return self.route == PAPER_ROUTE


#: reading name -> :class:`Reading`; the order is the order of the CLI's choices
READINGS = {r.name: r for r in (
    Reading("T", GOLDEN_RULE, None,
            "golden rule with the fourth-order non-crossing T-matrix (self-energy insertions on both "
            "legs + ladder with a virtual interband partner, 1/(eps^c - eps^cbar)); n^sk on the Fermi "
            "shell only; reproduces the Kubo-Streda NCA totals",
            "golden rule with the fourth-order non-crossing T-matrix (default; agrees with Kubo-Streda)"),
    Reading("C", PAPER_ROUTE, "static",
            "collision integral on the coherence S' in the static Markov form (steady state of "
            "Eq. 16); n^sk also on mirror shells at eps^cbar(k_F); equals T for d0 = const",
            "the paper's route through the interband coherence S' (Eqs. 31-36, with mirror shells)"),
    Reading("B", PAPER_ROUTE, "rotating",
            "collision integral on S' in the rotating form of Eq. 17 as printed (1/3 of C for the TI)",
            "C with the rotating Markov form of Eq. 17"),
)}
#: the project default: the golden rule, which agrees with the Kubo-Streda engine for every model
#: and gives the paper's Eqs. 85 and 103 for the TI
DEFAULT_READING = "T"
#: readings whose J_sk has parts on mirror shells: all but the golden rule
MIRROR_READINGS = tuple(name for name, r in READINGS.items() if r.mirrors)


def _summaries() -> str:
    return ", ".join(f"{n} = {r.summary}" for n, r in READINGS.items())


def reading_help() -> str:
    """The help of the CLI's ``--skew-reading``: each reading's summary."""
    return "skew scattering: " + _summaries()


def check_reading(name) -> str:
    """Validate a reading name (case-sensitive); returns it, or raises one clear line.

    The one validator of every engine: the closed forms (:class:`semiclassical.derivation.Derivation`,
    :func:`.pipeline.skew_driving`) and the quadrature engine (``skew_reading=``).
    """
    if not isinstance(name, str) or name not in READINGS:
        raise SemiclassicalError(f"skew_reading {name!r} is an unknown reading: use one of "
                                 f"{', '.join(map(repr, READINGS))} ({_summaries()})")
    return name
