"""Built-in models (name -> Hamiltonian string and default parameters), symbolic and numeric.

One catalogue serves every engine. :func:`get` gives the symbolic :class:`TwoBandModel` (closed
forms); :func:`numeric_model` gives the :class:`~semiclassical.numeric_model.NumericModel` that
the quadrature and Kubo-Streda engines read, lambdified from the *same* Hamiltonian string: H(k)
and its exact k-derivatives only, never a derived quantity, so the engines' physics stays
independent of the closed forms while their inputs are shared.

hbar convention. A Hamiltonian string is taken literally: hbar enters H only where the string
writes it. The TI surface (paper Eq. 68) writes ``hbar*v*(kx*sy - ky*sx)``, so v is a velocity and
the Fermi radius scales as 1/hbar. The other models absorb hbar into their parameters: in
``k**2/(2*m)`` (Rashba ferromagnet, chiral) the parameter m stands for m/hbar^2, in
``v*(kx*sy - ky*sx)`` (dirac-quadratic, tilted, warped) v stands for hbar v, and so on. Setting
hbar != 1 therefore changes those models only through the hbar of the theory (velocities
(1/hbar) dH/dk, rates, conductivities), not through H.
"""
from __future__ import annotations

import difflib
from functools import lru_cache
from pathlib import Path

from .errors import SemiclassicalError
from .model import TwoBandModel
from .numeric_model import NumericModel
from .parsing import kx, ky

__all__ = ["MODELS", "get", "numeric_model"]

MODELS = {
    "ti-surface": ("hbar*v*(kx*sy - ky*sx) + M*sz", {"v": 1.0, "M": 0.5},
                   "paper Eq. 68: magnetic topological-insulator surface"),
    "rashba-ferromagnet": ("k**2/(2*m) + alpha*(kx*sy - ky*sx) + Delta*sz", {"m": 1.0, "alpha": 1.0, "Delta": 0.5},
                           "Rashba ferromagnet: two Fermi circles above Delta"),
    "chiral": ("((kx**2 - ky**2)*sx + 2*kx*ky*sy)/(2*m) + M*sz", {"m": 1.0, "M": 0.5},
               "gapped chiral (winding 2) model (k^2/2m)(cos 2t sx + sin 2t sy) + M sz"),
    "dirac-quadratic": ("v*(kx*sy - ky*sx) + (M - B*k**2)*sz + D*k**2", {"v": 1.0, "M": 0.5, "B": 0.3, "D": 0.1},
                        "massive Dirac with quadratic terms (no particle-hole symmetry)"),
    "tilted-dirac": ("t*kx + v*(kx*sy - ky*sx) + M*sz", {"v": 1.0, "M": 0.5, "t": 0.3},
                     "anisotropic: tilted massive Dirac (numerics only)"),
    "warped-dirac": ("v*(kx*sy - ky*sx) + lam*(kx**3 - 3*kx*ky**2)*sz + M*sz", {"v": 1.0, "M": 0.5, "lam": 0.2},
                     "anisotropic: hexagonal warping (numerics only)"),
}


#: the magnetization (exchange) parameter of the built-in models that have one (the torque of `derive`)
MAGNETIZATION = {"ti-surface": "M", "rashba-ferromagnet": "Delta"}


def get(name_or_path: str) -> TwoBandModel:
    """A built-in model by name, or a model file (``*.toml``)."""
    if name_or_path in MODELS:
        ham, params, _ = MODELS[name_or_path]
        model = TwoBandModel.from_string(ham, params, name=name_or_path)
        model.magnetization = MAGNETIZATION.get(name_or_path)
        return model
    if name_or_path.endswith(".toml") or Path(name_or_path).is_dir():   # a directory: one clear line
        return TwoBandModel.from_toml(name_or_path)
    raise SemiclassicalError(
        f"unknown model {name_or_path!r}: use a built-in name ({', '.join(MODELS)}) or a .toml model file"
    )


@lru_cache(maxsize=None)
def _symbolic(name: str) -> TwoBandModel:
    """The catalogue model ``name`` (one parse per name and process; read-only use)."""
    return get(name)


def numeric_model(name: str, **values) -> NumericModel:
    """The catalogue model ``name`` as numbers: the input of the quadrature and Kubo engines.

    ``values`` are keyword parameters of the model (see :data:`MODELS`), plus ``hbar`` and ``e``
    (default 1, docs/design.md section 3); every parameter not given takes the catalogue's default.
    Any real value is accepted, zero and either sign included: the numeric model only lambdifies
    H(k) and its exact derivatives dH/dkx, dH/dky (:meth:`NumericModel.from_sympy`), so the sign
    assumptions of the symbolic parameters play no role here. ``hbar`` enters H only where the
    Hamiltonian string writes it (module docstring). Example::

        numeric_model("ti-surface", M=0.3, v=1.2, hbar=0.8)   # paper Eq. 68
    """
    if name not in MODELS:
        close = difflib.get_close_matches(name, MODELS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise SemiclassicalError(f"unknown model {name!r}{hint}: built-in models are {', '.join(MODELS)}")
    _, defaults, _ = MODELS[name]
    allowed = [*defaults, "hbar", "e"]
    for key in values:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise SemiclassicalError(f"unknown parameter {key!r}{hint} of model {name!r}: use {', '.join(allowed)}")
    vals = {"hbar": 1.0, "e": 1.0, **defaults, **{key: float(v) for key, v in values.items()}}
    model = _symbolic(name)
    params = {key: v for key, v in vals.items() if key != "e"}
    return NumericModel.from_sympy(model.matrix, kx, ky, params, hbar=vals["hbar"], e=vals["e"],
                                   name=name, isotropic=model.is_covariant)
