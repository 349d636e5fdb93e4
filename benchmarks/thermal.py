"""Finite temperature (docs/temperature.md): cost of a T > 0 point per engine, and the figure of the
sigma_yx pieces of the TI surface versus T with mu just above the gap edge M.

    python benchmarks/thermal.py                  # table: engine calls and seconds per T > 0 point
    python benchmarks/thermal.py --figure docs/temperature_ti.png   # sigma_yx pieces vs T at mu = 0.55, M = 0.5
    python benchmarks/thermal.py --rashba         # also the Rashba ferromagnet: Kubo at T > 0 vs closed form

Every number comes through the one thermal wrapper (engines/thermal.py); Kubo-Streda at T > 0 with its
own Fermi-sea integrand from kubo/thermal.py.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from semiclassical import catalogue
from semiclassical.engines import Problem, get_engine
from semiclassical.engines.thermal import band_features
from semiclassical.kubo.thermal import kubo_response_thermal

TI = {"v": 1.0, "M": 0.5, "W": 0.01}


def cost_table(points=((1.0, 0.01), (1.0, 0.05), (0.55, 0.02))):
    model = catalogue.get("ti-surface")
    get_engine("closed_form").evaluate(Problem.at(model, {**TI, "eF": 1.0}))     # derivation made once
    print("| engine | mu | T | engine calls | pieces | seconds | sigma_yx.total | error |")
    print("|---|---|---|---|---|---|---|---|")
    for name in ("closed_form", "quadrature", "kubo"):
        for mu, T in points:
            p = Problem.at(model, {**TI, "eF": mu, "T": T})
            t0 = time.perf_counter()
            r = get_engine(name).evaluate(p)
            dt = time.perf_counter() - t0
            print(f"| {name} | {mu:g} | {T:g} | {r.meta['engine_calls']} | {r.meta['pieces']} | {dt:.2f} | "
                  f"{r.value('sigma_yx', 'total'):.12g} | {r.error('sigma_yx', 'total'):.1e} |")


def rashba(mu=0.2, T=0.005):
    model = catalogue.get("rashba-ferromagnet")
    p = Problem.at(model, {"eF": mu, "W": 0.01, "T": T})
    t0 = time.perf_counter()
    c = get_engine("closed_form").evaluate(p)
    t1 = time.perf_counter()
    nm = catalogue.numeric_model("rashba-ferromagnet", m=1.0, alpha=1.0, Delta=0.5)
    k = kubo_response_thermal(nm, mu, T, 0.01, band_features(p)[0])
    t2 = time.perf_counter()
    for key, kb in (("sigma_yx", k["sigma_yx"]), ("spin_density.x", k["spin_density"]["x"])):
        a = c.value(key, "total")
        print(f"rashba mu={mu:g} T={T:g} {key}: closed form {a:.12g}, Kubo {kb['total']:.12g} "
              f"(sea {kb['fermi_sea']:.6g}), difference {kb['total'] - a:.1e}")
    print(f"closed form {t1 - t0:.1f} s ({c.meta['engine_calls']} calls), Kubo {t2 - t1:.1f} s "
          f"({k['meta']['engine_calls']} calls)")


def figure(path, mu=0.55, temperatures=np.linspace(0.0, 0.1, 21)):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    model = catalogue.get("ti-surface")
    engine = get_engine("closed_form")
    pieces = ("intrinsic", "extrinsic", "side_jump", "skew", "total")
    rows = []
    for T in temperatures:
        r = engine.evaluate(Problem.at(model, {**TI, "eF": mu, "T": float(T)}))
        rows.append([r.value("sigma_yx", p) for p in pieces])
    rows = np.array(rows)
    fig, ax = plt.subplots(figsize=(6, 4))
    for i, p in enumerate(pieces):
        ax.plot(temperatures, rows[:, i], label=p.replace("_", " ") + (" (= extrinsic)" if p == "side_jump" else ""),
                lw=2 if p == "total" else 1.2, ls="--" if p == "side_jump" else "-")
    ax.axhline(0, color="0.7", lw=0.6)
    ax.set_xlabel(r"$k_B T$ (energy units of $M$, $\epsilon_F$; gap edge at $M = 0.5$)")
    ax.set_ylabel(r"$\sigma_{yx}$ ($e^2/\hbar$)")
    ax.set_title(rf"TI surface, $\mu = {mu:g}$, $M = 0.5$: pieces vs temperature")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    print(f"figure written: {path}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--figure", help="write the sigma_yx-vs-T figure to this file")
    ap.add_argument("--rashba", action="store_true", help="also the Rashba ferromagnet Kubo check")
    args = ap.parse_args()
    if args.figure:
        figure(args.figure)
    else:
        cost_table()
    if args.rashba:
        rashba()


if __name__ == "__main__":
    main()
