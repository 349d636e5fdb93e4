"""A persistent store of symbolic derivations, shared by every process of one user.

The closed forms of a two-circle model take 20 s to derive and a fraction of a second to read back,
and every `evaluate`, `derive`, notebook kernel and test worker would otherwise derive them again.
An entry is keyed by what the symbolic result depends on and nothing else: the Hamiltonian matrix
as SymPy writes it out (`srepr`, which includes each symbol's sign assumptions), the eigenvector
gauge, the request (a Fermi-circle scenario, a skew reading) and a fingerprint of this package's
own source and of the SymPy version, so an edit of the code or an upgrade never reads a stale
entry (docs/design.md, "Caching and cost").

Where: ``$SEMICLASSICAL_CACHE`` if set (a directory, or ``off`` to disable), else
``$XDG_CACHE_HOME/semiclassical`` (``~/.cache/semiclassical``). Entries are pickles written
atomically (a temporary file renamed into place), so concurrent processes never read half an entry;
an unreadable entry is ignored and derived again. Like any pickle, an entry is trusted: the
directory is the user's own.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

import sympy as sp

__all__ = ["cache_directory", "load", "save", "model_key"]

_OFF = {"off", "0", "no", "false", "none"}


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """sha256 of every source file of the package, the SymPy version and the Python version."""
    h = hashlib.sha256(f"{sp.__version__} {sys.version_info[:2]}".encode())
    root = Path(__file__).parent
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:20]


def cache_directory() -> Path | None:
    """The directory of this code version's entries, or None when the store is switched off."""
    setting = os.environ.get("SEMICLASSICAL_CACHE")
    if setting is not None and setting.strip().lower() in _OFF:
        return None
    base = Path(setting) if setting else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "semiclassical"
    return base / code_fingerprint()


def model_key(*parts) -> str:
    """A stable digest of SymPy objects and plain data (matrices, gauges, tuples, strings)."""
    return hashlib.sha256(sp.srepr(parts).encode()).hexdigest()


def _path(key: str) -> Path | None:
    directory = cache_directory()
    return None if directory is None else directory / f"{key}.pickle"


def load(key: str):
    """The stored value of ``key``, or None (not stored, store off, or unreadable)."""
    path = _path(key)
    if path is None or not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)
    except Exception:       # a truncated or foreign entry: derive again (and overwrite it)
        return None


def save(key: str, value) -> None:
    """Store ``value`` under ``key``; a value that does not pickle, or a read-only disk, is skipped
    (the store only saves time, it never decides a result)."""
    path = _path(key)
    if path is None:
        return
    tmp = None
    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except Exception:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
