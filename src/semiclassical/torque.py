"""The spin-orbit torque for any magnetization direction (paper Eqs. 104-105 generalized; issue 15).

A model whose exchange term is J m.sigma names J as its magnetization parameter (``[model]
magnetization = "M"``; the built-in TI surface and Rashba ferromagnet). Written with m = zhat
(``J sigma_z``), it is tilted to m = (sin t cos p, sin t sin p, cos t) by ``--set theta_m=t
phi_m=p`` (radians): H(m) = H(J = 0) + J m.sigma (:func:`tilted`). An in-plane component makes
the model anisotropic, so the numerical engines answer there; at theta_m = 0 the model is the
covariant one and the closed form answers too.

The torque on the magnetization is T = (2J/hbar) m x <s> with s = hbar sigma/2, i.e.
T = J m x <sigma> per unit area and unit E_x, piece by piece (:func:`add_torque`, applied to every
engine's response by :func:`semiclassical.engines.compare`). The spin-orbit-torque literature splits
it along the two directions perpendicular to m that the current-induced spin density yhat
(E along x) defines: T = tau_FL m x yhat + tau_DL m x (yhat x m) (field-like and damping-like,
:func:`field_and_damping_like`; e.g. Garello et al., Nat. Nanotech. 8, 587 (2013)), whose angular
harmonics in theta_m are the figure of ``derivations/torque_angle.py``.
"""
from __future__ import annotations

import math

import numpy as np
import sympy as sp

from .errors import SemiclassicalError

__all__ = ["ANGLES", "direction", "tilted", "add_torque", "field_and_damping_like"]

#: the names of the magnetization direction's angles (radians), reserved in model files
ANGLES = ("theta_m", "phi_m")
#: |sin theta_m| below this is theta_m = 0 or pi exactly (m along +-z: the covariant model)
_ON_AXIS = 1e-14


def direction(theta_m: float, phi_m: float = 0.0) -> tuple[float, float, float]:
    """m = (sin t cos p, sin t sin p, cos t), with exact 0 and +-1 on the z axis."""
    s = math.sin(theta_m)
    if abs(s) < _ON_AXIS:
        return (0.0, 0.0, 1.0 if math.cos(theta_m) > 0 else -1.0)
    return (s * math.cos(phi_m), s * math.sin(phi_m), math.cos(theta_m))


def tilted(model, theta_m: float, phi_m: float = 0.0):
    """``model`` with its exchange term J sigma_z turned to J m.sigma (m = :func:`direction`).

    The model must name its magnetization parameter J and be linear in it with coefficient sigma_z
    (H = H0 + J sigma_z); otherwise one clear error. Cached per direction on the model.
    """
    name = model.magnetization
    if name is None:
        raise SemiclassicalError(f"model {model.name!r} names no magnetization parameter: theta_m and phi_m turn "
                                 "the exchange term J sz; add [model] magnetization = \"J\" to the model file")
    J = model.parameters[name]
    sz = sp.Matrix([[1, 0], [0, -1]])
    if (model.matrix.diff(J) - sz).applyfunc(sp.expand) != sp.zeros(2, 2):
        raise SemiclassicalError(f"theta_m, phi_m need an exchange term {name}*sz (H linear in {name} with "
                                 f"coefficient sz); model {model.name!r} has dH/d{name} = {sp.sstr(model.matrix.diff(J))}")
    m = direction(theta_m, phi_m)
    if m == (0.0, 0.0, 1.0):
        return model
    cases = model.__dict__.setdefault("_tilts", {})
    if m not in cases:
        from .model import TwoBandModel

        sx, sy = sp.Matrix([[0, 1], [1, 0]]), sp.Matrix([[0, -sp.I], [sp.I, 0]])
        h0 = model.matrix.xreplace({J: 0})
        mx, my, mz = (sp.Float(c) if c not in (0.0, 1.0, -1.0) else sp.Integer(int(c)) for c in m)
        matrix = h0 + J * (mx * sx + my * sy + mz * sz)
        cases[m] = TwoBandModel(matrix, dict(model.parameters), dict(model.values),
                                f"{model.name} (m = ({m[0]:.6g}, {m[1]:.6g}, {m[2]:.6g}))", model.disorder,
                                model.source, model.magnetization, model.declared_positive, model.zero,
                                dict(model.observables))
    return cases[m]


def add_torque(response, J: float, m) -> None:
    """Add ``torque.<x|y|z>`` = J (m x <sigma>) per piece to an engine's response (in place).

    Needs the spin density components that m multiplies (m = zhat: x and y only); a piece missing in
    one of them is missing in the torque. Errors add in quadrature-free worst case: |J| sum |m_b| err_c.
    """
    m = np.asarray(m, float)
    eps = {(0, 1, 2): 1, (1, 2, 0): 1, (2, 0, 1): 1, (0, 2, 1): -1, (2, 1, 0): -1, (1, 0, 2): -1}
    spin = [response.values.get(f"spin_density.{a}") for a in "xyz"]
    errs = [response.errors.get(f"spin_density.{a}", {}) for a in "xyz"]
    for a, axis in enumerate("xyz"):
        terms = [(sgn * m[b], c) for (i, b, c), sgn in eps.items() if i == a and m[b] != 0.0]
        if any(spin[c] is None for _, c in terms) or (not terms and spin[0] is None):
            continue
        pieces = (spin[terms[0][1]] if terms else spin[0]).keys()
        value, error = {}, {}
        for p in pieces:
            xs = [spin[c].get(p) for _, c in terms]
            value[p] = None if any(x is None for x in xs) else J * sum(w * x for (w, _), x in zip(terms, xs))
            if value[p] is not None and any(errs[c].get(p) for _, c in terms):
                error[p] = abs(J) * sum(abs(w) * (errs[c].get(p) or 0.0) for w, c in terms)
        response.values[f"torque.{axis}"] = value
        # a spin-density number the engine's approximation does not fix makes the torque built from it so
        if any(f"spin_density.{'xyz'[c]}" in response.scheme_dependent for _, c in terms):
            response.scheme_dependent = (*response.scheme_dependent, f"torque.{axis}")
        if error:
            response.errors[f"torque.{axis}"] = error


def field_and_damping_like(T, m) -> tuple[float, float]:
    """(tau_FL, tau_DL) of T = tau_FL m x yhat + tau_DL m x (yhat x m) (E along x; module docstring).

    Undefined for m parallel to yhat (both directions vanish): then (nan, nan).
    """
    m, T, y = np.asarray(m, float), np.asarray(T, float), np.array([0.0, 1.0, 0.0])
    fl, dl = np.cross(m, y), np.cross(m, np.cross(y, m))
    nf, nd = fl @ fl, dl @ dl
    if nf < 1e-24:
        return (math.nan, math.nan)
    return (float(T @ fl / nf), float(T @ dl / nd))
