#!/usr/bin/env python
"""Benchmark of `semiclassical derive` (issue 13): every built-in closed-form model, cold.

    python benchmarks/derive_bench.py               # every covariant catalogue model
    python benchmarks/derive_bench.py --models ti-surface --eF 1.2

Each figure is one fresh Python process (cold SymPy caches, the derivation store off:
``SEMICLASSICAL_CACHE=off``), so nothing one model derives helps the next:

1. ``chain``: the whole chain in Fermi-circle variables (``derive_chain(..., explicit=False)``),
   geometry plus every scenario at ``--eF`` (the scenario a user asks for with ``--set eF``), and
   the same for every scenario of the model (no ``--set eF``);
2. ``explicit``: the chain with each result made explicit in eF within its budget (``derive --set eF``);
3. ``latex``: the LaTeX document of (2) written and compiled with pdflatex/lualatex when present.

Targets (issue 13): chain <= 2 s, explicit forms within their budget, the compiled document <= 15 s.
The machine may be shared: compare figures of one run with each other, not across runs.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

_CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
from semiclassical import catalogue, chain, chain_document
name, eF, mode = sys.argv[1], float(sys.argv[2]), sys.argv[3]
model = catalogue.get(name)
values = None if mode == "all" else {"eF": eF}
t = time.perf_counter()
geometry, scenarios = chain.derive_chain(model, values, explicit=(mode == "explicit"),
                                         magnetization=getattr(model, "magnetization", None))
out = {"import": t - t0, "chain": time.perf_counter() - t, "scenarios": len(scenarios),
       "results": len(geometry) + sum(len(rs) for _, rs in scenarios)}
if mode == "explicit":
    out["explicit"] = sum(r.explicit is not None for _, rs in scenarios for r in rs)
    text = chain_document.as_latex_document(model, geometry, scenarios)
    out["latex_chars"] = len(text)
    import shutil, subprocess, tempfile, pathlib
    tex = shutil.which("pdflatex") or shutil.which("lualatex")
    if tex:
        with tempfile.TemporaryDirectory() as d:
            pathlib.Path(d, "derive.tex").write_text(text)
            t = time.perf_counter()
            subprocess.run([tex, "-interaction=nonstopmode", "-halt-on-error", "derive.tex"], cwd=d,
                           capture_output=True, timeout=300)
            out["compile"] = time.perf_counter() - t
            out["pdf"] = pathlib.Path(d, "derive.pdf").exists()
print(json.dumps(out))
"""


def run(name: str, eF: float, mode: str, timeout: float) -> dict:
    env = {**os.environ, "SEMICLASSICAL_CACHE": "off", "OMP_NUM_THREADS": "1"}
    t = time.perf_counter()
    try:
        p = subprocess.run([sys.executable, "-c", _CHILD, name, str(eF), mode], capture_output=True, text=True,
                           env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout:g} s"}
    wall = time.perf_counter() - t
    if p.returncode:
        return {"error": (p.stderr.strip().splitlines() or ["?"])[-1]}
    return {**json.loads(p.stdout.strip().splitlines()[-1]), "wall": wall}


def main(argv=None):
    from semiclassical import catalogue

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=",".join(n for n in catalogue.MODELS if catalogue.get(n).is_covariant))
    ap.add_argument("--eF", type=float, default=1.2, help="the Fermi energy of the one-scenario rows")
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--json", help="also write the figures here")
    a = ap.parse_args(argv)
    rows = {}
    print("| model | chain, eF = %g (s) | chain, every scenario (s) | explicit + Sommerfeld (s) | explicit results "
          "| LaTeX compile (s) |" % a.eF)
    print("|---|---|---|---|---|---|")
    for name in a.models.split(","):
        one, every, expl = (run(name, a.eF, mode, a.timeout) for mode in ("one", "all", "explicit"))
        rows[name] = {"one": one, "all": every, "explicit": expl}

        def fig(r, key="chain"):
            return r.get("error") or f"{r[key]:.1f}"

        comp = expl.get("compile")
        print(f"| {name} | {fig(one)} | {fig(every)} ({every.get('scenarios', '?')} scenarios) | {fig(expl)} | "
              f"{expl.get('explicit', '?')} of {expl.get('results', '?')} | "
              f"{'-' if comp is None else f'{comp:.1f}'} |", flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
