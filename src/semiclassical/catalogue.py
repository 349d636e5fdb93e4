"""Built-in models (name -> Hamiltonian string and default parameters)."""
from __future__ import annotations

from pathlib import Path

from .errors import SemiclassicalError
from .model import TwoBandModel

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


def get(name_or_path: str) -> TwoBandModel:
    """A built-in model by name, or a model file (``*.toml``)."""
    if name_or_path in MODELS:
        ham, params, _ = MODELS[name_or_path]
        return TwoBandModel.from_string(ham, params, name=name_or_path)
    if name_or_path.endswith(".toml") or Path(name_or_path).is_dir():   # a directory: one clear line
        return TwoBandModel.from_toml(name_or_path)
    raise SemiclassicalError(
        f"unknown model {name_or_path!r}: use a built-in name ({', '.join(MODELS)}) or a .toml model file"
    )
