"""Parameter maps: one model on a grid of parameter points, every engine, nothing lost (docs/maps.md).

``semiclassical map`` is :func:`run.run_map`: the grid (:mod:`.grid`), a cache of finished points under
the output directory (:mod:`.cache`), the per-point evaluation that runs in this process or on Dask
workers (:mod:`.compute`), the closed form vectorized over whole Fermi-circle scenarios
(:mod:`.vector`), and the files written from the cache (:mod:`.output`).
"""
from .grid import Axis, parse_axis
from .run import MapResult, MapSpec, run_map

__all__ = ["Axis", "parse_axis", "MapSpec", "MapResult", "run_map"]
