"""A Hamiltonian as numbers: the only input of the quadrature and Kubo engines.

The independent engines (``semiclassical.quadrature``, ``semiclassical.kubo``) never read a
closed form. They see a :class:`NumericModel`: the 2x2 Bloch Hamiltonian H(kx, ky) and its
momentum derivatives, vectorised over arrays of k, plus the spin operators and the constants
hbar, e. Building one from a SymPy matrix lambdifies the Hamiltonian itself and its exact
derivatives dH/dkx, dH/dky (never derived quantities such as eigenvectors or curvature).

Conventions (docs/design.md section 3): bands are indexed 0 = lower (the paper's "-"), 1 = upper
("+"); electron charge -e; spin operators are Pauli matrices unless a model says otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

__all__ = ["PAULI", "ArrayFn", "NumericModel"]

PAULI = np.array(
    [[[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]], dtype=complex
)

ArrayFn = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class NumericModel:
    """H(k) as vectorised numpy callables.

    ``h(kx, ky)`` returns an array of shape ``broadcast(kx, ky).shape + (2, 2)``;
    ``dh(kx, ky)`` returns ``(dH/dkx, dH/dky)``, each of that shape. ``spin`` holds the three
    spin operators (shape (3, 2, 2)), Pauli by default (paper Eqs. 88-89 use sigma without hbar/2).
    ``operators`` maps observable keys (``"spin_hall.z"``, ``"observables.<name>"``) to the k-local
    operators O(kx, ky) of the operator-valued observables asked for, callables like ``h`` (shape
    ``broadcast(kx, ky).shape + (2, 2)``); the spin density's constant operators stay in ``spin``.
    ``isotropic`` is a hint only: engines must not rely on it for correctness.
    """

    h: ArrayFn
    dh: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
    hbar: float = 1.0
    e: float = 1.0
    spin: np.ndarray = field(default_factory=lambda: PAULI.copy())
    name: str = "model"
    isotropic: bool = False
    operators: dict = field(default_factory=dict)

    def eigh(self, kx, ky):
        """Energies (..., 2) ascending and eigenvectors (..., 2, 2) as columns, numpy's gauge."""
        return np.linalg.eigh(self.h(np.asarray(kx, float), np.asarray(ky, float)))

    @classmethod
    def from_sympy(cls, matrix, kx, ky, values: dict, *, hbar=1.0, e=1.0, spin=None,
                   name="model", isotropic=False, operators=None):
        """Lambdify a SymPy 2x2 matrix in symbols ``kx``, ``ky`` with parameter ``values``.

        ``values`` maps SymPy symbols (or their names) to numbers; every free symbol other than
        kx, ky must be given. Only H, its exact k-derivatives and the given ``operators`` (key ->
        SymPy 2x2 matrix in kx, ky, the same ``values``) are lambdified.
        """
        import sympy as sp

        subs = {}
        for key, val in values.items():
            sym = key if isinstance(key, sp.Symbol) else None
            if sym is None:
                matches = [s for s in matrix.free_symbols if s.name == str(key)]
                if not matches:
                    continue
                sym = matches[0]
            subs[sym] = val
        mat = sp.Matrix(matrix).subs(subs)
        ops = {key: sp.Matrix(op).subs(subs) for key, op in (operators or {}).items()}
        for what, m in (("H", mat), *ops.items()):
            extra = m.free_symbols - {kx, ky}
            if extra:
                names = ", ".join(sorted(s.name for s in extra))
                raise ValueError(f"missing numeric values for {names} (in {what})")
        parts = [mat, mat.diff(kx), mat.diff(ky), *ops.values()]
        # one function per entry: constant entries then broadcast like the others
        fns = [[[sp.lambdify((kx, ky), p[i, j], modules="numpy") for j in range(2)]
                for i in range(2)] for p in parts]

        def _vectorise(fn):
            def call(x, y):
                x, y = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float))
                out = np.empty(x.shape + (2, 2), dtype=complex)
                for i in range(2):
                    for j in range(2):
                        out[..., i, j] = fn[i][j](x, y)
                return out
            return call

        hf, dxf, dyf, *opf = (_vectorise(f) for f in fns)
        return cls(
            h=hf,
            dh=lambda x, y: (dxf(x, y), dyf(x, y)),
            hbar=hbar,
            e=e,
            spin=PAULI.copy() if spin is None else np.asarray(spin, complex),
            name=name,
            isotropic=isotropic,
            operators=dict(zip(ops, opf)),
        )
