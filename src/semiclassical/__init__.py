"""semiclassical: symbolic semiclassical transport theory of disordered two-band conductors.

Implements Burgos Atencia, Niu and Culcer, "Semiclassical equations of motion for disordered
conductors" (2021). See README.md and docs/design.md (layers, conventions, contracts).

The objects a notebook needs are re-exported here and loaded on first use (PEP 562), so that
``import semiclassical`` stays cheap and the numerical engines stay free of SymPy until asked::

    from semiclassical import TwoBandModel, Disorder, Problem, compare, derive_chain, check
    model = TwoBandModel.from_string("v*(kx*sy - ky*sx) + M*sz", {"v": 1.0, "M": 0.5})
    compare(Problem.at(model, {"eF": 1.2}))           # closed form, quadrature (and Kubo) side by side
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: public name -> the module that defines it (docs/design.md section 2 for the layers)
_LAZY = {
    "TwoBandModel": "model",
    "Disorder": "disorder",
    "BlochSystem": "bloch", "Gauge": "bloch",
    "Derivation": "derivation",
    "Problem": "engines", "compare": "engines", "ClosedForm": "engines",
    "derive_chain": "chain",
    "check": "check",
    "kubo_response": "kubo",
    "SemiclassicalError": "errors",
}
#: submodules a notebook uses as namespaces (semiclassical.catalogue.get(...), ...)
_SUBMODULES = ("catalogue", "paper", "quadrature", "kubo", "observables", "engines")

__all__ = ["__version__", *_LAZY, *_SUBMODULES]


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'semiclassical' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
