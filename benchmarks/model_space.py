"""Property-based sweep over model space (issue 18 item 6, issue 22): random covariant two-band models.

A model is H = p0(k^2) s0 + p_perp(k^2) [Re (kx + i ky)^J sx + Im (kx + i ky)^J sy] + p_z(k^2) sz with
polynomials p of degree <= 2 in k^2 whose coefficients are parameters of random sign, zero included
(the sign cases of the closed form), J in {1, 2, 3}, and a Fermi energy drawn near the band features
(edges, extrema, touchings: one or several circles, annuli, gaps) or at random. Each case runs the
real command line, ``semiclassical evaluate FILE --engines ... --json``, in a subprocess with a time
bound, and is classified:

- ``agree``: exit 0, strict JSON (no NaN), every engine's numbers judged equal by `evaluate` itself;
- ``one engine``: exit 0, but only one engine could answer (the others said why in one line each);
- ``clear error``: exit 2 with exactly one line on stderr (bad input or a singular point, said so);
- a failure otherwise: ``disagree`` (exit 3), ``internal error`` (exit 1), ``traceback``, ``hang``
  (the time bound), ``bad json``.

    python benchmarks/model_space.py --n 200 --seed 1 --out docs/model_space.md   # the large profile
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

OK = ("agree", "one engine", "clear error")


@dataclass
class Case:
    """One random model and Fermi energy."""

    coefficients: dict      # name -> value; names p0_i, pp_i, pz_i (coefficient of k^(2i))
    winding: int
    eF: float

    def hamiltonian(self) -> str:
        def poly(prefix):
            terms = [f"{n}*k**{2 * int(n[-1])}" if n[-1] != "0" else n
                     for n in self.coefficients if n.startswith(prefix)]
            return "(" + " + ".join(terms) + ")" if terms else "0"

        re_part = " + ".join(f"{_binom(self.winding, j)}*{'-' if (j // 2) % 2 else ''}kx**{self.winding - j}*ky**{j}"
                             for j in range(0, self.winding + 1, 2))
        im_part = " + ".join(f"{_binom(self.winding, j)}*{'-' if (j // 2) % 2 else ''}kx**{self.winding - j}*ky**{j}"
                             for j in range(1, self.winding + 1, 2))
        return (f"{poly('p0_')}*s0 + {poly('pp_')}*(({re_part})*sx + ({im_part})*sy) + {poly('pz_')}*sz")

    def toml(self) -> str:
        params = "\n".join(f"{n} = {v!r}" for n, v in self.coefficients.items())
        return f'[model]\nname = "random"\nhamiltonian = "{self.hamiltonian()}"\n\n[parameters]\n{params}\n'


def _binom(n, j):
    from math import comb

    return comb(n, j)


def random_case(rng: np.random.Generator) -> Case:
    """Coefficients: each of p0, p_perp, p_z gets degree 0-2 in k^2; a coefficient is 0 with
    probability 1/4, else a signed number of magnitude 0.1-2 (two decimals, readable)."""
    coeffs = {}
    for prefix, lowest in (("p0_", 1), ("pp_", 0), ("pz_", 0)):   # p0's constant only shifts eF: omitted
        degree = int(rng.integers(0, 3))
        for i in range(lowest, degree + 1):
            coeffs[f"{prefix}{i}"] = 0.0 if rng.random() < 0.25 else float(np.round(rng.choice([-1, 1]) * rng.uniform(0.1, 2.0), 2))
    if not any(n.startswith("pp_") for n in coeffs):
        coeffs["pp_0"] = float(np.round(rng.uniform(0.3, 1.5), 2))
    case = Case(coeffs, int(rng.choice([1, 2, 3])), 0.0)
    case.eF = _fermi_energy(case, rng)
    return case


def _fermi_energy(case: Case, rng) -> float:
    """Near a band feature (k = 0 energies, extrema on a fine radial grid) or on a band at 0.2 < k < 1.5."""
    k = np.linspace(0.0, 3.0, 3001)

    def p(prefix):
        return sum(v * k ** (2 * int(n[-1])) for n, v in case.coefficients.items() if n.startswith(prefix))

    d0, dp, dz = p("p0_") * np.ones_like(k), p("pp_") * k**case.winding, p("pz_") * np.ones_like(k)
    bands = [d0 + m * np.hypot(dp, dz) for m in (1, -1)]
    feats = [b[0] for b in bands]
    for b in bands:
        s = np.sign(np.diff(b))
        feats += list(b[1:-1][s[:-1] * s[1:] < 0])
    if rng.random() < 0.5 and feats:
        f = float(rng.choice(feats))
        return float(f + rng.choice([-1, 1]) * 10.0 ** rng.uniform(-4, -1) * max(1.0, abs(f)))
    # on a band at a moderate radius (k in 0.2 .. 1.5): one circle or several, never far out
    return float(bands[int(rng.integers(0, 2))][int(rng.integers(200, 1501))])


def run_case(case: Case, engines: str, timeout: float, extra: tuple[str, ...] = ()) -> tuple[str, str]:
    """(outcome, detail) of ``semiclassical evaluate`` on the case (module docstring); ``extra``: more
    arguments of evaluate (``--crossed``)."""
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "random.toml"
        f.write_text(case.toml())
        cmd = [sys.executable, "-m", "semiclassical", "evaluate", str(f), "--set", f"eF={case.eF!r}",
               "--engines", engines, "--json", *extra]
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return "hang", f"no answer within {timeout:g} s"
    err = out.stderr.strip()
    if "Traceback" in err:
        return "traceback", err.splitlines()[-1]
    if out.returncode == 2:
        lines = [x for x in err.splitlines() if x.startswith("semiclassical: error:")]
        return ("clear error", lines[0]) if len(lines) == 1 else ("traceback", err[:300])
    if out.returncode == 1:
        return "internal error", err.splitlines()[-1] if err else ""
    try:
        doc = json.loads(out.stdout, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
    except ValueError as exc:
        return "bad json", str(exc)[:200]
    if out.returncode == 3:
        worst = doc["agreement"]["disagreements"][0]
        return "disagree", json.dumps(worst)[:300]
    if out.returncode != 0:
        return "internal error", f"exit {out.returncode}"
    if len(doc["agreement"]["engines"]) < 2:     # numbers, but no second engine could check them
        return "one engine", "; ".join(f"{k}: {v}" for k, v in doc.items()
                                       if k == "closed_form" and isinstance(v, str))[:300]
    return "agree", ""


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--engines", default="closed,quadrature,kubo")
    ap.add_argument("--timeout", type=float, default=180.0)
    ap.add_argument("--jobs", type=int, default=1, help="cases run at once (one process each)")
    ap.add_argument("--results", type=Path,
                    help="JSON lines, one per finished case: a rerun with the same seed skips the cases there "
                         "(the profile is resumable across sessions), and the tally covers them all")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--crossed", action="store_true", help="evaluate --crossed (the pair skew and crossed diagrams)")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    cases = [random_case(rng) for _ in range(args.n)]    # case i depends on the seed alone
    done = {}
    if args.results and args.results.exists():
        for line in args.results.read_text().splitlines():
            r = json.loads(line)
            if r["seed"] == args.seed:
                done[r["index"]] = r
    t0 = time.perf_counter()

    def one(i):
        t = time.perf_counter()
        outcome, detail = run_case(cases[i], args.engines, args.timeout, ("--crossed",) if args.crossed else ())
        return {"seed": args.seed, "index": i, "hamiltonian": cases[i].hamiltonian(),
                "coefficients": cases[i].coefficients, "eF": cases[i].eF, "engines": args.engines,
                "outcome": outcome, "detail": detail, "seconds": round(time.perf_counter() - t, 1)}

    todo = [i for i in range(args.n) if i not in done]
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        for r in pool.map(one, todo):
            done[r["index"]] = r
            if args.results:
                with open(args.results, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps(r) + "\n")
            print(f"{r['index'] + 1}/{args.n} {r['outcome']} ({r['seconds']} s): {r['hamiltonian']} "
                  f"eF={r['eF']:.6g} {r['detail'][:120]}", flush=True)
    rows = [done[i] for i in sorted(done)]
    text = tally_text(rows, args, time.perf_counter() - t0)
    if args.out:
        args.out.write_text(text)
    print(text)
    return 0 if all(r["outcome"] in OK for r in rows) else 1


def tally_text(rows, args, seconds) -> str:
    """The Markdown tally: outcomes, clear errors by message, every failure in full."""
    tally = Counter(r["outcome"] for r in rows)
    errors = Counter(r["detail"].split(":", 2)[-1].strip()[:90] for r in rows if r["outcome"] == "clear error")
    failures = [r for r in rows if r["outcome"] not in OK]
    times = sorted(r["seconds"] for r in rows)
    lines = [f"# Model-space sweep: {len(rows)} random covariant models (seed {args.seed}, engines {args.engines}"
             f"{', --crossed' if getattr(args, 'crossed', False) else ''})",
             "", f"Generated by `python benchmarks/model_space.py --n {args.n} --seed {args.seed} --jobs {args.jobs}`"
             f" (this run {seconds:.0f} s; per case median {times[len(times) // 2]:.0f} s, longest {times[-1]:.0f} s,"
             f" bound {args.timeout:g} s).", "", "| outcome | cases |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in tally.most_common()]
    lines += ["", "Clear errors by message:", ""] + [f"- {v} x {k}" for k, v in errors.most_common()]
    lines += ["", "Failures:", ""] + [f"- {r['outcome']}: `{r['hamiltonian']}` with {r['coefficients']}, "
                                      f"eF = {r['eF']!r}: {r['detail']}" for r in failures] + ([] if failures else ["none"])
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
