"""Benchmark of `semiclassical map` (issue 16): Kubo map of 64 points on 2 local Dask workers against
one process, and the vectorized closed form on 10^6 points. Run: python benchmarks/map_bench.py
(needs dask[distributed] for the first figure). Figures recorded in docs/maps.md.
"""
from __future__ import annotations

import os
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
    """(classification s, evaluation s, pieces): the vectorized closed form of the TI surface at n
    values of eF in one scenario. Classification = :func:`vector.fermi_circle_classes` (sign cases,
    radius branches, velocity signs, filled bands, the classes); evaluation =
    :func:`vector.closed_form_arrays` without the per-point Fermi-sea quadratures. Both compiled
    (lambdified) before timing, as a map of that size amortizes."""
    from semiclassical import catalogue
    from semiclassical.engines.closed_form import derivation_for
    from semiclassical.maps.vector import closed_form_arrays, fermi_circle_classes

    model = catalogue.get("ti-surface")
    D = derivation_for(model, "T", {"eF": 1.0, "v": 1.0, "M": 0.5, "hbar": 1.0})
    sc = D.scenario({"eF": 0.6, "v": 1.0, "M": 0.5, "hbar": 1.0})   # the first point: its circles are matched
    arr = {"eF": np.linspace(0.6, 2.0, n), "v": np.ones(n), "M": np.full(n, 0.5), "hbar": np.ones(n),
           "W": np.full(n, 0.01), "e": np.ones(n)}
    points = [{"eF": 0.6, "v": 1.0, "M": 0.5, "hbar": 1.0}] * n      # only the first is read (sign case)
    few = {k: v[:10] for k, v in arr.items()}
    fermi_circle_classes(model, "T", few, points[:10])                       # compile
    closed_form_arrays(model, D, sc, few, (), {}, sea_pieces=False)
    t = time.perf_counter()
    groups = fermi_circle_classes(model, "T", arr, points)
    t_class = time.perf_counter() - t
    assert len(groups) == 1 and len(groups[0][0]) == n, groups
    t = time.perf_counter()
    res = closed_form_arrays(model, D, sc, arr, (), {}, sea_pieces=False)
    t_eval = time.perf_counter() - t
    return t_class, t_eval, sum(1 for k in res if k[0] != "circle")


if __name__ == "__main__":
    print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores")
    t_class, t_eval, ncols = closed_million()
    print(f"closed form, 10^6 points (TI surface, one scenario): classification {t_class:.2f} s, "
          f"{ncols} pieces vectorized {t_eval:.2f} s, in all {t_class + t_eval:.2f} s "
          "(Fermi-sea pieces excluded: per-point quadrature)")
    try:
        import distributed  # noqa: F401
    except ImportError:
        print("dask.distributed not installed: no Kubo parallel figure")
    else:
        k = kubo_ratio()
        print(f"Kubo map, 64 points: one process {k['one process']:.1f} s, 2 workers {k['2 workers']:.1f} s, "
              f"ratio {k['one process'] / k['2 workers']:.2f}")
    print(f"load average {os.getloadavg()[0]:.2f}")
