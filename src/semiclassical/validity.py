"""Is the weak-disorder expansion applicable at this point? (docs/design.md section 3, "validity")

The theory expands in hbar/(tau Delta): the disorder broadening against the energy over which the
band structure near eF changes. Delta is the distance from eF to the nearest band feature — a band
extremum (edge, top of a Mexican hat, bottom of a ring), a band touching, or the band energy at
k = 0 (bottom, top or Dirac point). The broadening is bounded by the Born rate of the whole Fermi
surface,

    hbar/tau_m <= Gamma = 2 pi W rho(eF),   rho = sum_c k_c / (2 pi hbar |v_c|),   hbar v_c = d eps/dk,

(the golden rule of Eq. 30 with every overlap |<u_k|u_k'>|^2 <= 1; hbar cancels: Gamma = W sum_c
k_c / |d eps/dk|_c). The expansion is called applicable when Gamma <= VALIDITY_RATIO * Delta: the
neglected corrections are then of relative order 10 % or less. This is a statement, not a
correction: the numbers are the weak-disorder ones either way.

Covariant models only (the radial bands of :mod:`semiclassical.fermi_scan` give the features
exactly); for anisotropic models the assessment says it was not made.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from .fermi_scan import scan
from .model import k

__all__ = ["VALIDITY_RATIO", "Validity", "assess"]

#: Gamma <= VALIDITY_RATIO * Delta: the weak-disorder expansion is applicable
VALIDITY_RATIO = 0.1


@dataclass(frozen=True)
class Validity:
    """Gamma (the Born bound on hbar/tau), Delta (eF to the nearest band feature) and their verdict."""

    broadening: float | None
    distance: float | None
    feature: str
    applicable: bool | None

    @property
    def line(self) -> str:
        if self.applicable is None:
            return f"validity not assessed: {self.feature}"
        verdict = "applicable" if self.applicable else "NOT applicable"
        return (f"weak-disorder expansion {verdict}: hbar/tau <= 2 pi W rho = {self.broadening:.3g} against "
                f"{self.distance:.3g}, the distance from eF to the nearest band feature ({self.feature}); "
                f"criterion hbar/tau <= {VALIDITY_RATIO:g} x distance")

    def as_dict(self) -> dict:
        return {"applicable": self.applicable, "hbar_over_tau_bound": self.broadening,
                "distance_to_band_feature": self.distance, "nearest_feature": self.feature,
                "criterion": f"2 pi W rho(eF) <= {VALIDITY_RATIO:g} x distance (docs/design.md section 3)"}


def assess(model, values: dict, W: float) -> Validity:
    """The validity of the expansion for ``model`` at ``values`` (with eF) and disorder strength W (for
    correlated or magnetic disorder its bound on the Born weight, :attr:`Disorder.scattering_bound`)."""
    cov = model.covariance
    if cov is None:
        return Validity(None, None, "the model is not rotationally covariant (no radial bands)", None)
    subs = {s: values[n] for n, s in model.symbols.items() if n in values}
    d0 = sp.sympify(cov.d0).xreplace(subs)
    dnorm2 = sp.expand(sp.sympify(cov.dperp**2 + cov.dz**2).xreplace(subs))
    energy = float(values["eF"])
    bands = scan(d0, dnorm2, energy)
    slope = sp.lambdify(k, [sp.diff(d0 + m * sp.sqrt(dnorm2), k) for m in (1, -1)], "numpy")
    gamma = W * sum(kc / abs(float(slope(kc)[0 if m > 0 else 1])) for m, _, kc in bands.circles)
    f0, f2 = sp.lambdify(k, d0, "numpy"), sp.lambdify(k, dnorm2, "numpy")
    features = [(float(f0(0.0)) + m * float(np.sqrt(max(float(f2(0.0)), 0.0))),
                 f"band {m:+d} at k = 0") for m in (1, -1)]
    features += [(e, f"extremum of band {m:+d} at k = {x:.4g}") for m, ext in bands.extrema.items() for x, e in ext]
    e_near, what = min(features, key=lambda f: abs(f[0] - energy))
    distance = abs(e_near - energy)
    if not bands.circles:
        return Validity(0.0, distance, f"{what}, eps = {e_near:.6g}; no Fermi circle", True)
    return Validity(gamma, distance, f"{what}, eps = {e_near:.6g}", gamma <= VALIDITY_RATIO * distance)
