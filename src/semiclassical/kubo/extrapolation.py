"""Weak-disorder limit by polynomial (Richardson) extrapolation in W.

At fixed eF a Kubo response is a Laurent series in the disorder strength,

    X(W) = a_{-1}/W + a_0 + a_1 W + a_2 W^2 + ...,

with a_{-1} the Drude/Edelstein coefficient and a_0 the W^0 piece the semiclassical theory
predicts. W enters only through the constant self-energy Sigma = W (R - i Gamma) (R from a
fixed momentum cutoff, or zero); the pinched G^R G^A poles give exactly the 1/W term and the
rest is analytic in W, so no W log W terms arise. Checked numerically: successive Richardson
corrections of the W^0 piece fall by factors 20-500 per order (paper's model, Rashba
ferromagnet, gapped chiral model) down to the roundoff floor, where a W log W term would
leave them falling by ~2 per order. Given X at W_j = W0 2^-j,
W X(W) is interpolated by a polynomial; its constant and linear coefficients are a_{-1}, a_0.
The error estimate is the change of both when the largest W is left out; quadrature errors
are propagated separately (``noise_amplification``).
"""
from __future__ import annotations

import numpy as np

__all__ = ["laurent_fit", "extrapolate", "noise_amplification"]


def laurent_fit(ws, values, order=None):
    """(a_{-1}, a_0) from exact polynomial interpolation of W X(W) through all points."""
    ws = np.asarray(ws, float)
    values = np.asarray(values, float)
    n = len(ws) if order is None else order + 1
    ws, values = ws[-n:], values[-n:]
    scale = ws.max()
    x = ws / scale
    vander = np.vander(x, n, increasing=True)
    coef = np.linalg.solve(vander, ws * values)
    return coef[0], coef[1] / scale


def extrapolate(ws, values):
    """{"inverse": a_{-1}, "zeroth": a_0, "inverse_error", "zeroth_error"}.

    ``ws`` decreasing. The error compares the fit through all points with the fit through all
    but the largest W (one order lower).
    """
    a_m1, a_0 = laurent_fit(ws, values)
    b_m1, b_0 = laurent_fit(ws[1:], values[1:])
    return {"inverse": a_m1, "zeroth": a_0,
            "inverse_error": abs(a_m1 - b_m1), "zeroth_error": abs(a_0 - b_0)}


def noise_amplification(ws):
    """(A_-1, A_0): bounds on |delta a_{-1}|, |delta a_0| per unit quadrature error at the
    smallest W, for errors that grow like 1/W (the bubbles are O(1/W) and their relative
    quadrature error is W-independent): sum_j |d a / d X_j| (W_min / W_j)."""
    ws = np.asarray(ws, float)
    amp_m1 = amp_0 = 0.0
    for j in range(len(ws)):
        unit = np.zeros(len(ws))
        unit[j] = 1.0
        d_m1, d_0 = laurent_fit(ws, unit)
        amp_m1 += abs(d_m1) * ws[-1] / ws[j]
        amp_0 += abs(d_0) * ws[-1] / ws[j]
    return amp_m1, amp_0
