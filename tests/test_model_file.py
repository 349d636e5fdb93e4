"""The model file as a contract (issue 21) and one meaning per name (issue 22, item 3).

Each mistake is one line naming the file, the section and the key (SemiclassicalError from Python,
exit status 2 and no traceback from the command line); the example files and the built-in catalogue
load; the JSON Schema that `semiclassical schema` prints validates every example file (checked with
the independent ``jsonschema`` package); the committed reference equals the rendered one.
"""
import json
from pathlib import Path

import jsonschema
import pytest
import sympy as sp

from semiclassical import catalogue, cli, modelfile, modelfile_docs
from semiclassical.disorder import Disorder
from semiclassical.errors import SemiclassicalError
from semiclassical.model import TwoBandModel

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "models").glob("*.toml"))

MODEL = '[model]\nname = "ti"\nhamiltonian = "hbar*v*(kx*sy - ky*sx) + M*sz"\n'
PARAMS = '[parameters]\nv = 1.0\nM = 0.5\n'
DISORDER = '[disorder]\ntype = "white-noise"\nW = 0.05\n'
GOOD = MODEL + PARAMS + DISORDER

# (id, file text, fragments the one line must contain)
MISTAKES = [
    ("section typo", MODEL + PARAMS + '[disorde]\ntype = "white-noise"\nW = 0.05\n',
     ["[disorde]", "did you mean [disorder]?", "valid sections"]),
    ("Wm", GOOD + "Wm = 0.005\n", ["[disorder]", "'Wm'", "did you mean W_m?", "valid keys of [disorder]: type, W"]),
    ("unused parameter", MODEL + PARAMS + "Mm = 3.0\n" + DISORDER,
     ["[parameters]", "Mm", "not used by the Hamiltonian"]),
    ("magnetisation", MODEL + 'magnetisation = "M"\n' + PARAMS + DISORDER,
     ["[model]", "'magnetisation'", "did you mean magnetization?", "valid keys of [model]"]),
    ("observables", GOOD + '[observables]\nsz = "I*sz"\n', ["[observables]", "sz", "not Hermitian"]),
    ("observable name", GOOD + '[observables]\n"s-z" = "sz"\n', ["[observables]", "'s-z'", "plain identifier"]),
    ("observable unknown name", GOOD + '[observables]\nsz = "Mz*sz"\n', ["[observables]", "sz", "'Mz'"]),
    ("hamiltonian typo", '[model]\nhamiltonain = "kx*sy - ky*sx + M*sz"\n[parameters]\nM = 0.5\n',
     ["[model]", "'hamiltonain'", "did you mean hamiltonian?"]),
    ("gausian", MODEL + PARAMS + '[disorder]\ntype = "gausian"\nW = 0.05\n',
     ["[disorder]", "type", "did you mean gaussian?", "white-noise"]),
    ("gaussian without d", MODEL + PARAMS + '[disorder]\ntype = "gaussian"\nW = 0.05\n',
     ["[disorder]", "gaussian", "needs d", "exp(-q^2 d^2 / 2)"]),
    ("W_m without moments", GOOD + "W_m = 0.005\n", ["[disorder]", "W_m", "need moments", '"random"']),
    ("moments typo", GOOD + 'W_m = 0.005\nmoments = "randm"\n', ["[disorder]", "moments"]),
    ("d for white noise", GOOD + "d = 2.0\n", ["[disorder]", "white-noise", "no parameter d"]),
    ("negative d", MODEL + PARAMS + '[disorder]\ntype = "gaussian"\nd = -1.0\n', ["[disorder]", "d", ">= 0"]),
    ("zero q_s", MODEL + PARAMS + '[disorder]\ntype = "screened-coulomb"\nq_s = 0.0\n',
     ["[disorder]", "q_s", "positive"]),
    ("custom with a parameter", MODEL + PARAMS + '[disorder]\ntype = "custom"\ncorrelator = "exp(-q*M)"\n',
     ["[disorder]", "custom correlator", "unknown name 'M'", "q"]),
    ("custom by eval", MODEL + PARAMS + '[disorder]\ntype = "custom"\ncorrelator = "q.__class__"\n',
     ["[disorder]", "custom correlator"]),
    ("string for a number", MODEL + '[parameters]\nv = 1.0\nM = "0.5"\n',
     ["[parameters]", "M", "is a string", "write M = 0.5 without quotes"]),
    ("string for W", MODEL + PARAMS + '[disorder]\nW = "0.05"\n', ["[disorder]", "W", "is a string"]),
    ("boolean for a number", MODEL + '[parameters]\nv = true\nM = 0.5\n', ["[parameters]", "v", "a boolean"]),
    ("array of tables", MODEL + PARAMS + '[[disorder]]\nW = 0.05\n',
     ["[disorder]", "must be a table", "[[disorder]]"]),
    ("number for a table", "disorder = 0.05\n" + MODEL + PARAMS, ["[disorder]", "must be a table"]),
    ("duplicate key", GOOD + "W = 0.02\n", ["not valid TOML", "Cannot overwrite a value", "W = 0.02"]),
    ("duplicate section", GOOD + "[disorder]\nW = 0.02\n", ["not valid TOML", "disorder", "twice"]),
    ("W negative", MODEL + PARAMS + "[disorder]\nW = -1\n", ["[disorder]", "W", "must be a positive number"]),
    ("W zero", MODEL + PARAMS + "[disorder]\nW = 0\n", ["[disorder]", "W", "must be a positive number"]),
    ("W infinite", MODEL + PARAMS + "[disorder]\nW = inf\n", ["[disorder]", "W", "finite"]),
    ("parameter nan", MODEL + "[parameters]\nv = 1.0\nM = nan\n", ["[parameters]", "M", "finite"]),
    ("no model", PARAMS + DISORDER, ["no [model] section"]),
    ("key outside a section", 'hamiltonian = "kx*sy"\n' + MODEL + PARAMS,
     ["'hamiltonian'", "outside any section", "did you mean [model] hamiltonian?"]),
    ("hamiltonian a number", '[model]\nhamiltonian = 3\n', ["[model]", "hamiltonian", "2x2 list of strings"]),
    ("hamiltonian 2x1", '[model]\nhamiltonian = [["kx"], ["ky"]]\n', ["[model]", "hamiltonian", "2x2"]),
    ("hamiltonian unparsable", '[model]\nhamiltonian = "kx*sy +* M*sz"\n[parameters]\nM = 1.0\n',
     ["[model] hamiltonian", "syntax error"]),
    ("undeclared parameter", '[model]\nhamiltonian = "kx*sy - ky*sx + M*sz"\n',
     ["[model] hamiltonian", "unknown name 'M'"]),
    ("W as a parameter", '[model]\nhamiltonian = "kx*sy - ky*sx + W*sz"\n[parameters]\nW = 0.5\n',
     ["[parameters]", "W", "reserved", "disorder strength"]),
    ("eF as a parameter", '[model]\nhamiltonian = "kx*sy - ky*sx + eF*sz"\n[parameters]\neF = 0.5\n',
     ["[parameters]", "eF", "reserved", "Fermi energy"]),
    ("e as a parameter", '[model]\nhamiltonian = "e*(kx*sy - ky*sx) + sz"\n[parameters]\ne = 0.5\n',
     ["[parameters]", "e ", "reserved", "electron charge"]),
    ("T as a parameter", '[model]\nhamiltonian = "kx*sy - ky*sx + T*sz"\n[parameters]\nT = 0.5\n',
     ["[parameters]", "T", "reserved", "temperature"]),
    ("hbar as a parameter", '[model]\nhamiltonian = "hbar*(kx*sy - ky*sx) + sz"\n[parameters]\nhbar = 2.0\n',
     ["[parameters]", "hbar", "reserved", "Planck"]),
    ("q_s as a parameter", '[model]\nhamiltonian = "q_s*(kx*sy - ky*sx) + sz"\n[parameters]\nq_s = 2.0\n',
     ["[parameters]", "q_s", "reserved", "disorder parameter"]),
    ("positive typo", MODEL + PARAMS + 'positive = ["vv"]\n', ["[parameters]", "positive", "'vv'", "did you mean v?"]),
    ("positive not a list", MODEL + PARAMS + 'positive = "v"\n', ["[parameters]", "positive", "array"]),
    ("positive but negative default", MODEL + '[parameters]\nv = -1.0\nM = 0.5\npositive = ["v"]\n',
     ["[parameters]", "v = -1", "positive"]),
    ("magnetization not a parameter", MODEL + 'magnetization = "Mz"\n' + PARAMS,
     ["[model]", "magnetization", "not a parameter", "did you mean M?"]),
    ("name not a string", '[model]\nname = 3\nhamiltonian = "kx*sy - ky*sx"\n', ["[model]", "name", "string"]),
    ("unknown key, other section", '[model]\nhamiltonian = "kx*sy - ky*sx"\nW = 0.1\n',
     ["[model]", "'W'", "belongs in [disorder]"]),
]


def _write(tmp_path, text, name="bad.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _one_line_from_cli(capsys, path):
    code = cli.main(["evaluate", str(path), "--set", "eF=1.0"])
    out, err = capsys.readouterr()
    assert code == 2 and out == "", (code, out)
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize("text,fragments", [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_each_mistake_is_one_line_naming_the_key(tmp_path, capsys, text, fragments):
    path = _write(tmp_path, text)
    with pytest.raises(SemiclassicalError) as info:
        TwoBandModel.from_toml(path)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith(str(path)), msg
    for frag in fragments:
        assert frag in msg, (frag, msg)
    line = _one_line_from_cli(capsys, path)
    assert line == f"semiclassical: error: {msg}"


def test_binary_file_and_directory_and_missing_file(tmp_path, capsys):
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe")
    cases = [(binary, "not a text file"), (tmp_path, "is a directory"),
             (tmp_path / "absent.toml", "not found")]
    for path, fragment in cases:
        with pytest.raises(SemiclassicalError, match=fragment):
            TwoBandModel.from_toml(path)
        assert fragment in _one_line_from_cli(capsys, path)


def test_several_mistakes_report_the_first_and_count_the_rest(tmp_path):
    path = _write(tmp_path, MODEL + '[parameters]\nv = "1"\nM = 0.5\n[disorder]\nWm = 1\nW = -1\n')
    with pytest.raises(SemiclassicalError, match=r"'Wm'.*\(2 more problems after this one\)$"):
        TwoBandModel.from_toml(path)


def test_the_schema_rejects_what_it_can_express(tmp_path):
    """The same mistakes, checked by jsonschema against the emitted schema: the two validators agree."""
    import tomllib

    validator = jsonschema.Draft202012Validator(modelfile.json_schema())
    for key in ("section typo", "Wm", "magnetisation", "observable name", "hamiltonian typo", "gausian",
                "string for a number", "array of tables", "W negative", "W as a parameter", "no model",
                "hamiltonian 2x1", "positive not a list", "name not a string"):
        text = dict((m[0], m[1]) for m in MISTAKES)[key]
        assert not validator.is_valid(tomllib.loads(text)), key
    assert validator.is_valid(tomllib.loads(GOOD))


# ------------------------------------------------------------------ defaults stated
def test_defaults_are_recorded_and_said(tmp_path):
    m = TwoBandModel.from_toml(_write(tmp_path, MODEL + PARAMS, "nodisorder.toml"))
    assert isinstance(m.disorder, Disorder)
    assert m.disorder.W == 0.01 and m.disorder.kind == "white-noise"
    assert m.disorder.defaulted == ("type", "W")
    assert m.disorder.describe() == "white noise, W = 0.01 (default)"
    assert m.disorder.to_json() == {"type": "white-noise", "W": 0.01, "defaulted": ["type", "W"]}
    m = TwoBandModel.from_toml(_write(tmp_path, MODEL + PARAMS + "[disorder]\nW = 0.05\n", "w.toml"))
    assert m.disorder.defaulted == ("type",) and m.disorder.describe() == "white noise, W = 0.05"
    m = TwoBandModel.from_toml(_write(tmp_path, GOOD, "full.toml"))
    assert m.disorder.defaulted == () and m.name == "ti" and m.magnetization is None
    assert TwoBandModel.from_string("kx*sy - ky*sx + M*sz", {"M": 1}).disorder == Disorder.default()
    assert Disorder.default().override(W=0.2) == Disorder(W=0.2, defaulted=("type",))
    with pytest.raises(SemiclassicalError, match="W = 0.0 must be positive"):
        Disorder(W=0.0)


def test_name_defaults_to_the_file_name_and_magnetization_is_kept(tmp_path):
    text = '[model]\nhamiltonian = "v*(kx*sy - ky*sx) + M*sz"\nmagnetization = "M"\n' + PARAMS
    m = TwoBandModel.from_toml(_write(tmp_path, text, "my-model.toml"))
    assert m.name == "my-model" and m.magnetization == "M"


def test_positive_parameters_are_positive_symbols(tmp_path):
    m = TwoBandModel.from_toml(_write(tmp_path, MODEL + PARAMS + 'positive = ["v"]\n', "pos.toml"))
    assert m.parameters["v"].is_positive
    with pytest.raises(SemiclassicalError, match="no parameter of the model"):
        TwoBandModel.from_string("v*(kx*sy - ky*sx)", {"v": 1.0}, positive=("w",))


def test_evaluate_uses_the_file_disorder(tmp_path, capsys):
    path = _write(tmp_path, GOOD, "ti.toml")
    assert cli.main(["evaluate", str(path), "--set", "eF=1.0", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["parameters"]["W"] == 0.05


# ------------------------------------------------------------------ one meaning per name
@pytest.mark.parametrize("name", ["W", "e", "eF", "T", "W_m", "d", "q_s"])
def test_reserved_names_from_string_and_from_matrix(name):
    with pytest.raises(SemiclassicalError, match=f"parameter name '{name}' is reserved"):
        TwoBandModel.from_string(f"kx*sy - ky*sx + {name}*sz", {name: 0.5})
    kx, ky = sp.symbols("kx ky", real=True)
    s = sp.Symbol(name, real=True)
    with pytest.raises(SemiclassicalError, match=f"parameter name '{name}' is reserved"):
        TwoBandModel.from_matrix(sp.Matrix([[s, kx - sp.I * ky], [kx + sp.I * ky, -s]]), {name: 0.5})


def test_hbar_stays_the_constant():
    with pytest.raises(SemiclassicalError, match="not allowed"):
        TwoBandModel.from_string("hbar*(kx*sy - ky*sx) + M*sz", {"hbar": 1.0, "M": 0.5})
    m = TwoBandModel.from_string("hbar*v*(kx*sy - ky*sx) + M*sz", {"v": 1.0, "M": 0.5})
    assert "hbar" not in m.parameters and any(s.name == "hbar" for s in m.matrix.free_symbols)
    kx, ky, hb = sp.symbols("kx ky hbar", real=True)
    m = TwoBandModel.from_matrix(sp.Matrix([[1, hb * (kx - sp.I * ky)], [hb * (kx + sp.I * ky), -1]]))
    assert m.parameters == {}


def test_every_disorder_key_is_defined_once_and_its_parameters_reserved():
    known = set(modelfile.DisorderSection.model_fields) | {k[1] for k in modelfile.NOT_SUPPORTED_YET
                                                          if k[0] == "disorder"}
    assert set(modelfile.DISORDER_PARAMETERS) <= known
    assert set(modelfile.DISORDER_PARAMETERS) <= modelfile.reserved_names()
    assert {"W", "e", "eF", "T", "hbar"} <= modelfile.reserved_names()


# ------------------------------------------------------------------ examples, catalogue, schema, docs
def test_there_is_an_example_for_every_built_in_model():
    names = {p.stem for p in EXAMPLES}
    assert set(catalogue.MODELS) <= names and "rashba-2deg" in names


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_model_files_load(path):
    m = TwoBandModel.from_toml(path)
    assert m.name == path.stem
    if m.name in catalogue.MODELS:
        builtin = catalogue.get(m.name)
        assert sp.simplify(builtin.matrix - m.matrix) == sp.zeros(2, 2)
        assert builtin.values == m.values


def test_rashba_2deg_matrix_form_is_the_pauli_form():
    m = TwoBandModel.from_toml(ROOT / "models" / "rashba-2deg.toml")
    ref = TwoBandModel.from_string("k**2/(2*m) + alpha*(kx*sy - ky*sx)", {"m": 1.0, "alpha": 0.5})
    assert sp.simplify(m.matrix - ref.matrix) == sp.zeros(2, 2) and m.covariance.winding == 1


@pytest.mark.parametrize("name", list(catalogue.MODELS))
def test_built_in_catalogue_loads(name):
    assert catalogue.get(name).name == name


def test_schema_command_validates_every_example(capsys):
    import tomllib

    assert cli.main(["schema"]) == 0
    out, err = capsys.readouterr()
    schema = json.loads(out)
    assert err == "" and schema["$schema"] == modelfile.SCHEMA_DRAFT
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in EXAMPLES:
        errors = list(validator.iter_errors(tomllib.loads(path.read_text())))
        assert not errors, (path.name, [e.message for e in errors])


def test_committed_reference_is_the_rendered_one():
    assert (ROOT / "docs" / "model_file.md").read_text() == modelfile_docs.render_doc()
    readme = (ROOT / "README.md").read_text()
    assert modelfile_docs.render_readme(readme) == readme
    assert (ROOT / "models" / "model-file.schema.json").read_text() == modelfile.schema_text()
    doc = modelfile_docs.render_doc()
    for section, model in modelfile.SECTIONS.items():
        for key in model.model_fields:
            assert f"`{key}`" in doc, (section, key)
    for key in modelfile.NOT_SUPPORTED_YET:
        assert key[-1] in doc
