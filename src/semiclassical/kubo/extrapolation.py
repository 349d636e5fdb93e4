"""Weak-disorder limit by polynomial (Richardson) extrapolation in W.

At fixed eF a Kubo response is a Laurent series in the disorder strength,

    X(W) = a_{-1}/W + a_0 + a_1 W + a_2 W^2 + ...,

with a_{-1} the Drude/Edelstein coefficient and a_0 the W^0 piece the semiclassical theory
predicts. The series has no log W terms here: every W enters through the constant self-energy
Sigma = W (R - i Gamma) (R from a fixed momentum cutoff, or zero), and the bubbles are analytic
in W apart from the pinching G^R G^A poles, which produce exactly the 1/W term (checked
numerically: successive Richardson differences fall like W0^n). Given X at W_j = W0 2^-j,
W X(W) is interpolated by a polynomial; its constant and linear coefficients are a_{-1}, a_0.
The error estimate is the change of both when the largest W is left out.
"""
from __future__ import annotations

import numpy as np


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
