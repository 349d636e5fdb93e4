"""The engine interface (docs/design.md section 2, "Engines"): one input, one result type, engines
that check each other."""
import json

import pytest

from semiclassical import catalogue, observables
from semiclassical.cli import EXIT_DISAGREE, main
from semiclassical.engines import ENGINES, ClosedForm, Problem, Quadrature, Response, compare
from semiclassical.errors import SemiclassicalError


def _strict_json(text):
    """json.loads that refuses NaN and Infinity (the JSON contract is strict)."""
    def refuse(name):
        raise ValueError(f"non-standard JSON constant {name}")
    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def ti_problem():
    return Problem.at(catalogue.get("ti-surface"), {"eF": 1.2, "M": 0.4, "W": 0.02})


def test_every_engine_answers_with_the_registry(ti_problem):
    result = compare(ti_problem, ("closed_form", "quadrature"))
    assert set(result.responses) == {"closed_form", "quadrature"}
    for r in result.responses.values():
        assert isinstance(r, Response)
        for key, pieces in r.values.items():
            assert tuple(pieces) == observables.get(key).pieces
    # the closed form has no z spin density; the quadrature engine reports it
    assert "spin_density.z" not in result.responses["closed_form"].values
    assert result.responses["quadrature"]["spin_density"]["z"]["total"] == pytest.approx(0, abs=1e-12)
    assert result.agree and result.checked >= 15


def test_derivation_evaluate_is_the_closed_form_engine(ti_problem):
    from semiclassical.engines.closed_form import derivation_for

    D = derivation_for(ti_problem.model, "T")
    via_derivation = D.evaluate({"eF": 1.2, "M": 0.4}, W_value=0.02)
    assert via_derivation.values == ClosedForm().evaluate(ti_problem).values


def test_totals_are_the_sum_of_the_w0_pieces(ti_problem):
    r = Quadrature().evaluate(ti_problem)
    for key, pieces in r.values.items():
        assert pieces["total"] == pytest.approx(sum(pieces[p] for p in observables.W0_PIECES), abs=1e-15)


def test_a_perturbed_closed_form_is_flagged(monkeypatch, capsys):
    """A closed-form piece off by 1e-6 relative: evaluate names it, both values, and exits 3."""
    from semiclassical.engines import closed_form

    real = closed_form.closed_form_tree

    def perturbed(*args, **kw):
        out = real(*args, **kw)
        out["sigma_yx"]["skew"] *= 1 + 1e-6
        return out

    monkeypatch.setattr(closed_form, "closed_form_tree", perturbed)
    assert main(["evaluate", "ti-surface", "--set", "eF=1.1", "--json"]) == EXIT_DISAGREE
    captured = capsys.readouterr()
    out = _strict_json(captured.out)
    assert not out["agreement"]["agree"]
    [bad] = out["agreement"]["disagreements"]
    assert bad["key"] == "sigma_yx.skew" and bad["engines"] == ["closed_form", "quadrature"]
    assert "sigma_yx.skew" in captured.err and "disagree" in captured.err


def test_evaluate_json_is_strict_and_echoes_the_disorder(capsys):
    assert main(["evaluate", "rashba-ferromagnet", "--set", "eF=1.0", "--json"]) == 0
    out = _strict_json(capsys.readouterr().out)
    assert out["disorder"]["description"] == "white noise, W = 0.01 (default)"
    assert out["disorder"]["W"] == 0.01 and "W" in out["disorder"]["defaulted"]
    assert out["agreement"]["agree"]
    assert out["quadrature"]["error"]["sigma_yx"]["skew"] > 0


def test_closed_engine_alone(capsys):
    assert main(["evaluate", "ti-surface", "--set", "eF=1.1", "--engines", "closed", "--json"]) == 0
    out = _strict_json(capsys.readouterr().out)
    assert "quadrature" not in out and out["agreement"]["checked"] == 0
    assert out["sigma_yx"]["total"] > 0


def test_anisotropic_model_says_why_there_is_no_closed_form(capsys):
    assert main(["evaluate", "tilted-dirac", "--set", "eF=1.0", "--json"]) == 0
    out = _strict_json(capsys.readouterr().out)
    assert out["closed_form"].startswith("none: the model is not rotationally covariant")
    assert "sigma_yx" not in out and out["quadrature"]["sigma_yx"]["total"] > 0


@pytest.mark.parametrize("sets,fragment", [
    ({"eF": 1.0, "W": float("inf")}, "W = inf is not a finite number"),
    ({"eF": float("nan")}, "eF = nan is not a finite number"),
    ({"eF": 1.0, "e": 0.0}, "e = 0.0 must be positive"),
    ({"eF": 1.0, "e": -1.0}, "e = -1.0 must be positive"),
    ({"eF": 1.0, "W": -0.1}, "must be positive"),
])
def test_problem_refuses_impossible_values(sets, fragment):
    with pytest.raises(SemiclassicalError, match=fragment.replace("(", r"\(")):
        Problem.at(catalogue.get("ti-surface"), sets)


def test_bad_engine_name_is_one_line(capsys):
    assert main(["evaluate", "ti-surface", "--set", "eF=1.1", "--engines", "closed,kubbo"]) == 2
    err = capsys.readouterr().err.strip()
    assert "--engines" in err and len(err.splitlines()) == 1


def test_the_engine_registry():
    assert set(ENGINES) == {"closed_form", "quadrature", "kubo"}
    assert ENGINES["closed_form"].unavailable(Problem.at(catalogue.get("tilted-dirac"), {"eF": 1.0}))


def test_an_engine_that_cannot_vouch_leaves_the_others_to_answer(monkeypatch):
    """An engine raising its one-line error (not converged, singular for its method) is listed as
    unavailable with that line; the other engines still answer. With no engine left, the error is the
    first engine's own line (found by the model-space profile: a quadrature convergence failure on a
    massless cone stopped the closed form and Kubo from answering)."""
    from semiclassical import catalogue
    from semiclassical.engines import Problem, compare
    from semiclassical.engines.quadrature import Quadrature
    from semiclassical.errors import SemiclassicalError

    def refuse(self, problem):
        raise SemiclassicalError("not converged here")

    monkeypatch.setattr(Quadrature, "evaluate", refuse)
    p = Problem.at(catalogue.get("ti-surface"), {"eF": 1.2})
    c = compare(p, ("closed_form", "quadrature"))
    assert c.unavailable == {"quadrature": "not converged here"}
    assert c.responses["closed_form"].values["sigma_yx"]["total"] > 0.1
    assert "no other engine has checked" in c.single_engine_note()
    with pytest.raises(SemiclassicalError, match="not converged here"):
        compare(p, ("quadrature",))
