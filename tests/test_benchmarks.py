"""Smoke test of the benchmark script: ``benchmarks/bench.py --quick`` runs and prints every row.

No timing assertions (project rule: speed targets live in the benchmark script, compared as
ratios within one run); only that the script works and its table is complete and well formed.
"""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"


def _rows():
    spec = importlib.util.spec_from_file_location("semiclassical_bench", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.ROWS


def test_bench_quick_prints_every_row(tmp_path):
    out_json = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, str(BENCH), "--quick", "--json", str(out_json)],
                          capture_output=True, text=True, timeout=170)
    assert proc.returncode == 0, proc.stderr[-3000:]
    table = [line for line in proc.stdout.splitlines() if line.startswith("| ")]
    labels = [line.split("|")[1].strip() for line in table[1:]]
    rows = _rows()
    assert labels == list(rows)
    for line in table[1:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        assert len(cells) == 3 and cells[1], line
    assert "numpy" in proc.stdout and "CPUs" in proc.stdout
    data = json.loads(out_json.read_text())
    assert data["mode"] == "--quick" and set(data["rows"]) == set(rows)
    assert data["machine"]["cpu_count"] >= 1
