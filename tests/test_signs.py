"""Parameters of either sign and zero (issue 18 item 2; docs/design.md section 2, "sign cases").

Every parameter takes any real value without re-declaration: the closed form is derived once per
sign pattern (:meth:`TwoBandModel.sign_case`) and checked here against the quadrature engine, which
never sees a sign assumption (it lambdifies H at numbers). The physics checks are symmetries that
could fail if a sign case were derived wrongly: sigma_yx is odd in the mass M (time reversal maps
M -> -M and flips every Hall response) and even in v (v -> -v is the rotation k -> -k, under which
sigma_yx, a pseudoscalar of the plane, is invariant).
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from semiclassical import catalogue
from semiclassical.engines import Problem, compare
from semiclassical.errors import SemiclassicalError
from semiclassical.model import TwoBandModel

#: the closed form is exact; the quadrature engine's stated accuracy is 1e-8 relative (engines/compare.py)
RTOL = 1e-8


def _cli_json(*args):
    out = subprocess.run([sys.executable, "-m", "semiclassical", *args, "--json"], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout, parse_constant=lambda c: pytest.fail(f"non-strict JSON constant {c}"))


def test_hall_conductivity_is_odd_in_the_mass_from_the_command_line():
    plus = _cli_json("evaluate", "ti-surface", "--set", "M=0.4", "--set", "eF=0.9")
    minus = _cli_json("evaluate", "ti-surface", "--set", "M=-0.4", "--set", "eF=0.9")
    for piece in ("intrinsic", "side_jump", "skew", "total"):
        a, b = plus["sigma_yx"][piece], minus["sigma_yx"][piece]
        assert abs(a) > 1e-4                       # a non-trivial number, so oddness is a real check
        assert b == pytest.approx(-a, rel=RTOL)
    assert minus["agreement"]["agree"] is True


@pytest.mark.parametrize("values", [{"v": -1.3, "M": 0.4}, {"v": -0.8, "M": -0.6}])
def test_other_signs_agree_with_quadrature(values):
    model = catalogue.get("ti-surface")
    c = compare(Problem.at(model, {**values, "eF": 1.1}), ("closed_form", "quadrature"))
    assert c.agree, c.disagreements
    flipped = compare(Problem.at(model, {"v": -values["v"], "M": values["M"], "eF": 1.1}), ("closed_form",))
    a = c.responses["closed_form"].values["sigma_yx"]["total"]
    assert flipped.responses["closed_form"].values["sigma_yx"]["total"] == pytest.approx(a, rel=1e-12)


def test_sign_cases_are_cached_and_described():
    model = catalogue.get("rashba-ferromagnet")
    case = model.sign_case({"m": 1.0, "alpha": -0.5, "Delta": 0.0})
    assert case is model.sign_case({"m": 2.0, "alpha": -0.1, "Delta": 0.0})
    assert model.sign_case(model.resolve_values()) is model
    assert case.sign_description == "m > 0, alpha < 0, Delta = 0"
    assert not case.matrix.has(model.parameters["Delta"]) and case.parameters["alpha"].is_negative


def test_declared_positive_parameter_refuses_the_other_sign(tmp_path):
    f = tmp_path / "m.toml"
    f.write_text('[model]\nhamiltonian = "k**2/(2*m) + alpha*(kx*sy - ky*sx)"\n'
                 '[parameters]\nm = 1.0\nalpha = 0.5\npositive = ["m"]\n')
    model = TwoBandModel.from_toml(f)
    with pytest.raises(SemiclassicalError, match=r"m = -1 must be positive .*remove m from \[parameters\] positive"):
        Problem.at(model, {"m": -1.0, "eF": 1.0})
    Problem.at(model, {"alpha": -0.5, "eF": 1.0})   # alpha is not declared: any sign


@pytest.mark.parametrize("sets, message", [
    ({"m": 0.0}, "m = 0 makes the Hamiltonian singular"),
    ({"alpha": 0.0, "Delta": 0.0}, "H is a multiple of the identity"),
    ({"alpha": 0.0, "Delta": 0.3}, None),            # a Zeeman-split 2DEG: allowed
])
def test_zero_values(sets, message):
    model = catalogue.get("rashba-ferromagnet")
    if message:
        with pytest.raises(SemiclassicalError, match=message):
            Problem.at(model, {**sets, "eF": 1.0})
    else:
        problem = Problem.at(model, {**sets, "eF": 1.0})
        assert problem.model.sign_case(problem.values).zero == ("alpha",)


def test_zero_everywhere_is_no_band_structure():
    with pytest.raises(SemiclassicalError, match="v = 0, M = 0: the Hamiltonian does not depend on kx or ky"):
        Problem.at(catalogue.get("ti-surface"), {"v": 0.0, "M": 0.0, "eF": 1.0})


def test_derive_states_its_sign_case():
    out = subprocess.run([sys.executable, "-m", "semiclassical", "derive", "ti-surface", "--set", "M=-0.5",
                          "--set", "eF=1", "--only", "tau", "--json"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["sign_case"].startswith("v > 0, M < 0")
