"""The persistent store of derivations (semiclassical.store): read back, not trusted blindly.

A stored result must be the derived one (same numbers), keyed by everything the derivation depends
on (matrix with its sign assumptions, gauge), switched off on request, and an unreadable entry must
be derived again rather than break or change a result.
"""
from __future__ import annotations

import pytest

from semiclassical import catalogue, response, store
from semiclassical.bloch import Gauge
from semiclassical.derivation import Derivation

POINT = {"v": 1.0, "M": 0.5, "eF": 1.1}


@pytest.fixture
def fresh_store(tmp_path, monkeypatch):
    monkeypatch.setenv("SEMICLASSICAL_CACHE", str(tmp_path))
    return tmp_path


def _numbers(D):
    r = D.evaluate(POINT, W_value=0.01)
    return [r[f][p] for f in ("sigma_yx", "spin_density.x", "spin_density.y") for p in ("intrinsic", "extrinsic",
                                                                                         "side_jump", "skew")]


def test_a_second_derivation_reads_the_store_and_gives_the_same_numbers(fresh_store, monkeypatch):
    model = catalogue.get("ti-surface")
    first = _numbers(Derivation(model))
    assert list(fresh_store.rglob("*.pickle")), "nothing was stored"

    def must_not_run(*args, **kwargs):
        raise AssertionError("derived again although stored")

    monkeypatch.setattr(response, "leading_order", must_not_run)
    assert _numbers(Derivation(model)) == first


def test_the_key_holds_gauge_and_sign_assumptions(fresh_store):
    model = catalogue.get("ti-surface")
    Derivation(model).leading(Derivation(model).scenario(POINT))
    n = len(list(fresh_store.rglob("*.pickle")))
    D = Derivation(model, Gauge.random(3))          # another gauge: its own entries
    D.leading(D.scenario(POINT))
    assert len(list(fresh_store.rglob("*.pickle"))) > n
    negative = model.sign_case({**POINT, "M": -0.5})  # M < 0: another matrix in srepr
    assert store.model_key(negative.matrix) != store.model_key(model.matrix)


def test_off_stores_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("SEMICLASSICAL_CACHE", "off")
    assert store.cache_directory() is None
    Derivation(catalogue.get("ti-surface")).evaluate(POINT, W_value=0.01)
    assert not list(tmp_path.rglob("*.pickle"))


def test_an_unreadable_entry_is_derived_again(fresh_store):
    model = catalogue.get("ti-surface")
    first = _numbers(Derivation(model))
    for entry in fresh_store.rglob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert _numbers(Derivation(model)) == first
    assert all(entry.read_bytes() != b"not a pickle" for entry in fresh_store.rglob("*.pickle"))
