"""Benchmark of correlated disorder (issue 14 targets): the Gaussian TI-surface derivation, cold (target
<= 10 s), and the Kubo-Streda engine with a Gaussian kernel per point at its default accuracy (target
<= 2 s). The cold derivation runs in a fresh subprocess with the store off (no SymPy caches, no stored
derivation). Run: python benchmarks/disorder_bench.py   Figures: README "Performance".
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

__all__ = ["cold_derivation", "kubo_per_point", "main"]

_COLD = """
import time
t = time.perf_counter()
from semiclassical import catalogue
from semiclassical.disorder import Disorder
from semiclassical.engines import ClosedForm, Problem
m = catalogue.get("ti-surface")
m.disorder = Disorder("gaussian", 0.01, {"d": 1.0})
ClosedForm().evaluate(Problem.at(m, {"eF": 1.2}))
print(time.perf_counter() - t)
"""


def cold_derivation() -> float:
    """Seconds from a bare interpreter to the Gaussian TI closed-form numbers at one point (imports,
    the correlated derivation, lambdify, evaluation)."""
    env = {**os.environ, "SEMICLASSICAL_CACHE": "off"}
    out = subprocess.run([sys.executable, "-c", _COLD], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def kubo_per_point(points=(1.2, 1.5, 2.0), d: float = 1.0) -> list[float]:
    """Seconds per point of the Kubo-Streda engine (default accuracy) for the TI surface with a
    Gaussian kernel of correlation length d (the first call, warming imports, is not counted)."""
    from semiclassical import catalogue
    from semiclassical.disorder import Disorder
    from semiclassical.engines import KuboStreda, Problem

    m = catalogue.get("ti-surface")
    m.disorder = Disorder("gaussian", 0.01, {"d": d})
    KuboStreda().evaluate(Problem.at(m, {"eF": 1.1}))
    times = []
    for eF in points:
        t = time.perf_counter()
        KuboStreda().evaluate(Problem.at(m, {"eF": eF}))
        times.append(time.perf_counter() - t)
    return times


def main():
    load = os.getloadavg()[0]
    cold = cold_derivation()
    kubo = kubo_per_point()
    print(f"load average (1 min) at start: {load:.2f}")
    print(f"Gaussian TI surface (d = 1), closed form cold (imports + derivation + numbers): {cold:.1f} s (target <= 10 s)")
    print(f"Kubo-Streda, Gaussian kernel d = 1, per point (eF = 1.2, 1.5, 2.0): "
          f"{', '.join(f'{t:.2f}' for t in kubo)} s, median {statistics.median(kubo):.2f} s (target <= 2 s)")


if __name__ == "__main__":
    main()
