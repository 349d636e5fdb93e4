"""Test-session setup: one persistent store of derivations (semiclassical.store) per test run, one BLAS
thread per worker.

Every worker, notebook kernel and CLI subprocess of one run shares a fresh, empty store, so a
derivation is done once per run (the first test that needs it does it, with the code under test)
and never read from an earlier run or from the user's own ~/.cache.
"""
from __future__ import annotations

import os
import shutil
import tempfile

import pytest

# one BLAS thread per test worker (set before any test module imports numpy): the workers already fill
# the cores, and the engines' small dense matrices (Kubo's 96 x 96 eigh) ran up to 10x slower with
# threads competing (measured by the Kubo helper)
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

_OWNED = "_SEMICLASSICAL_TEST_STORE_OWNED"


def pytest_configure(config):
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:               # an xdist worker: the controller's store
        os.environ["SEMICLASSICAL_CACHE"] = workerinput["semiclassical_store"]
    elif "SEMICLASSICAL_CACHE" not in os.environ:
        os.environ["SEMICLASSICAL_CACHE"] = tempfile.mkdtemp(prefix="semiclassical-test-store-")
        os.environ[_OWNED] = "1"


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """xdist controller: hand every worker the same store."""
    node.workerinput["semiclassical_store"] = os.environ["SEMICLASSICAL_CACHE"]


def pytest_unconfigure(config):
    if getattr(config, "workerinput", None) is None and os.environ.pop(_OWNED, None):
        shutil.rmtree(os.environ.pop("SEMICLASSICAL_CACHE"), ignore_errors=True)
