"""Finite temperature (issue 16 item 1; docs/temperature.md): the thermal wrapper of every engine, the
Sommerfeld coefficients, and Kubo-Streda at T > 0 with its own Fermi-sea integrand.

Cheapest models and few points: the TI surface (massive Dirac, v = 1, M = 0.5) in the upper band and
in the gap; windows |eps - mu| <= 40 T that avoid the band edges where a test needs one piece only.
"""
import json
import math

import numpy as np
import pytest

from semiclassical import catalogue, sommerfeld
from semiclassical.cli import main
from semiclassical.engines import Problem, compare, get_engine
from semiclassical.engines.closed_form import derivation_for
from semiclassical.engines.thermal import band_features, window_rule
from semiclassical.errors import SemiclassicalError
from semiclassical.kubo import kubo_response
from semiclassical.kubo.thermal import fermi_sea_thermal, kubo_response_thermal
from semiclassical.model import e
from semiclassical.parsing import hbar

TI = {"v": 1.0, "M": 0.5, "W": 0.01}
PIECES = ("intrinsic", "extrinsic", "side_jump", "skew")


def _ti(mu, T=0.0):
    return Problem.at(catalogue.get("ti-surface"), {**TI, "eF": mu, "T": T})


def test_window_rule_moments():
    """The Gauss rule of -df/deps: weights sum to the window's weight, moments x^2 and x^4 are
    pi^2/3 and 7 pi^4/15 (to the tail beyond 40: 40^4 e^-40 ~ 1e-11), nodes interior."""
    x, w = window_rule(-40.0, 40.0, 6)
    assert w.sum() == pytest.approx(1.0, abs=1e-15)
    assert w @ x**2 == pytest.approx(math.pi**2 / 3, rel=1e-13)
    assert w @ x**4 == pytest.approx(7 * math.pi**4 / 15, rel=1e-11)
    x, w = window_rule(2.5, 40.0, 5)
    assert np.all((x > 2.5) & (x < 40.0)) and np.all(w > 0)
    assert w.sum() == pytest.approx(1 / (1 + math.exp(2.5)), rel=1e-13)


@pytest.mark.parametrize("sets,fragment", [({"T": -0.01}, "T = -0.01 is negative"),
                                           ({"T": float("nan")}, "T = nan is not a finite number")])
def test_bad_temperature_is_one_clear_error(sets, fragment):
    with pytest.raises(SemiclassicalError, match=fragment):
        Problem.at(catalogue.get("ti-surface"), {**TI, "eF": 1.0, **sets})


@pytest.mark.parametrize("value,fragment", [("-0.01", "is negative"), ("nan", "not a finite number")])
def test_cli_bad_temperature_exits_2_with_one_line(value, fragment, capsys):
    assert main(["evaluate", "ti-surface", "--set", "eF=1", "--set", f"T={value}"]) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and len(err.splitlines()) == 1


def test_T_is_not_a_model_parameter():
    """T is reserved (modelfile.RESERVED_QUANTITIES): a model with a parameter T is one clear line."""
    from semiclassical.model import TwoBandModel

    with pytest.raises(SemiclassicalError, match="parameter name 'T' is reserved"):
        TwoBandModel.from_string("T*sz + kx*sx + ky*sy", {"T": 1.0})


def test_T_to_zero_limit_equals_T_zero_numbers():
    cf = get_engine("closed_form")
    r0, rT = cf.evaluate(_ti(1.0)), cf.evaluate(_ti(1.0, 1e-4))
    assert rT.meta["engine_calls"] == 12 and rT.meta["breakpoints"] == []
    for key in ("sigma_yx", "spin_density.x"):
        for piece in PIECES + ("total",):
            a, b = r0.value(key, piece), rT.value(key, piece)
            # the T^2 term: (pi^2/6) T^2 X'' ~ 1e-8 X here
            assert b == pytest.approx(a, rel=2e-7, abs=1e-12), (key, piece)
    assert rT.meta["circles"] == r0.meta["circles"]


def test_sommerfeld_T2_coefficient_against_the_exact_convolution():
    """(X(T) - X_0)/T^2 -> (pi^2/6) X_0'' with remainder (7 pi^4/360) T^2 X_0'''' + O(T^4): at T = 0.01
    (distance to the band edge 0.5 = 50 T, window with no edge inside) the T^2 coefficients agree to
    within 1.05 times the T^4 term, and the difference is that term to 2 % (the next one, O(T^4) in
    the ratio, is ~ (T/0.5)^2 relative)."""
    model = catalogue.get("ti-surface")
    values = {"eF": 1.0, "v": 1.0, "M": 0.5, "hbar": 1.0}
    D = derivation_for(model, "T", values)
    sc = D.scenario(values)
    keys = [f"sigma_yx.{p}" for p in PIECES]
    c2 = c4 = {r.key: r.expr for r in sommerfeld.results(D, sc, values, orders=(2, 4), keys=keys)}
    assert sommerfeld.constant(1) == sommerfeld.sp.pi**2 / 6 and sommerfeld.constant(2) == 7 * sommerfeld.sp.pi**4 / 360
    at = {**{s: values[n] for n, s in D.model.symbols.items()}, hbar: 1.0, e: 1.0, sommerfeld.eF: 1.0}
    T = 0.01
    cf = get_engine("closed_form")
    r0, rT = cf.evaluate(_ti(1.0)), cf.evaluate(_ti(1.0, T))
    for p in PIECES:
        exact = (rT.value("sigma_yx", p) - r0.value("sigma_yx", p)) / T**2
        a2, a4 = float(c2[f"sigma_yx.{p}.T2"].xreplace(at)), float(c4[f"sigma_yx.{p}.T4"].xreplace(at))
        assert abs(exact - a2) <= 1.05 * abs(a4) * T**2, p
        assert exact - a2 == pytest.approx(a4 * T**2, rel=0.02), p
    # intrinsic: e^2 M/(4 pi hbar eF) -> (pi^2/6) 2 e^2 M/(4 pi hbar eF^3)
    assert float(c2["sigma_yx.intrinsic.T2"].xreplace(at)) == pytest.approx(math.pi / 24, rel=1e-14)


def test_closed_form_equals_quadrature_at_T_through_the_wrapper(capsys):
    """`evaluate --set T=...`: both engines through the thermal wrapper, T in the JSON."""
    assert main(["evaluate", "ti-surface", "--set", "eF=1", "--set", "W=0.01", "--set", "T=0.01", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["T"] == 0.01 and out["parameters"]["T"] == 0.01
    assert out["agreement"]["agree"] and out["agreement"]["checked"] >= 18
    assert out["quadrature"]["meta"]["engine_calls"] == 12
    for p in PIECES:
        assert out["quadrature"]["sigma_yx"][p] == pytest.approx(out["sigma_yx"][p], rel=1e-9)


def test_fermi_sea_thermal_low_T_equals_clean_sea():
    nm = catalogue.numeric_model("ti-surface", v=1.0, M=0.5)
    sea, err = fermi_sea_thermal(nm, 0.3, 1e-4)            # in the gap: e^2/(4 pi hbar)
    assert sea[1] == pytest.approx(kubo_response(nm, 0.3, 0.01)["sigma_yx"]["fermi_sea"], rel=1e-12)
    assert sea[1] == pytest.approx(1 / (4 * math.pi), rel=1e-12) and err[1] < 1e-12


@pytest.mark.parametrize("mu,T", [(1.0, 0.01),      # TI surface, upper band (one piece, 12 Kubo calls)
                                  (0.45, 0.02)])    # massive Dirac, mu in the gap, window across the edge
def test_kubo_at_T_against_semiclassical_convolution(mu, T):
    """Kubo-Streda at T > 0 (K^I convolved, W -> 0 at each energy; K^II with its own Fermi-function
    integrand) against the closed-form pieces convolved with -df/deps: sigma_yx and <s_x> totals
    (the W^0 totals fixed at the Born/NCA level) within 20 x the error estimates + 1e-9 relative."""
    p = _ti(mu, T)
    nm = catalogue.numeric_model("ti-surface", v=1.0, M=0.5)
    features, _ = band_features(p)
    k = kubo_response_thermal(nm, mu, T, 0.01, features, rtol=1e-8)
    c = get_engine("closed_form").evaluate(p)
    for key, kb in (("sigma_yx", k["sigma_yx"]), ("spin_density.x", k["spin_density"]["x"])):
        ke = k["error"]["sigma_yx"]["total"] if key == "sigma_yx" else k["error"]["spin_density"]["x"]["total"]
        a = c.value(key, "total")
        assert abs(kb["total"] - a) <= 20 * (ke + c.error(key, "total")) + 1e-9 * abs(a), key
    if mu < 0.5:
        # in the gap the thermal sea is below its T = 0 value e^2/(4 pi hbar); the activated surface
        # term makes up the semiclassical total, so the sum checks the by-parts statement
        assert k["sigma_yx"]["fermi_sea"] < 1 / (4 * math.pi) - 1e-3 and k["sigma_yx"]["fermi_surface"] > 1e-3


def test_compare_at_T_checks_no_fermi_surface():
    """At T > 0 there is no single Fermi surface: compare judges the numbers only, with circles at mu."""
    c = compare(_ti(0.55, 0.02), ("closed_form",))
    r = c.responses["closed_form"]
    assert r.meta["breakpoints"] == [0.5] and r.meta["engine_calls"] > 12
    assert c.as_dict()["circles"] == r.meta["circles"] and "T = 0.02" in r.notes[0]
