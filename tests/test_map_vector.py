"""The vectorized closed form of `semiclassical map` (maps/vector.py, maps/arrays.py; issue 16 item 1).

Equal to the per-point closed-form engine to 2e-15 of each observable's scale (docs/maps.md); the float64 evaluation
never drops a nonzero imaginary part; the classification equals np.unique over the branch codes.
"""
from __future__ import annotations

import csv

import numpy as np
import pytest
import sympy as sp

from semiclassical import catalogue
from semiclassical.maps import MapSpec, parse_axis, run_map
from semiclassical.maps.arrays import evaluate, real_form
from semiclassical.maps.vector import _arrays, classes, fermi_circle_classes


def _rows(path):
    with open(path / "map.csv") as fh:
        return list(csv.reader(fh))


def _same_as_per_point(tmp_path, model, grid):
    spec = MapSpec(model, tuple(parse_axis(g) for g in grid), {}, ("closed_form",))
    run_map(spec, tmp_path / "v", progress=False, figures=False)
    run_map(spec, tmp_path / "p", progress=False, figures=False, vectorize=False, workers=0)
    a, b = _rows(tmp_path / "v"), _rows(tmp_path / "p")
    assert a[0] == b[0] and len(a) == len(b)
    for ra, rb in zip(a[1:], b[1:]):
        for col, x, y in zip(a[0], ra, rb):
            if x != y:          # the same number to 2e-15 of its observable's scale (zeros may differ in sign)
                assert x and y and abs(float(x) - float(y)) <= 2e-15 * _scale(a[0], rb, col), (col, ra[:2], x, y)
    return a


def _scale(header, row, col):
    """The largest magnitude among the pieces of col's observable (col itself included), as `compare`
    judges engines (docs/design.md, Engines): a total that is a sum of pieces carries their rounding,
    so a total 7x smaller than its pieces (the Rashba ferromagnet's spin Hall total at eF = 0.13) agrees
    to eps-level of the pieces, not of itself."""
    observable, piece = col.rsplit(".", 1)
    if piece in ORDER_MINUS_ONE:          # a 1/W piece is judged against itself
        return abs(float(row[header.index(col)]))
    return max(abs(float(v)) for c, v in zip(header, row) if v not in ("", "nan") and (
        c == col or (c.rsplit(".", 1)[0] == observable and c.rsplit(".", 1)[1] not in ORDER_MINUS_ONE)))


#: the 1/W pieces (orders larger than the W^0 ones, which they must not lend their scale to)
ORDER_MINUS_ONE = ("edelstein", "drude", "leading")


def test_ti_surface_across_the_gap_and_both_signs_of_the_mass(tmp_path):
    rows = _same_as_per_point(tmp_path, "ti-surface", ("eF=0.3:1.8:3", "M=-0.5:0.5:2"))
    col = rows[0].index("sigma_yx.total")
    # eF = 0.3 is in the gap of |M| = 0.5 (no circle): the half-quantized intrinsic e^2/(4 pi hbar), both signs
    assert sorted(float(r[col]) for r in rows[1:3]) == pytest.approx([-1 / (4 * np.pi), 1 / (4 * np.pi)], rel=1e-15)


def test_rashba_ferromagnet_with_one_and_two_circles(tmp_path):
    model = catalogue.get("rashba-ferromagnet")
    points = [{"eF": x} for x in np.linspace(-0.3, 1.0, 4)]
    circles = {len(c) for _, c in fermi_circle_classes(model, "T", _arrays(model, points), points)}
    assert circles == {1, 2}
    _same_as_per_point(tmp_path, "rashba-ferromagnet", ("eF=-0.3:1.0:4",))


def test_real_form_is_an_identity_and_splits_off_i():
    x, y = sp.symbols("x y")
    rng = np.random.default_rng(1)
    cases = {sp.I * x * sp.I * y: 0, (sp.I * x + sp.I * y) ** 3 / (sp.I * y): 0, sp.I * sp.sqrt(x) * y: 1,
             sp.sqrt(x) / (1 + sp.I * x) ** 2 * (1 - sp.I * x) ** 2: None, sp.exp(sp.I * x): None,
             sp.I * x + y: None, sp.re(x): None, x**y: None, sp.Abs(x) ** sp.Rational(1, 3) * sp.atan(y): 0}
    for expr, parity in cases.items():
        got = real_form(expr)
        if parity is None:
            assert got is None, expr
            continue
        r, p = got
        assert p == parity and sp.I not in r.atoms(), expr
        for _ in range(3):       # I**p * r = expr at complex values too
            vals = {s: complex(*rng.normal(size=2)) for s in (x, y)}
            want = complex(expr.subs(vals).evalf())
            assert abs(complex((sp.I**p * r).subs(vals).evalf()) - want) <= 1e-13 * max(1, abs(want))


def test_evaluate_recovers_complex_intermediates_and_never_drops_an_imaginary_part():
    x = sp.Symbol("x")
    at = {x: np.array([4.0, -4.0, -1.0])}
    # real arithmetic: sqrt(-4) is NaN there, so that point goes through complex arithmetic: (2i)^2 = -4
    (sq,) = evaluate([sp.sqrt(x) ** 2 * 1], at, 3)
    assert sq.tolist() == [4.0, -4.0, -1.0]
    # a genuinely complex value is NaN, never its real part
    (root, odd, zero) = evaluate([sp.sqrt(x) + 1, sp.I * x, sp.I * (x - x * (1 + x) / (1 + x))], at, 3)
    assert root[0] == 3.0 and np.isnan(root[1:]).all()
    assert np.isnan(odd).all()           # I*x is imaginary
    assert (zero == 0).all()             # I*(rounding) is 0
    (z,) = evaluate([sp.re(x) + sp.Abs(sp.I * x)], at, 3)     # outside real_form: complex arithmetic
    assert z.tolist() == [8.0, 0.0, 0.0]


@pytest.mark.parametrize("ncols", [3, 12, 40])
def test_classes_equal_np_unique_over_rows(ncols):
    codes = np.random.default_rng(ncols).integers(0, 4, size=(500, ncols)).astype(np.int8)
    codes[::3] = codes[0]
    rows, inverse = classes(codes)
    want_rows, want_inverse = np.unique(codes, axis=0, return_inverse=True)
    assert (rows == want_rows).all() and (inverse == np.asarray(want_inverse).ravel()).all()


def test_a_tiny_circle_next_to_a_band_edge_is_evaluated_like_evaluate(tmp_path):
    """J = 3 with eF 5e-4 above the band edge (seed-1 profile case 531): cos a = 1 - 5e-11 on the circle,
    where the class's double-precision forms lost digits (side jump 2.8e-6 relative from the engine).
    Such points go to the engine (40-digit circle values, maps/vector.NEAR_POLE) and equal `evaluate`;
    the points farther out (1 - |cos a| = 0.01 and 0.04) stay vectorized, within the rounding of the
    double forms there, eps/(1 - |cos a|) <= 2e-14 (docs/maps.md), with a margin of 5."""
    model = tmp_path / "edge.toml"
    model.write_text('[model]\nname = "edge"\nhamiltonian = "pp*((kx**3 - 3*kx*ky**2)*sx + (3*kx**2*ky - ky**3)*sy)'
                     ' + (pz_0 + pz_1*k**2)*sz"\n\n[parameters]\npp = 0.76\npz_0 = -1.4\npz_1 = -0.79\n')
    spec = MapSpec(str(model), (parse_axis("eF=1.4005:2.2:3"),), {}, ("closed_form",))
    run_map(spec, tmp_path / "v", progress=False, figures=False)
    run_map(spec, tmp_path / "p", progress=False, figures=False, vectorize=False, workers=0)
    a, b = _rows(tmp_path / "v"), _rows(tmp_path / "p")
    assert a[0] == b[0] and a[1] == b[1]                  # the edge point: the engine's numbers, exactly
    for ra, rb in zip(a[2:], b[2:]):
        for col, x, y in zip(a[0], ra, rb):
            if x != y:
                assert x and y and abs(float(x) - float(y)) <= 1e-13 * abs(float(y)), (col, ra[:2], x, y)
    col = a[0].index("spin_hall.z.side_jump")
    assert float(a[1][col]) == pytest.approx(-2.227977644e-12, rel=1e-9)    # = evaluate (closed = quadrature)
