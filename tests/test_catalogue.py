"""The one model catalogue: numeric models from the symbolic catalogue's Hamiltonian strings."""
from __future__ import annotations

import numpy as np
import pytest

from semiclassical.catalogue import MODELS, numeric_model
from semiclassical.errors import SemiclassicalError
from semiclassical.numeric_model import PAULI

RNG = np.random.default_rng(5)
KX, KY = RNG.uniform(-1.5, 1.5, (2, 3, 4))


@pytest.mark.parametrize("name", list(MODELS))
def test_numeric_model_is_hermitian_with_exact_derivatives(name):
    """H(k) is Hermitian with shape (..., 2, 2); dH/dk agrees with a central difference of H
    (step 1e-5: truncation ~1e-10 times the third derivative)."""
    m = numeric_model(name)
    h = m.h(KX, KY)
    assert h.shape == KX.shape + (2, 2)
    assert np.allclose(h, np.conj(np.swapaxes(h, -1, -2)), atol=1e-15)
    step = 1e-5
    dx, dy = m.dh(KX, KY)
    fdx = (m.h(KX + step, KY) - m.h(KX - step, KY)) / (2 * step)
    fdy = (m.h(KX, KY + step) - m.h(KX, KY - step)) / (2 * step)
    assert np.allclose(dx, fdx, atol=1e-8) and np.allclose(dy, fdy, atol=1e-8)
    assert m.h(0.3, 0.2).shape == (2, 2)  # scalars broadcast too


def test_defaults_and_keywords():
    """Defaults are the catalogue's; hbar and e default to 1 (docs/design.md section 3)."""
    m = numeric_model("ti-surface")
    assert (m.hbar, m.e, m.name, m.isotropic) == (1.0, 1.0, "ti-surface", True)
    # paper Eq. 68 at k = 0: H = M sz with the catalogue's M
    assert np.allclose(m.h(0.0, 0.0), MODELS["ti-surface"][1]["M"] * PAULI[2])
    m = numeric_model("ti-surface", M=0.3, v=1.2, hbar=0.8, e=1.3)
    assert (m.hbar, m.e) == (0.8, 1.3)
    assert np.allclose(m.h(0.5, 0.0), 0.8 * 1.2 * 0.5 * PAULI[1] + 0.3 * PAULI[2])
    assert not numeric_model("tilted-dirac").isotropic


def test_hbar_enters_only_where_the_hamiltonian_writes_it():
    """TI: hbar v k (the Fermi radius scales as 1/hbar); Rashba: k^2/(2m) with hbar absorbed in m."""
    ti1, ti2 = numeric_model("ti-surface"), numeric_model("ti-surface", hbar=2.0)
    assert np.allclose(ti2.h(KX, KY), ti1.h(2 * KX, 2 * KY))
    r1, r2 = numeric_model("rashba-ferromagnet"), numeric_model("rashba-ferromagnet", hbar=2.0)
    assert np.array_equal(r1.h(KX, KY), r2.h(KX, KY)) and r2.hbar == 2.0


def test_any_sign_and_zero():
    """Numbers only: zero and negative values of parameters the symbolic side declares positive."""
    m = numeric_model("rashba-ferromagnet", alpha=0.0, Delta=-0.5)
    assert np.allclose(m.h(0.3, 0.4), (0.25 / 2) * np.eye(2) - 0.5 * PAULI[2])
    assert np.allclose(numeric_model("ti-surface", M=0.0).h(0.0, 0.0), 0.0)


def test_unknown_names_are_one_clear_error():
    with pytest.raises(SemiclassicalError, match="did you mean 'ti-surface'"):
        numeric_model("ti_surface")
    with pytest.raises(SemiclassicalError, match="did you mean 'Delta'"):
        numeric_model("rashba-ferromagnet", delta=0.3)
    with pytest.raises(SemiclassicalError, match="unknown parameter 'eF'"):
        numeric_model("ti-surface", eF=1.0)


def test_numeric_model_is_the_catalogue_string():
    """dirac-quadratic, written out: v (kx sy - ky sx) + (M - B k^2) sz + D k^2, catalogue defaults."""
    p = MODELS["dirac-quadratic"][1]
    kx, ky = 0.4, -0.7
    k2 = kx ** 2 + ky ** 2
    ref = (p["v"] * (kx * PAULI[1] - ky * PAULI[0]) + (p["M"] - p["B"] * k2) * PAULI[2]
           + p["D"] * k2 * np.eye(2))
    assert np.allclose(numeric_model("dirac-quadratic").h(kx, ky), ref, rtol=1e-14, atol=1e-15)
