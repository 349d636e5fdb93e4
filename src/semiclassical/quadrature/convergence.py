"""The convergence table of the quadrature engine: every piece at a fixed list of angle counts N.

Shows the spectral convergence of the periodic trapezoid rule (docs/anisotropic_convergence.md) without
the engine's adaptivity (:func:`.response.evaluate` with ``n_theta`` fixed).
"""
from __future__ import annotations

from ..numeric_model import NumericModel
from .response import evaluate
from .subleading import DEFAULT_SKEW_READING

__all__ = ["convergence_table"]


def convergence_table(model: NumericModel, eF: float, W: float, n_values=(8, 16, 32, 64, 128), *,
                      gauge_seed: int | None = 0, kmax: float | None = None, sea: bool = False,
                      skew_reading: str = DEFAULT_SKEW_READING, disorder=None) -> list[dict]:
    """One row per angle count N: every piece of sigma_yx, sigma_xx, <s> at that N (no adaptivity).

    Shows the spectral convergence of the periodic trapezoid rule for anisotropic models. Each row
    also records ``n_nodes`` (Fermi-contour nodes) and ``skew_reading`` (default "T").
    """
    rows = []
    for n in n_values:
        res = evaluate(model, eF, W, n_theta=int(n), gauge_seed=gauge_seed, kmax=kmax, sea=sea,
                       skew_reading=skew_reading, disorder=disorder)
        row = {"n_theta": int(n), "n_nodes": res["meta"]["n_nodes"], "skew_reading": skew_reading}
        for name in ("sigma_yx", "sigma_xx"):
            for key, val in res[name].items():
                row[f"{name}.{key}"] = val
        for comp, mp in res["spin_density"].items():
            for key, val in mp.items():
                row[f"spin_{comp}.{key}"] = val
        rows.append(row)
    return rows
