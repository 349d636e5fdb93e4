"""Leading order in hbar/(eF tau): n_E^(-1) (Eqs. 27-30) and the transport time.

J0[n^(-1)] = (e E/hbar) . d n_FD/dk = -e E.v delta(eps - eF)   (Eq. 27 at T = 0, charge -e).
J0 conserves energy, so n^(-1)m_k = delta(eps^m_k - eF) g^m(k) with g on the Fermi-shell nodes:
A g = -e E.v (A of :func:`~semiclassical.quadrature.collision.j0_matrix`), zero mode fixed by
sum_k n^(-1) = 0. Orders: g is O(1/W).

Per unit field E = E_x xhat, E_x = 1, :mod:`.response` forms from g the 1/W pieces
    sigma^Drude_ab = -e sum_i w_i v_a,i g_i            (Eq. 52, first term with n^(-1))
    <s_a>^Edelstein = sum_i w_i s^{mm}_a,i g_i        (Eq. 87)
"""
from __future__ import annotations

import numpy as np

from .collision import J0Solver
from .shell import Shell

__all__ = ["leading_distribution", "transport_times"]


def leading_distribution(solver: J0Solver, e: float, field=(1.0, 0.0)) -> np.ndarray:
    """g of n^(-1) = delta(eps - eF) g at the Fermi-shell nodes (Eq. 27), shape (n,)."""
    shell = solver.shell
    drive = -e * shell.own_velocity() @ np.asarray(field, float)
    return solver.solve(drive)


def transport_times(shell: Shell, g: np.ndarray, e: float, field=(1.0, 0.0)) -> list[dict]:
    """tau_tr per contour, from g = -e tau_tr E.v (Eq. 29): least-squares fit and its residual.

    ``exact`` is True when g is proportional to E.v on the contour to 1e-9 (one isotropic circle,
    or several circles with equal transport times); otherwise the fitted value is only indicative.
    """
    ev = shell.own_velocity() @ np.asarray(field, float)
    out = []
    for cid, contour in enumerate(shell.contours):
        sel = shell.contour_id == cid
        w = shell.weight[sel]
        num = -np.sum(w * g[sel] * ev[sel]) / e
        den = np.sum(w * ev[sel] ** 2)
        tau = num / den
        resid = np.max(np.abs(g[sel] + e * tau * ev[sel])) / max(np.max(np.abs(g[sel])), 1e-300)
        out.append({"band": contour.band, "contour": contour.index, "tau_tr": float(tau),
                    "relative_residual": float(resid), "exact": bool(resid < 1e-9)})
    return out

