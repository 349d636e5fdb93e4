"""Benchmark of `semiclassical map` (issue 16): Kubo map of 64 points on 2 local Dask workers against
one process, and the vectorized closed form on 10^6 points. Run: python benchmarks/map_bench.py
(needs dask[distributed] for the first figure). Figures recorded in docs/maps.md.
"""
from __future__ import annotations

import tempfile
import time

import numpy as np


def kubo_ratio(n=64):
    from semiclassical.maps import MapSpec, parse_axis, run_map

    spec = MapSpec("ti-surface", (parse_axis(f"eF=0.8:2.0:{n}"),), {}, ("kubo",))
    out = {}
    for label, workers in (("one process", 0), ("2 workers", 2)):
        with tempfile.TemporaryDirectory() as d:
            t = time.perf_counter()
            run_map(spec, d, workers=workers, progress=False, figures=False)
            out[label] = time.perf_counter() - t
    return out


def closed_million(n=10**6):
    from semiclassical import catalogue
    from semiclassical.engines.closed_form import derivation_for
    from semiclassical.maps.vector import _classify, closed_form_arrays

    model = catalogue.get("ti-surface")
    D = derivation_for(model, "T", {"eF": 1.0, "v": 1.0, "M": 0.5, "hbar": 1.0})
    sc = D.scenario({"eF": 0.6, "v": 1.0, "M": 0.5, "hbar": 1.0})   # the first point: its circles are matched
    arr = {"eF": np.linspace(0.6, 2.0, n), "v": np.ones(n), "M": np.full(n, 0.5), "hbar": np.ones(n),
           "W": np.full(n, 0.01), "e": np.ones(n)}
    closed_form_arrays(model, D, sc, {k: v[:10] for k, v in arr.items()}, (), {}, sea_pieces=False)  # compile
    t = time.perf_counter()
    codes, _ = _classify(D, arr, n)
    np.unique(codes, axis=0, return_inverse=True)
    t_class = time.perf_counter() - t
    t = time.perf_counter()
    res = closed_form_arrays(model, D, sc, arr, (), {}, sea_pieces=False)
    return t_class, time.perf_counter() - t, len(res)


if __name__ == "__main__":
    t_class, t_eval, ncols = closed_million()
    print(f"closed form, 10^6 points (TI surface, one scenario): classification {t_class:.2f} s, "
          f"{ncols} pieces vectorized {t_eval:.2f} s (Fermi-sea pieces excluded: per-point quadrature)")
    try:
        import distributed  # noqa: F401
    except ImportError:
        print("dask.distributed not installed: no Kubo parallel figure")
    else:
        k = kubo_ratio()
        print(f"Kubo map, 64 points: one process {k['one process']:.1f} s, 2 workers {k['2 workers']:.1f} s, "
              f"ratio {k['one process'] / k['2 workers']:.2f}")
