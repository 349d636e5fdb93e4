"""The point cache of a map: every finished (point, engine) on disk at once, under DIR/cache.

Layout (docs/maps.md): ``DIR/cache/<engine>/<kk>/<key>.json``, one file per point and engine, where
``key`` is the sha256 of the map's context (the model's matrix in ``srepr`` and its file's text, the
disorder, the skew reading, the observables, the package version) with the engine and the point's
values. Each file is written to a temporary name in the same directory and renamed with
:func:`os.replace`, so a reader sees a whole record or none: a map killed at any moment leaves only
finished points, and a rerun computes exactly the missing ones. ``DIR/cache/computed.log`` gets one
line per point computed (not read from the cache): the count that resumption is tested by.
A closed-form block vectorized over many points (:mod:`.vector`) is one ``.npy`` file per block.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np

__all__ = ["PointCache", "canonical"]


def canonical(obj) -> str:
    """Deterministic JSON (sorted keys, floats as ``repr``): the text that keys and records are made of."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=True, default=_plain)


def _plain(x):
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, (tuple, set, frozenset)):
        return list(x)
    return str(x)


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class PointCache:
    """Records of finished points, keyed by the map's ``context``, the engine and the point."""

    def __init__(self, out: Path, context: dict):
        self.root = Path(out) / "cache"
        self.context = canonical(context)
        self.computed = 0          # points computed (not read) through this object

    def key(self, engine: str, point: dict) -> str:
        return hashlib.sha256(canonical({"c": self.context, "e": engine, "p": point}).encode()).hexdigest()

    def _path(self, engine: str, key: str, suffix: str = ".json") -> Path:
        return self.root / engine / key[:2] / (key + suffix)

    def load(self, engine: str, point: dict):
        """The record of ``point`` for ``engine``, or None (absent, or unreadable: computed again)."""
        try:
            return json.loads(self._path(engine, self.key(engine, point)).read_text())
        except (OSError, ValueError):
            return None

    def save(self, engine: str, point: dict, record: dict) -> None:
        """Store one finished point now (atomically) and log it as computed."""
        # the record keeps the engine's key order (the column order of the map), deterministically
        text = json.dumps(record, separators=(",", ":"), allow_nan=True, default=_plain)
        _atomic_write(self._path(engine, self.key(engine, point)), text.encode())
        self._log(engine, point)

    def _log(self, engine: str, point: dict, n: int = 1) -> None:
        self.computed += n
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "computed.log", "a") as fh:
            fh.write(canonical({"engine": engine, "point": point, "n": n}) + "\n")

    def block_key(self, engine: str, points: list[dict], columns: list[str]) -> str:
        h = hashlib.sha256(canonical({"c": self.context, "e": engine, "cols": columns}).encode())
        for p in points:
            h.update(canonical(p).encode())
        return h.hexdigest()

    def load_block(self, engine: str, key: str):
        """A vectorized block: (2D float array, one row per point; its column names), or None."""
        try:
            names = json.loads(self._path(engine, key, ".columns.json").read_text())
            return np.load(self._path(engine, key, ".npy"), allow_pickle=False), names
        except (OSError, ValueError):
            return None

    def save_block(self, engine: str, key: str, array: np.ndarray, columns: list[str], n_points: int) -> None:
        """Store a block (columns first: a block without its names is never read) and log its points."""
        import io

        buf = io.BytesIO()
        np.save(buf, np.asarray(array, float), allow_pickle=False)
        _atomic_write(self._path(engine, key, ".columns.json"), canonical(columns).encode())
        _atomic_write(self._path(engine, key, ".npy"), buf.getvalue())
        self._log(engine, {"block": key}, n_points)
