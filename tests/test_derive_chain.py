"""`derive` gives the whole chain for a model, `check` judges a hand calculation (issue 13)."""
import json
import shutil
import subprocess

import pytest
import sympy as sp

from semiclassical import catalogue
from semiclassical.chain import GEOMETRY_KEYS, derive_chain
from semiclassical.chain_document import as_json, as_latex_document
from semiclassical.check import check
from semiclassical.cli import EXIT_NOT_EQUAL, main
from semiclassical.engines import ClosedForm, Problem
from semiclassical.errors import SemiclassicalError

POINT = {"v": 1.3, "M": 0.4, "eF": 1.1, "hbar": 0.8}


@pytest.fixture(scope="module")
def ti_chain():
    model = catalogue.get("ti-surface")
    geometry, scenarios = derive_chain(model, POINT, magnetization="M")
    return model, geometry, scenarios


def test_every_step_is_there(ti_chain):
    _, geometry, [(label, results)] = ti_chain
    assert [r.key for r in geometry] == list(GEOMETRY_KEYS)
    keys = {r.key for r in results}
    for key in ("born_kernel", "tau", "tau_tr", "n_leading", "beta", "gamma", "n_side_jump", "n_skew",
                "sigma_yx.total", "sigma_xx.drude", "spin_density.x.total", "spin_density.y.edelstein",
                "torque.edelstein", "torque.skew", "torque.total"):
        assert key in keys, key
    assert "band +, electron-like" in label


def test_sommerfeld_coefficients_are_in_the_chain(ti_chain):
    """derive gives each piece's T^2 coefficient (pi^2/6) X_0''(eF) (issue 16): checked against a central
    second difference of the closed-form engine in eF (step 1e-3: truncation ~1e-7 relative, round-off
    ~1e-16/1e-6 = 1e-10; tolerance 1e-5)."""
    import math

    model, _, [(_, results)] = ti_chain
    by_key = {r.key: r for r in results}
    for piece in ("intrinsic", "side_jump", "skew"):
        c2 = by_key[f"sigma_yx.{piece}.T2"].expr
        at = {s: POINT[s.name] for s in c2.free_symbols if s.name in POINT and s.name != "eF"}
        at.update({s: 1.0 for s in c2.free_symbols if s.name == "e"})
        h = 1e-3
        f = [ClosedForm().evaluate(Problem.at(model, {**POINT, "eF": POINT["eF"] + j * h})).value("sigma_yx", piece)
             for j in (-1, 0, 1)]
        fd = math.pi ** 2 / 6 * (f[0] - 2 * f[1] + f[2]) / h ** 2
        got = float(c2.xreplace(at).xreplace({s: POINT["eF"] for s in c2.free_symbols if s.name == "eF"}))
        assert got == pytest.approx(fd, rel=1e-5, abs=1e-9), piece


def test_explicit_forms_are_the_closed_form_numbers(ti_chain):
    """The explicit forms of `derive`, evaluated at the point, are the closed-form engine's numbers (with
    the crossed pieces: sigma_yx.pair_skew and spin_density.x.pair_skew)."""
    model, _, [(_, results)] = ti_chain
    W_value = 0.03
    numbers = ClosedForm().evaluate(Problem.at(model, {**POINT, "W": W_value}, crossed=True))
    subs = {s: POINT[s.name] if s.name in POINT else {"W": W_value, "e": 1.0}[s.name]
            for r in results if r.explicit is not None and not r.is_vector
            for s in sp.sympify(r.explicit).free_symbols}
    checked = 0
    for r in results:
        key = r.key
        # the .T2 Sommerfeld coefficients have their own test (test_sommerfeld_coefficients_are_in_the_chain)
        if r.explicit is None or r.is_vector or not key.startswith(("sigma_yx.", "spin_density.", "sigma_xx.")) \
                or key.endswith(".T2"):
            continue
        obs, piece = key.rsplit(".", 1)
        if key == "spin_density.y.pair_skew":      # not among the crossed keys of evaluate (0 for the TI)
            assert r.explicit == 0
            continue
        x = complex(sp.sympify(r.explicit).xreplace(subs).evalf())
        assert x.real == pytest.approx(numbers.value(obs, piece), rel=1e-10, abs=1e-14), key
        checked += 1
    assert checked >= 14


def test_torque_is_m_cross_spin(ti_chain):
    """T = M zhat x <sigma> (Eqs. 104-105 with m = zhat): T_x = -M <sigma_y>, T_y = M <sigma_x>."""
    _, _, [(_, results)] = ti_chain
    by_key = {r.key: r for r in results}
    M = sp.Symbol("M", positive=True)
    tx, ty = by_key["torque.edelstein"].expr
    assert sp.simplify(tx + M * sp.sympify(by_key["spin_density.y.edelstein"].expr)) == 0
    assert sp.simplify(ty - M * sp.sympify(by_key["spin_density.x.edelstein"].expr)) == 0


def test_reproduce_is_derive_of_the_paper_model(ti_chain):
    """Issue 13 item 2: what `reproduce` sets beside the print (derivations/ti_*.py) is what `derive
    ti-surface` derives: each row's closed form equals the chain's explicit form of its key (exact
    rational arithmetic at three points of the scenario 0 < M < eF; both are closed forms, so the
    bound is round-off of the exact evaluation, 1e-12 relative). The torque: T = M zhat x <sigma>."""
    from semiclassical.derivations import ti_anomalous_hall, ti_spin_orbit_torque

    forms = {**ti_anomalous_hall.derive().forms(), **ti_spin_orbit_torque.derive().forms()}
    _, _, [(_, results)] = ti_chain
    by_key = {r.key: r for r in results}
    names = {s.name: s for r in results if r.explicit is not None for s in sp.sympify(r.explicit).free_symbols}
    from semiclassical.reproduce import DERIVE_KEYS

    for eq, key in ((e, k) for e, k in DERIVE_KEYS.items() if k.startswith(("sigma_yx", "spin_density"))):
        ours, printed_route = sp.sympify(by_key[key].explicit), sp.sympify(forms[eq])
        subs = {s: names.get(s.name, s) for s in printed_route.free_symbols}
        printed_route = printed_route.xreplace(subs)
        for point in ({"v": 1.3, "M": 0.4, "eF": 1.1, "hbar": 0.8, "e": 1.1, "W": 0.05},
                      {"v": 0.7, "M": 0.9, "eF": 2.5, "hbar": 1.0, "e": 1.0, "W": 0.01},
                      {"v": 2.0, "M": 0.1, "eF": 0.3, "hbar": 1.5, "e": 0.9, "W": 0.2}):
            vals = {s: sp.Rational(str(point[s.name])) for s in ours.free_symbols | printed_route.free_symbols}
            a, b = complex(ours.xreplace(vals).evalf(30)), complex(printed_route.xreplace(vals).evalf(30))
            assert abs(a - b) <= 1e-12 * max(abs(a), abs(b), 1e-30), (eq, key, point, a, b)
    assert "torque.total" in by_key


def test_json_reads_back_with_sympify(ti_chain):
    model, geometry, scenarios = ti_chain
    out = json.loads(json.dumps(as_json(model, geometry, scenarios)))
    records = {r["key"]: r for r in out["results"]}
    total = records["sigma_yx.total"]
    back = sp.sympify(total["explicit"])
    assert {s.name for s in back.free_symbols} <= {"M", "eF", "hbar", "e", "v"}
    assert total["scenario"].startswith("eF = 1.1")
    assert isinstance(total["latex"], str) and total["explicit_latex"]


def test_every_scenario_without_eF():
    """No eF: one scenario per energy window (hole side, gap, electron side for the TI)."""
    _, scenarios = derive_chain(catalogue.get("ti-surface"), None, explicit=False)
    labels = [label for label, _ in scenarios]
    assert len(labels) == 3
    assert any("gap" in x for x in labels) and any("hole-like" in x for x in labels)


@pytest.mark.skipif(not (shutil.which("pdflatex") or shutil.which("lualatex")), reason="no TeX engine")
def test_latex_document_compiles(ti_chain, tmp_path):
    model, geometry, scenarios = ti_chain
    tex = tmp_path / "derive.tex"
    tex.write_text(as_latex_document(model, geometry, scenarios))
    engine = shutil.which("pdflatex") or shutil.which("lualatex")
    proc = subprocess.run([engine, "-interaction=nonstopmode", "-halt-on-error", tex.name], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:]


def test_latex_document_is_complete(ti_chain):
    doc = as_latex_document(*ti_chain)
    assert doc.startswith(r"\documentclass") and doc.rstrip().endswith(r"\end{document}")
    assert r"\epsilon_F" in doc


def test_latex_document_says_what_was_not_derived(ti_chain):
    """A result whose form was not derived (expr None: a T^2 coefficient past its budget) is one
    sentence of the document, not an internal error (derive --out crashed on it)."""
    import dataclasses

    model, geometry, scenarios = ti_chain
    label, results = scenarios[0]
    missing = dataclasses.replace(results[0], expr=None, explicit=None,
                                  notes=["not differentiated within the 1 s budget (--budget)"])
    doc = as_latex_document(model, geometry, [(label, [missing, *results[1:]])])
    assert "not derived: not differentiated within the 1 s budget (--budget)." in doc
    assert doc.rstrip().endswith(r"\end{document}")


# ----------------------------------------------------------------------------- check
SKEW = "3*M*e**2*(eF**2 - M**2)**2/(4*pi*hbar*eF*(3*M**2 + eF**2)**2)"     # Eq. 85 with hbar kept


@pytest.mark.parametrize("expression,verdict,factor", [
    (SKEW, "equal", None),
    (f"-2*({SKEW})", "factor", "-2"),
    (f"({SKEW})*hbar", "factor", "1*hbar"),
])
def test_check_verdicts(expression, verdict, factor):
    v = check(catalogue.get("ti-surface"), "sigma_yx.skew", expression, {"eF": 1.2})
    assert v.verdict == verdict
    if factor:
        assert v.factor_expression == factor


def test_check_names_the_sum_it_equals():
    extrinsic_plus_side_jump = "-M*e**2*(M - eF)*(M + eF)/(pi*eF*hbar*(3*M**2 + eF**2))"
    v = check(catalogue.get("ti-surface"), "sigma_yx.skew", extrinsic_plus_side_jump, {"eF": 1.2})
    assert v.verdict == "different" and v.matches == "sigma_yx.extrinsic + sigma_yx.side_jump"
    assert all(p["relative_difference"] > 0.1 for p in v.points)


def test_check_in_circle_variables_and_geometry():
    ti = catalogue.get("ti-surface")
    assert check(ti, "sigma_yx.intrinsic", "C_1*e**2/(4*pi*hbar)", {"eF": 1.2}).equal
    assert check(ti, "energies[+]", "sqrt(M**2 + hbar**2*v**2*k**2)", {"eF": 1.2}).equal


def test_check_command_line(capsys):
    assert main(["check", "ti-surface", "sigma_yx.skew", SKEW, "--set", "eF=1.2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "equal" and len(out["points"]) >= 5
    assert main(["check", "ti-surface", "sigma_yx.skew", f"2*({SKEW})", "--set", "eF=1.2"]) == EXIT_NOT_EQUAL
    assert capsys.readouterr().out.startswith("factor: your expression is 2 times")


@pytest.mark.parametrize("key,expression,fragment", [
    ("sigma_yx.skwe", "M", "unknown key 'sigma_yx.skwe'"),
    ("sigma_yx.skew", "M + foo", "unknown name 'foo'"),
    ("energies", "M", "write the key as energies[+]"),
    ("sigma_yx.skew", "M.__class__", "not allowed"),
])
def test_check_bad_input_is_one_line(key, expression, fragment, capsys):
    assert main(["check", "ti-surface", key, expression, "--set", "eF=1.2"]) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and len(err.splitlines()) == 1


def test_derive_only_unknown_key_is_one_line(capsys):
    assert main(["derive", "ti-surface", "--only", "sigma_yy"]) == 2
    err = capsys.readouterr().err.strip()
    assert "unknown key 'sigma_yy'" in err and len(err.splitlines()) == 1


def test_check_refuses_a_gap():
    with pytest.raises(SemiclassicalError, match="eF = 0.1: eF in a gap, no Fermi circle"):
        check(catalogue.get("ti-surface"), "sigma_yx.skew", "M", {"eF": 0.1})


def test_below_every_band_is_not_called_a_gap():
    with pytest.raises(SemiclassicalError, match="eF below every band: no state is occupied"):
        check(catalogue.get("rashba-ferromagnet"), "sigma_yx.skew", "Delta", {"eF": -5.0})
