"""Parsing, validation and rotational covariance (issue 2)."""
import pytest
import sympy as sp

from semiclassical import catalogue
from semiclassical.errors import SemiclassicalError
from semiclassical.model import TwoBandModel


@pytest.mark.parametrize("name,J", [("ti-surface", 1), ("rashba-ferromagnet", 1), ("chiral", 2), ("dirac-quadratic", 1)])
def test_covariant_catalogue_models(name, J):
    cov = catalogue.get(name).covariance
    assert cov is not None and cov.winding == J


@pytest.mark.parametrize("name", ["tilted-dirac", "warped-dirac"])
def test_anisotropic_models_are_detected(name):
    m = catalogue.get(name)
    assert m.covariance is None and "harmonics" in m.why_not_covariant


def test_string_matrix_and_list_forms_agree():
    a = TwoBandModel.from_string("hbar*v*(kx*sy - ky*sx) + M*sz", {"v": 1, "M": 1})
    b = TwoBandModel.from_string([["M", "hbar*v*(-ky - I*kx)"], ["hbar*v*(-ky + I*kx)", "-M"]], {"v": 1, "M": 1})
    assert sp.simplify(a.matrix - b.matrix) == sp.zeros(2, 2)
    kx, ky, M = sp.symbols("kx ky M", real=True)
    c = TwoBandModel.from_matrix(sp.Matrix([[M, kx - sp.I * ky], [kx + sp.I * ky, -M]]), {"M": 1})
    assert c.covariance.winding == 1


def test_caret_is_power_with_power_precedence():
    m = TwoBandModel.from_string("((kx^2 - ky^2)*sx + 2*kx*ky*sy)/(2*m) + M*sz", {"m": 1, "M": 1})
    assert m.covariance.winding == 2


@pytest.mark.parametrize("ham,params,fragment", [
    ("kx*sy - ky*sx + Mm*sz", {"M": 1}, "unknown name 'Mm' (did you mean 'M'?)"),
    ("kx*sy + I*sx + M*sz", {"M": 1}, "not Hermitian"),
    ([["1", "0", "0"], ["0", "1", "0"], ["0", "0", "1"]], {}, "must be 2x2"),
    ("__import__('os').system('true')", {}, "is not allowed"),
    ("__import__('os')", {}, "call of '__import__' is not allowed"),
    ("kx.__class__", {}, "'Attribute' is not allowed"),
    ("M*sz", {"M": 1}, "does not depend on kx or ky"),
    ("kx*sy + M*sz", {"__class__": 1}, "is not allowed"),
    ("kx*sy + lambda_*sz", {}, "unknown name"),
    ("kx*sy +* M*sz", {"M": 1}, "syntax error"),
])
def test_bad_input_one_clear_line(ham, params, fragment):
    with pytest.raises(SemiclassicalError) as info:
        TwoBandModel.from_string(ham, params)
    msg = str(info.value)
    assert fragment in msg and "\n" not in msg


def test_missing_parameter_value():
    m = TwoBandModel.from_string("v*(kx*sy - ky*sx) + M*sz", ["v", "M"])
    with pytest.raises(SemiclassicalError, match="missing value for parameter"):
        m.resolve_values({"v": 1.0})


def test_toml_model_file(tmp_path):
    f = tmp_path / "rfm.toml"
    f.write_text('[model]\nname = "rfm"\nhamiltonian = "k**2/(2*m) + alpha*(kx*sy - ky*sx) + Delta*sz"\n'
                 '[parameters]\nm = 1.0\nalpha = 1.0\nDelta = 0.5\n[disorder]\ntype = "white-noise"\nW = 0.01\n')
    m = TwoBandModel.from_toml(f)
    assert m.name == "rfm" and m.covariance.winding == 1 and m.disorder.W == 0.01
    f.write_text('[model]\nhamiltonian = "kx*sy"\n[disorder]\nW = -1\n')
    with pytest.raises(SemiclassicalError, match="must be a positive number"):
        TwoBandModel.from_toml(f)
