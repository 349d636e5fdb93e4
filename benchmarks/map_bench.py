"""Benchmark of `semiclassical map` (issue 16): Kubo map of 64 points on 2 local Dask workers against
one process, and the vectorized closed form on 10^6 points. Run: python benchmarks/map_bench.py
(needs dask[distributed] for the first figure). Figures recorded in docs/maps.md.
"""
from __future__ import annotations

import os
import resource
import tempfile
import time

import numpy as np


def _busy_cpu_seconds():
    """CPU seconds every process on the machine has used (Linux /proc/stat; None elsewhere)."""
    try:
        with open("/proc/stat") as fh:
            fields = [int(x) for x in fh.readline().split()[1:]]
    except OSError:
        return None
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")     # less idle and iowait


def _own_cpu_seconds():
    self_, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return self_.ru_utime + self_.ru_stime + kids.ru_utime + kids.ru_stime


class Others:
    """The cores that other processes used while the block ran: (machine's busy CPU seconds - this
    process's and its reaped children's) / wall seconds. Near 0 on a quiet machine; the benchmark's
    ratios mean something only then."""

    def __enter__(self):
        self.t, self.busy, self.own = time.perf_counter(), _busy_cpu_seconds(), _own_cpu_seconds()
        return self

    def __exit__(self, *exc):
        wall = time.perf_counter() - self.t
        busy = _busy_cpu_seconds()
        self.cores = None if busy is None else max(0.0, (busy - self.busy) - (_own_cpu_seconds() - self.own)) / wall


def kubo_ratio(n=64):
    from semiclassical.maps import MapSpec, parse_axis, run_map

    spec = MapSpec("ti-surface", (parse_axis(f"eF=0.8:2.0:{n}"),), {}, ("kubo",))
    out = {}
    for label, workers in (("one process", 0), ("2 workers", 2)):
        with tempfile.TemporaryDirectory() as d, Others() as others:
            t = time.perf_counter()
            run_map(spec, d, workers=workers, progress=False, figures=False)
            out[label] = time.perf_counter() - t
        out[label + " others"] = others.cores
    return out


def closed_million(n=10**6, repeats=3):
    """[(classification s, evaluation s)] of ``repeats`` runs, the pieces, and the cores other processes
    used meanwhile: the vectorized closed form of the TI surface at n values of eF in one scenario.
    Classification = :func:`vector.fermi_circle_classes` (sign cases, radius branches, velocity signs,
    filled bands, the classes); evaluation = :func:`vector.closed_form_arrays` without the per-point
    Fermi-sea quadratures. Compiled (lambdified) on 10 points first, as a map of that size amortizes;
    the first run is the one a map does (fresh memory: page faults, on a VM the host's too), the
    others reuse this process's memory."""
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
    runs = []
    with Others() as others:
        for _ in range(repeats):
            t = time.perf_counter()
            groups = fermi_circle_classes(model, "T", arr, points)
            t_class = time.perf_counter() - t
            assert len(groups) == 1 and len(groups[0][0]) == n, groups
            t = time.perf_counter()
            res = closed_form_arrays(model, D, sc, arr, (), {}, sea_pieces=False)
            runs.append((t_class, time.perf_counter() - t))
            del res
    return runs, len(closed_form_arrays(model, D, sc, few, (), {}, sea_pieces=False)) - len(sc.circles), others.cores


def _others(cores):
    return "n/a" if cores is None else f"{cores:.2f}"


if __name__ == "__main__":
    print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores")
    runs, ncols, others = closed_million()
    (c0, e0), rest = runs[0], runs[1:]
    c1, e1 = min(rest, key=sum) if rest else runs[0]
    print(f"closed form, 10^6 points (TI surface, one scenario, {ncols} pieces; Fermi-sea pieces excluded: "
          f"per-point quadrature): first run classification {c0:.2f} s + evaluation {e0:.2f} s = {c0 + e0:.2f} s; "
          f"best of the next {len(rest)}: {c1:.2f} s + {e1:.2f} s = {c1 + e1:.2f} s; "
          f"other processes used {_others(others)} cores")
    try:
        import distributed  # noqa: F401
    except ImportError:
        print("dask.distributed not installed: no Kubo parallel figure")
    else:
        k = kubo_ratio()
        print(f"Kubo map, 64 points: one process {k['one process']:.1f} s, 2 workers {k['2 workers']:.1f} s, "
              f"ratio {k['one process'] / k['2 workers']:.2f}; other processes used "
              f"{_others(k['one process others'])} and {_others(k['2 workers others'])} cores")
    print(f"load average {os.getloadavg()[0]:.2f}")
