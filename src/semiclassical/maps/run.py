"""Running a map: the missing points of each engine, in this process or on Dask, then the files.

Only points absent from the cache (:mod:`.cache`) are computed; each is stored the moment it
arrives, in this (the client's) process, so a killed worker, a lost scheduler or Ctrl-C loses at
most the points still in flight, and no point is stored twice. Dask (``pip install -e
".[distributed]"``) is optional: the embedded default is a ``LocalCluster`` of worker processes
(``workers``, default every core); ``scheduler="tcp://HOST:PORT"`` uses an existing cluster; without
dask, or with ``workers=0``, the map runs in one process. The closed form of a covariant model runs
vectorized over whole Fermi-circle scenarios (:mod:`.vector`) and never goes to the workers.
"""
from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import units
from ..errors import SemiclassicalError
from . import output
from .cache import PointCache
from .compute import ModelRef, evaluate_point, model_of, problem_at
from .grid import Axis, check_axes, grid_points

__all__ = ["MapSpec", "MapResult", "run_map", "CONNECT_TIMEOUT"]

#: seconds allowed to reach an existing Dask scheduler before one clear error line
CONNECT_TIMEOUT = 5


@dataclass(frozen=True)
class MapSpec:
    """What a map computes: a model (built-in name or .toml path), grid axes, fixed values, engines."""

    model: str
    axes: tuple[Axis, ...]
    sets: dict = field(default_factory=dict)
    engines: tuple[str, ...] = ("closed_form",)
    skew_reading: str = "T"


@dataclass
class MapResult:
    """What a run did: points, how many were computed now (the rest came from the cache), files."""

    points: int
    computed: dict
    files: list
    seconds: dict
    parallel: str


def _say(line: str) -> None:
    print(f"semiclassical: {line}", file=sys.stderr, flush=True)


def _context(ref: ModelRef, spec: MapSpec) -> dict:
    import sympy as sp

    from .. import __version__

    model = model_of(ref)
    problem = problem_at(ref, {**spec.sets, **grid_points(list(spec.axes))[0]}, spec.skew_reading)
    return {"model": ref.name, "model_text": ref.text, "matrix": sp.srepr(model.matrix),
            "magnetization": model.magnetization, "disorder": model.disorder.to_json()
            if hasattr(model.disorder, "to_json") else str(model.disorder),
            "skew_reading": spec.skew_reading, "observables": list(problem.observables), "version": __version__}


def _client(workers, scheduler):
    """(client, cluster, description) or (None, None, why not) for the Dask side."""
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        if scheduler:
            raise SemiclassicalError(f"--scheduler {scheduler}: dask.distributed is not installed; "
                                     "pip install -e \".[distributed]\"") from None
        return None, None, "dask.distributed is not installed (pip install -e \".[distributed]\"): the map runs in one process"
    if scheduler:
        try:
            client = Client(scheduler, timeout=f"{CONNECT_TIMEOUT}s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise SemiclassicalError(
                f"cannot reach the Dask scheduler at {scheduler} within {CONNECT_TIMEOUT} s "
                f"({type(exc).__name__}): check the address (tcp://HOST:PORT) and that the scheduler runs") from None
        return client, None, f"Dask scheduler {scheduler}"
    n = workers or os.cpu_count() or 1
    # dashboard on a free port (":0"): with None distributed still tries :8787 and warns, or fails
    # under warnings-as-errors, when another cluster (a second map, a parallel test) holds it.
    # Worker environment: distributed sets MALLOC_TRIM_THRESHOLD_=65536 before it spawns a worker, which
    # turns off glibc's dynamic mmap threshold, so every numpy temporary over 64 KiB is mmap'd and
    # unmapped again: a Kubo point took 0.56 s of CPU in a worker against 0.47 s without it (TI surface;
    # docs/maps.md, Dask). Left unset, as in this process; one BLAS thread per worker
    # (OMP/MKL/OPENBLAS_NUM_THREADS=1, distributed's default, kept) besides the Kubo engine's own limit.
    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                               silence_logs=logging.ERROR)
    return Client(cluster), cluster, f"local Dask cluster of {n} worker process(es)"


def _compute(tasks, ref, spec, cache, engine, client, bar, on_point):
    """Evaluate (point) tasks of one engine; store each result the moment it arrives."""
    failures = []
    if client is None:
        for point in tasks:
            cache.save(engine, point, evaluate_point(ref, point, engine, spec.skew_reading))
            bar.update(1)
            if on_point:
                on_point(cache.computed, None)
        return failures
    from distributed import as_completed

    futures = client.map(evaluate_point, [ref] * len(tasks), tasks, [engine] * len(tasks),
                         [spec.skew_reading] * len(tasks), pure=False)
    where = {f.key: p for f, p in zip(futures, tasks)}
    try:
        for fut in as_completed(futures):
            try:
                record = fut.result()
            except Exception as exc:      # an internal failure or a worker killed too often: not stored
                failures.append(f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}")
                continue
            cache.save(engine, where[fut.key], record)
            bar.update(1)
            if on_point:
                on_point(cache.computed, client)
    except (OSError, TimeoutError) as exc:
        raise SemiclassicalError(f"lost the Dask scheduler ({type(exc).__name__}) after {cache.computed} new points; "
                                 "they are stored: rerun the same command to compute only the missing ones") from None
    finally:
        client.cancel(futures)
    return failures


def run_map(spec: MapSpec, out, *, workers: int | None = None, scheduler: str | None = None,
            progress: bool = True, figures: bool = True, vectorize: bool = True, on_point=None) -> MapResult:
    """Compute the missing points of ``spec`` into ``out``/cache and write map.csv, map.json, figures.

    ``workers``: local Dask worker processes (None: every core; 0: in this process).
    ``on_point(computed, client)``: called after each stored point (tests interrupt and kill with it).
    """
    from tqdm import tqdm

    from . import vector

    t0 = time.perf_counter()
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise SemiclassicalError(f"--out {out}: this is a file, not a directory")
    check_axes(list(spec.axes), spec.sets)
    ref = ModelRef.of(spec.model)
    cache = PointCache(out, _context(ref, spec))
    points = [{**spec.sets, **p} for p in grid_points(list(spec.axes))]
    computed, seconds, parallel = dict.fromkeys(spec.engines, 0), {}, "one process"
    blocks = None
    engines = list(spec.engines)
    if "closed_form" in engines and vectorize:
        t = time.perf_counter()
        before = cache.computed
        blocks = vector.closed_form_columns(ref, spec, points, cache)
        if blocks is not None:
            engines.remove("closed_form")
            computed["closed_form"] = cache.computed - before
            seconds["closed_form (vectorized)"] = time.perf_counter() - t
    todo = {e: [p for p in points if cache.load(e, p) is None] for e in engines}
    n_todo = sum(len(v) for v in todo.values())
    client = cluster = None
    numeric = [e for e in engines if todo[e]]
    if numeric and not (workers == 0 and scheduler is None):
        client, cluster, parallel = _client(workers, scheduler)
        if client is None:
            _say(parallel)
            parallel = "one process (dask not installed)"
    failures = []
    try:
        with tqdm(total=n_todo, file=sys.stderr, disable=not progress or n_todo == 0, desc="map", unit="pt") as bar:
            for e in numeric:
                t = time.perf_counter()
                before = cache.computed
                failures += _compute(todo[e], ref, spec, cache, e, client, bar, on_point)
                computed[e] = cache.computed - before
                seconds[e] = time.perf_counter() - t
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    if failures:
        raise SemiclassicalError(f"{len(failures)} point(s) failed and were not stored (first: {failures[0]}); "
                                 "the others are: rerun the same command to retry only those")
    t = time.perf_counter()
    files = _write(out, spec, ref, points, cache, blocks, figures)
    seconds["files"] = time.perf_counter() - t
    seconds["total"] = time.perf_counter() - t0
    return MapResult(len(points), computed, files, seconds, parallel)


def _write(out, spec, ref, points, cache, blocks, figures):
    import numpy as np
    import sympy as sp

    from .. import __version__

    names = [a.name for a in spec.axes]
    rows, columns = [], dict.fromkeys(names)
    for i, p in enumerate(points):
        records = {e: r for e in spec.engines if e != "closed_form" or blocks is None
                   for r in [cache.load(e, p)] if r is not None}
        if blocks is not None:
            records = {"closed_form": blocks.record(i), **records}
        # T is a column as in evaluate's JSON (the temperature of the point, 0 unless set or on the grid)
        row = {n: p[n] for n in names} | {"T": p.get("T", 0.0)}
        row.update(output.row_of(records))
        columns.update(dict.fromkeys(row))
        rows.append(row)
    columns = list(columns)
    table = [[row.get(c) for c in columns] for row in rows]
    problems = [{"point": p, "engine": e, **{k: r[k] for k in ("error", "unavailable") if k in r}}
                for p in points for e in spec.engines if e != "closed_form" or blocks is None
                for r in [cache.load(e, p)] if r and ("error" in r or "unavailable" in r)]
    if blocks is not None:
        problems += blocks.problems
    model = model_of(ref)
    meta = {"model": ref.name, "hamiltonian": sp.sstr(model.matrix), "disorder": _context(ref, spec)["disorder"],
            "grid": [a.as_dict() for a in spec.axes], "set": dict(spec.sets), "engines": list(spec.engines),
            "skew_reading": spec.skew_reading, "points": len(points), "problems": problems[:1000],
            "units": units.statement(),
            "versions": {"semiclassical": __version__, "sympy": sp.__version__, "numpy": np.__version__}}
    out.mkdir(parents=True, exist_ok=True)
    output.write_csv(out / "map.csv", columns, table)
    output.write_json(out / "map.json", meta, columns, table)
    files = [out / "map.csv", out / "map.json"]
    if figures and len(spec.axes) <= 2:
        files += output.write_figures(out / "figures", list(spec.axes), columns, table)
    return files
