"""Time per point of the crossed (X, Psi) diagrams, semiclassical.kubo.crossed (docs/crossed_diagrams.md).

For each model point: wall time of one crossed_response call (base + refined evaluation, which
gives the error estimate), the crossed sigma_yx, its stated error and the relative error.
Target (issue 17): <= 30 s per point at 1e-6 relative. Run: python benchmarks/crossed_bench.py
"""
from __future__ import annotations

import time

from semiclassical.catalogue import numeric_model
from semiclassical.kubo.crossed import crossed_response

POINTS = [
    ("ti-surface", {"M": 0.5}, 1.0),
    ("ti-surface", {"M": 0.5}, 2.5),
    ("rashba-ferromagnet", {"Delta": 0.5}, 1.5),
    ("dirac-quadratic", {}, 1.0),
    ("chiral", {}, 1.0),
]


def main() -> None:
    print(f"{'model':20s} {'eF':>5s} {'crossed sigma_yx':>18s} {'error':>9s} {'rel':>9s} {'seconds':>8s}")
    for name, params, eF in POINTS:
        model = numeric_model(name, **params)
        t0 = time.perf_counter()
        out = crossed_response(model, eF)["sigma_yx"]
        dt = time.perf_counter() - t0
        rel = out["error"] / abs(out["crossed"])
        print(f"{name:20s} {eF:5.2f} {out['crossed']:18.12f} {out['error']:9.1e} {rel:9.1e} {dt:8.2f}")


if __name__ == "__main__":
    main()
