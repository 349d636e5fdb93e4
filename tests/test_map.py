"""`semiclassical map` (issue 16 item 2, docs/maps.md): cache, resumption, Dask, the files.

Cheapest model (TI surface) and small grids; the Dask tests are skipped without dask.distributed.
"""
from __future__ import annotations

import csv
import os
import signal

import pytest

from semiclassical.cli import main
from semiclassical.maps import MapSpec, parse_axis, run_map


def _spec(engines=("quadrature",), grid=("eF=0.8:2.0:4",), **sets):
    return MapSpec("ti-surface", tuple(parse_axis(g) for g in grid), sets, engines)


def _rows(path):
    with open(path / "map.csv") as fh:
        return list(csv.reader(fh))


def _log_lines(path):
    return (path / "cache" / "computed.log").read_text().splitlines()


def test_grid_typo_is_one_line(tmp_path, capsys):
    for bad in ("eF=0.6:2", "eF=a:2:3", "eF 0.6:2:3", "eF=0.6:2:0"):
        assert main(["map", "ti-surface", "--grid", bad, "--out", str(tmp_path / "m")]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("semiclassical: error: --grid") and "\n" not in err
    assert main(["map", "ti-surface", "--grid", "eF=1:2:3", "--grid", "Mass=0:1:2", "--engines", "closed",
                 "--out", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err.strip()
    assert "unknown parameter 'Mass'" in err and "\n" not in err


def test_unreachable_scheduler_is_one_line(tmp_path, capsys, monkeypatch):
    pytest.importorskip("distributed")
    from semiclassical.maps import run

    monkeypatch.setattr(run, "CONNECT_TIMEOUT", 2)
    code = main(["map", "ti-surface", "--grid", "eF=1:2:2", "--engines", "quadrature", "--scheduler",
                 "tcp://127.0.0.1:1", "--out", str(tmp_path / "m"), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err and "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in err


def test_interrupted_map_resumes_with_only_the_missing_points_and_reruns_byte_for_byte(tmp_path):
    out = tmp_path / "m"

    def stop(computed, _client):
        if computed == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_map(_spec(), out, workers=0, progress=False, on_point=stop)
    assert len(_log_lines(out)) == 2 and not (out / "map.csv").exists()
    res = run_map(_spec(), out, workers=0, progress=False)
    assert res.computed == {"quadrature": 2}            # only the two missing points
    assert len(_log_lines(out)) == 4
    rows = _rows(out)
    assert rows[0][:3] == ["eF", "T", "quadrature.sigma_yx.drude"] and "quadrature.error.sigma_yx.total" in rows[0]
    assert [float(r[0]) for r in rows[1:]] == [0.8, 1.2, 1.6, 2.0]
    first = {p: (out / p).read_bytes() for p in ("map.csv", "map.json", "figures/sigma_yx.png")}
    again = run_map(_spec(), out, workers=0, progress=False)
    assert again.computed == {"quadrature": 0} and len(_log_lines(out)) == 4
    assert {p: (out / p).read_bytes() for p in first} == first


def test_vectorized_closed_form_equals_the_engine_point_by_point(tmp_path):
    spec = _spec(("closed_form",), ("eF=0.3:1.8:3", "M=-0.5:0.5:2"))
    run_map(spec, tmp_path / "v", progress=False, figures=False)
    run_map(spec, tmp_path / "p", progress=False, figures=False, vectorize=False, workers=0)
    a, b = _rows(tmp_path / "v"), _rows(tmp_path / "p")
    assert a[0] == b[0] and "sigma_yx.total" in a[0] and "torque.y.total" in a[0]
    for ra, rb in zip(a[1:], b[1:]):
        for x, y in zip(ra, rb):
            if x != y:
                assert abs(float(x) - float(y)) <= 1e-12 * max(1.0, abs(float(y)))


def test_map_columns_are_the_evaluate_keys(tmp_path, capsys):
    import json

    assert main(["map", "ti-surface", "--grid", "eF=1:1:1", "--engines", "closed,quadrature",
                 "--out", str(tmp_path / "m"), "--quiet", "--no-figures"]) == 0
    capsys.readouterr()
    assert main(["evaluate", "ti-surface", "--set", "eF=1", "--json"]) == 0
    from semiclassical.maps.output import flatten

    # every number of evaluate's JSON but the echo of the point, the metadata and the validity statement
    keys = [k for k in flatten(json.loads(capsys.readouterr().out))
            if k.split(".")[0] not in ("parameters", "disorder", "validity") and ".meta." not in k]
    assert _rows(tmp_path / "m")[0] == ["eF", *keys]


def test_serial_equals_parallel_and_a_killed_worker_loses_and_duplicates_no_point(tmp_path):
    pytest.importorskip("distributed")
    spec = _spec(grid=("eF=0.8:2.0:6",))
    run_map(spec, tmp_path / "s", workers=0, progress=False, figures=False)
    killed = []

    def kill(computed, client):
        if computed == 1 and client is not None and not killed:
            pids = client.run(os.getpid)
            victim = sorted(pids.values())[0]
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    res = run_map(spec, tmp_path / "d", workers=2, progress=False, figures=False, on_point=kill)
    assert killed and res.computed == {"quadrature": 6} and len(_log_lines(tmp_path / "d")) == 6
    s, d = _rows(tmp_path / "s"), _rows(tmp_path / "d")
    assert s[0] == d[0] and len(d) == 7 and len({r[0] for r in d[1:]}) == 6
    for rs, rd in zip(s[1:], d[1:]):
        for x, y in zip(rs, rd):
            if x != y:
                assert abs(float(x) - float(y)) <= 1e-12 * max(1.0, abs(float(y)))


def test_map_at_finite_temperature_is_evaluate_at_that_temperature(tmp_path, capsys):
    """T on the grid (or --set): the map's closed form is the thermal convolution of evaluate, not the
    T = 0 value (the vectorized T = 0 path must not answer a T > 0 point)."""
    import json

    assert main(["map", "ti-surface", "--grid", "T=0:0.05:2", "--set", "eF=1", "--engines", "closed",
                 "--out", str(tmp_path / "m"), "--quiet", "--no-figures"]) == 0
    capsys.readouterr()
    assert main(["evaluate", "ti-surface", "--set", "eF=1", "--set", "T=0.05", "--engines", "closed_form", "--json"]) == 0
    want = json.loads(capsys.readouterr().out)["sigma_yx"]["total"]
    head, cold, warm = _rows(tmp_path / "m")
    col = head.index("sigma_yx.total")
    assert float(warm[col]) == want
    assert abs(float(cold[col]) - want) > 1e-4      # the T^2 shift at T = 0.05 is ~8e-4 here


def test_local_workers_keep_glibcs_malloc_and_one_blas_thread():
    """distributed's MALLOC_TRIM_THRESHOLD_=65536 cost a Kubo point 11% of CPU time in a worker
    (docs/maps.md, Dask): the map's local workers are spawned without it, with one BLAS thread."""
    pytest.importorskip("distributed")
    from semiclassical.maps import run

    inherited = os.environ.get("MALLOC_TRIM_THRESHOLD_")      # a user's own setting is passed on
    client, cluster, _ = run._client(1, None)
    try:
        env = client.run(lambda: (os.environ.get("MALLOC_TRIM_THRESHOLD_"), os.environ.get("OMP_NUM_THREADS")))
    finally:
        client.close()
        cluster.close()
    assert list(env.values()) == [(inherited, "1")]
