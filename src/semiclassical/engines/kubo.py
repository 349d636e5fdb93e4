"""The Kubo-Streda engine behind the engine interface: :func:`semiclassical.kubo.kubo_response`.

Non-crossing approximation for the problem's disorder (white noise; magnetic point impurities
u0 + u_m n.sigma, any moments, any model; or a scalar correlated kernel W(|k - k'|) for rotationally
covariant models), extrapolated W -> 0 with W_m/W fixed (see :mod:`semiclassical.kubo`). Every observable of the problem
is answered: the current, the spin density and each operator observable (spin_hall.<a>,
observables.<name>) as chi(O, J_x) on every disorder path; an unbounded operator whose sea or ladder
term diverges is one clear error (:mod:`semiclassical.kubo.operators`).
It does not split its W^0 total into the semiclassical pieces: those are ``None``; its own split
(bare Fermi-surface bubbles, ladder vertex correction, Fermi sea) is in ``meta["pieces"]``. The W^0
total of an observable that also has a 1/W piece is not fixed at the Born/NCA level
(``scheme_dependent``; docstring of :mod:`semiclassical.kubo.engine`).
"""
from __future__ import annotations

import math
import time

from .. import observables
from ..errors import SemiclassicalError
from .base import Engine, register_engine
from .problem import Problem
from .result import Response, from_tree

__all__ = ["KuboStreda"]

_OWN_PIECES = ("fermi_surface", "ladder", "fermi_sea")


class KuboStreda(Engine):
    """Diagrammatic linear response (Kubo-Streda, NCA ladder), the W^0 and 1/W coefficients."""

    name = "kubo"
    title = "Kubo-Streda"
    relative_tolerance = 1e-8
    correlated_disorder = True     # Gamma(k) and the ladder with W(|k - k'|) in angular harmonics (kubo.kernel)
    #: point impurities u0 + u_m n.sigma: the rung map M on the constant-vertex path (kubo.impurities),
    #: any model and any moments (in-plane "x" ones too: the constant vertex needs no covariance)
    magnetic_disorder = True
    crossed_piece = "crossed"      # the X and Psi diagrams (engines/crossed.py)
    #: the kernel's angular sums (Gamma(k), the harmonics W_l) must settle to this relative change
    KERNEL_TOL = 1e-9

    def unavailable(self, problem: Problem) -> str | None:
        why = super().unavailable(problem)
        d = problem.disorder
        # only a q-dependent kernel needs angular harmonics; magnetic impurities are point-like
        if why is None and not (d.is_white_noise or d.is_magnetic) and not problem.model.is_covariant:
            return (f"it takes {d.describe()} for rotationally covariant models only (the ladder is "
                    "solved in angular harmonics)")
        return why

    def crossed_pieces(self, problem: Problem):
        from .crossed import kubo_crossed_pieces

        return kubo_crossed_pieces(problem)

    def evaluate(self, problem: Problem) -> Response:
        from ..kubo import kubo_response
        from .result import _pick

        t0 = time.perf_counter()
        r = kubo_response(problem.numeric_model, problem.eF, problem.W, disorder=problem.disorder)
        m = r["meta"]
        declined = r.get("declined", {})
        asked = [o for o in problem.observables if o != "sigma_xx"]
        if asked and all(o in declined for o in asked):   # nothing asked is left: the reason, in one line
            raise SemiclassicalError(next(iter(declined.values())))
        values = from_tree(r, problem.observables)
        errors = from_tree(r["extrapolation_error"], problem.observables)
        pieces = {key: {p: float(_pick(r, tuple(key.split(".")))[p]) for p in _OWN_PIECES}
                  for key in values if key != "sigma_xx"}
        meta = {"pieces": pieces, "W": float(problem.W), "W_ladder": [float(w) for w in m["W_ladder"]],
                "converged": bool(m["theta_converged"]), "n_theta": int(m["n_theta"]),
                "seconds": time.perf_counter() - t0, "method": m["method"]}
        doubts = []
        # an estimate that is not a number (from_tree makes it None, which `compare` reads as no error
        # at all) must not pass silently as an exact value (profile case 432 before its fix)
        lost = [f"{key}.{p}" for key in errors
                if (sub := _pick(r["extrapolation_error"], observables.get(key).path)) is not None
                for p, x in sub.items() if x is not None and not math.isfinite(float(x))]
        if lost:
            doubts.append(f"error estimate not finite for {', '.join(lost)}: those numbers are unchecked")
        if not meta["converged"]:
            doubts.append(f"angular integration not converged with {m['n_theta']} angles (last relative "
                          f"change {m['theta_change']:.1e}); error estimates may be low")
        # a correlated kernel's angular sums are capped (a screened Coulomb cusp at q = 0 converges
        # like 1/N^2): their last change bounds what the error estimates do not contain
        kernel_change = max([max(x.get("gamma_change", 0.0), x.get("phi_change", 0.0))
                             for x in m.get("ladder_info", []) if isinstance(x, dict)], default=0.0)
        if kernel_change > self.KERNEL_TOL:
            doubts.append(f"the disorder kernel's angular sums settled only to {kernel_change:.1e} (relative); "
                          "error estimates do not include that")
        meta["kernel_change"] = kernel_change
        return Response(self.name, values, errors, meta=meta, doubts=doubts,
                        notes=[f"{key}: {why}" for key, why in declined.items()],
                        scheme_dependent=tuple(m["scheme_dependent"]))


register_engine(KuboStreda())
