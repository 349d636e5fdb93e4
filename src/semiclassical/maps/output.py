"""The files of a map, written from the cache: map.csv, map.json, figures/.

A row is what ``semiclassical evaluate --json`` prints at that point, flattened with dots
(:meth:`~semiclassical.engines.compare.Comparison.as_dict`): the closed-form pieces at the top level
(``sigma_yx.total``), each numerical engine under its name (``quadrature.sigma_yx.total``) with its
error tree (``kubo.error.sigma_yx.total``), and ``agreement.agree`` / ``agreement.checked`` (the same
judge as ``evaluate``). Only numbers are columns: ``parameters`` are the grid and ``--set`` columns of
map.json, and ``meta``, ``circles``, ``notes`` and ``validity`` stay out (see docs/maps.md).
Floats are written with ``repr`` (round-trip exact), keys in a fixed order and no timestamps, so a
rerun that reads the cache writes the same bytes.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

from ..engines.base import ENGINES
from ..engines.compare import judge, judge_fermi_surface
from ..engines.result import Response, tree

__all__ = ["flatten", "row_of", "write_csv", "write_json", "write_figures"]


def flatten(nested: dict, prefix: str = "") -> dict:
    """{dotted key: leaf} of a nested map (numbers, booleans and None; other leaves are skipped)."""
    out = {}
    for k, v in nested.items():
        if isinstance(v, dict):
            out.update(flatten(v, f"{prefix}{k}."))
        elif v is None or isinstance(v, (bool, int, float)):
            out[f"{prefix}{k}"] = v
    return out


def _response(engine: str, rec: dict) -> Response:
    return Response(engine, rec["values"], rec.get("errors") or {}, meta=rec.get("meta") or {},
                    scheme_dependent=tuple(rec.get("scheme_dependent") or ()))


def row_of(records: dict[str, dict]) -> dict:
    """The columns of one point from its engines' records (engine name -> record), as evaluate prints."""
    responses = {e: _response(e, r) for e, r in records.items() if "values" in r}
    out = {}
    for name, r in responses.items():
        if name == "closed_form":
            out.update(flatten(tree(r.values)))
        else:
            out.update(flatten(tree(r.values), f"{name}."))
            if r.errors:
                out.update(flatten(tree(r.errors), f"{name}.error."))
    checked, bad, names = 0, 0, list(responses)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            n, dis = judge(responses[a], responses[b], (ENGINES[a].relative_tolerance, ENGINES[b].relative_tolerance))
            m, wrong = judge_fermi_surface(responses[a], responses[b])
            checked, bad = checked + n + m, bad + len(dis) + len(wrong)
    if responses:
        out["agreement.agree"] = bad == 0
        out["agreement.checked"] = checked
    return out


def _cell(x) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return ""
    if isinstance(x, bool):
        return "true" if x else "false"
    return repr(float(x)) if isinstance(x, float) else str(x)


def write_csv(path: Path, columns: list[str], rows) -> None:
    """map.csv: a header of ``columns``, then one line per row (sequence of values), floats by repr."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(columns) + "\n")
        for row in rows:
            fh.write(",".join(_cell(x) for x in row) + "\n")


def _json_value(x):
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def write_json(path: Path, metadata: dict, columns: list[str], rows) -> None:
    """map.json: ``metadata`` (model, disorder, grid, engines, versions), ``columns`` and ``rows``
    (one list per point, aligned with ``columns``; null where a number is missing)."""
    with open(path, "w", encoding="utf-8") as fh:
        head = json.dumps({**metadata, "columns": columns}, sort_keys=True, indent=1, allow_nan=False)
        fh.write(head[:-2] + ',\n "rows": [\n')
        for i, row in enumerate(rows):
            fh.write("  " + json.dumps([_json_value(x) for x in row], allow_nan=False)
                     + (",\n" if i < len(rows) - 1 else "\n"))
        fh.write(" ]\n}\n")


def _plottable(columns, grid_names):
    skip = ("agreement.",)
    return [c for c in columns if c not in grid_names and not c.startswith(skip) and ".error." not in c]


def write_figures(folder: Path, axes, columns: list[str], rows) -> list[Path]:
    """Line plots (1D grid: one figure per observable, a line per piece and engine, every piece that
    is not zero throughout: a constant piece, the intrinsic term over a disorder parameter, is part of
    the picture) or heat maps (2D grid: one per column, i.e. per piece and engine, of every column
    that is not constant). Values in the model's units (e, hbar as set): sigma in e^2/hbar."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    folder.mkdir(parents=True, exist_ok=True)
    grid_names = [a.name for a in axes]
    data = np.array([[np.nan if (x is None or isinstance(x, bool)) else float(x) for x in row] for row in rows],
                    float).reshape(len(rows), len(columns))
    def shown(c):
        col = data[:, columns.index(c)]
        if not np.isfinite(col).any():
            return False
        lo, hi = np.nanmin(col), np.nanmax(col)
        return hi != lo if len(axes) != 1 else (lo != 0 or hi != 0)

    cols = [c for c in _plottable(columns, grid_names) if shown(c)]
    paths = []
    meta = {"Software": "semiclassical map"}     # no date: the same map, the same bytes
    if len(axes) == 1:
        x = data[:, 0]
        groups: dict = {}
        for c in cols:
            engine = c.split(".", 1)[0] if c.split(".", 1)[0] in ENGINES else "closed_form"
            key = c if engine == "closed_form" else c.split(".", 1)[1]
            obs, piece = key.rsplit(".", 1)
            groups.setdefault(obs, []).append((engine, piece, c))
        for obs, lines in groups.items():
            fig, ax = plt.subplots(figsize=(6, 4))
            for engine, piece, c in lines:
                style = {"closed_form": "-", "quadrature": "--", "kubo": ":"}.get(engine, "-.")
                ax.plot(x, data[:, columns.index(c)], style, label=f"{piece} ({ENGINES[engine].title})")
            ax.set_xlabel(grid_names[0])
            ax.set_ylabel("e^2/hbar" if obs.startswith("sigma_") else "model units (e, hbar as set)")
            ax.set_title(obs)
            ax.legend(fontsize=7)
            fig.tight_layout()
            p = folder / f"{obs}.png"
            fig.savefig(p, dpi=100, metadata=meta)
            plt.close(fig)
            paths.append(p)
    elif len(axes) == 2:
        nx, ny = axes[0].n, axes[1].n
        for c in cols:
            z = data[:, columns.index(c)].reshape(nx, ny)
            fig, ax = plt.subplots(figsize=(5, 4))
            im = ax.imshow(z.T, origin="lower", aspect="auto",
                           extent=(axes[0].start, axes[0].stop, axes[1].start, axes[1].stop))
            fig.colorbar(im, ax=ax)
            ax.set_xlabel(axes[0].name)
            ax.set_ylabel(axes[1].name)
            ax.set_title(c)
            fig.tight_layout()
            p = folder / f"{c}.png"
            fig.savefig(p, dpi=80, metadata=meta)
            plt.close(fig)
            paths.append(p)
    return paths
