"""The model file (TOML): its one definition, its strict loader, its JSON Schema and its reference.

Every section and key of a model file (docs/design.md section 4) is defined once, here: the pydantic
models :class:`ModelSection`, :class:`ParametersSection`, :class:`DisorderSection` (type, allowed
values, default, units in ``x-units``, one-line meaning in ``description``) and, for what the
toolkit knows but does not evaluate yet, :data:`NOT_SUPPORTED_YET`.
From that one definition come

* the loader, :func:`load` (``TwoBandModel.from_toml``): nothing is ignored -- an unknown section
  or key, a value of the wrong type or out of range, a parameter the Hamiltonian does not use, a
  known-but-unsupported section, key or disorder type, a reserved name -- each is one
  :class:`~semiclassical.errors.SemiclassicalError` line naming the file, the section and the key,
  listing the valid keys and suggesting the nearest name;
* the JSON Schema, :func:`json_schema` (``semiclassical schema``), for editors that validate and
  complete TOML against a schema (Taplo / "Even Better TOML": a first line ``#:schema PATH``);
* the reference tables of ``docs/model_file.md`` and of the README, :func:`reference_markdown`.

Why pydantic (v2) rather than a hand-written JSON Schema checked with ``jsonschema``: the
definition is typed Python next to the code that uses it, so the loader gets validated values
(strict mode: ``"1.0"`` is not a number, ``true`` is not a number, ``inf`` is not finite) without a
second, hand-kept mapping from schema to objects; ``extra="forbid"`` rejects every unknown key;
each error carries its location (section, key), which is what the one-line messages need; and
``model_json_schema()`` emits a standard JSON Schema (draft 2020-12) from the same classes, so the
published schema cannot drift from the loader. pydantic is widely used, actively maintained, and
has binary wheels for every platform this project runs on. The tests validate every example file
against the emitted schema with the independent ``jsonschema`` package, which checks the two
against each other.

Defaults are stated, not silent: the loader records which disorder values were defaulted
(:attr:`semiclassical.disorder.Disorder.defaulted`; no ``[disorder]`` section means white noise
with W = 0.01, and ``describe()`` says "(default)").

``[model] magnetization`` names the magnetization (exchange) parameter. It is a statement about
the model, true whatever is computed, so it is accepted, checked (it must name a parameter of the
Hamiltonian) and kept as data on :attr:`TwoBandModel.magnetization`; the outputs that use it (the
spin-orbit torque of any model) come with later issues and will read it from there.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import parsing
from .disorder import DEFAULT_W, Disorder
from .errors import SemiclassicalError
from .toml_text import kind as value_kind
from .toml_text import nearest, read_toml, toml_literal

SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"

# ------------------------------------------------------------------ reserved names
#: Names with one meaning throughout the toolkit (issue 22): never a model parameter.
RESERVED_QUANTITIES = {
    "W": "the disorder strength (set it under [disorder] W, or --set W=...)",
    "e": "the magnitude of the electron charge (--set e=...)",
    "eF": "the Fermi energy (--set eF=...)",
    "T": "the temperature",
    "theta_m": "the polar angle of the magnetization direction (radians; --set theta_m=...)",
    "phi_m": "the azimuth of the magnetization direction (radians; --set phi_m=...)",
    "hbar": "the reduced Planck constant (a constant in Hamiltonian strings; --set hbar=...)",
}


#: a parameter's or an observable's name: a plain identifier
IDENTIFIER = r"^[A-Za-z][A-Za-z0-9_]*$"


def _default_reads(text):
    """json_schema_extra of a field whose default is computed (None in Python, absent in TOML)."""
    def extra(schema: dict) -> None:
        schema.pop("default", None)
        schema["x-default"] = text
    return extra


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


FiniteNumber = Annotated[float, Field(allow_inf_nan=False)]
Matrix2x2 = Annotated[list[Annotated[list[str], Field(min_length=2, max_length=2)]],
                      Field(min_length=2, max_length=2)]


class ModelSection(_Section):
    """[model]: what the model is."""

    model_config = ConfigDict(title="[model]")

    name: str = Field(None, description="model name used in outputs",
                      json_schema_extra=_default_reads("the file name without .toml"))
    hamiltonian: str | Matrix2x2 = Field(
        description="H(kx, ky): a string in kx, ky, k, s0, sx, sy, sz, hbar, I, pi, sqrt, exp, sin, cos "
                    "and the parameters (^ means power), or a 2x2 list of strings (the matrix entries)",
        json_schema_extra={"x-units": "energy"})
    magnetization: str = Field(
        None, description="name of the magnetization (exchange) parameter; recorded on the model for "
                          "the outputs that use it (spin-orbit torque)",
        json_schema_extra=_default_reads("none"))


def _parameters_schema(schema: dict) -> None:
    schema["propertyNames"] = {"pattern": IDENTIFIER,
                               "not": {"enum": sorted(reserved_names() | parsing.RESERVED)}}
    schema["additionalProperties"]["description"] = (
        "a parameter of the Hamiltonian and its numeric default: a real number")


class ParametersSection(BaseModel):
    """[parameters]: every parameter of the Hamiltonian, name = real number (its default)."""

    model_config = ConfigDict(extra="allow", strict=True, frozen=True, title="[parameters]",
                              json_schema_extra=_parameters_schema)
    __pydantic_extra__: dict[str, FiniteNumber]

    positive: list[str] = Field(
        default_factory=list,
        description="names of parameters declared positive (a value <= 0 is then an error); every "
                    "other parameter takes any real value, zero and either sign included",
        json_schema_extra={"x-default": "[]"})


class DisorderSection(_Section):
    """[disorder]: the impurity potential, <U(r)U(r')> = W C(|r - r'|), i.e. <U_q U_-q> = W c(q)."""

    model_config = ConfigDict(title="[disorder]")

    type: Literal["white-noise", "gaussian", "screened-coulomb", "custom"] = Field(
        "white-noise", description="correlator type: white-noise, W(q) = W; gaussian, W(q) = W exp(-q^2 d^2/2); "
                                   "screened-coulomb, W(q) = W q_s^2/(q + q_s)^2; custom, W(q) = W c(q) with "
                                   "c = correlator")
    W: FiniteNumber = Field(
        DEFAULT_W, gt=0, description="disorder strength W = n_i u0^2 (impurity density x squared "
                                     "strength) = W(q = 0); must be > 0",
        json_schema_extra={"x-units": "energy^2 x area"})
    d: FiniteNumber | None = Field(
        None, ge=0, description="correlation length of type = \"gaussian\" (d = 0 is white noise); required "
                                "there, not allowed for other types", json_schema_extra={"x-units": "length"})
    q_s: FiniteNumber | None = Field(
        None, gt=0, description="screening wave number of type = \"screened-coulomb\" (q_s -> oo is white "
                                "noise); required there, not allowed for other types",
        json_schema_extra={"x-units": "1/length"})
    correlator: str | None = Field(
        None, description="c(q) of type = \"custom\": an expression in q (numbers, pi, sqrt, exp), real, finite "
                          "and >= 0 on [0, 2 k_F]; required there, not allowed for other types")
    W_m: FiniteNumber | None = Field(
        None, ge=0, description="magnetic-impurity strength W_m = n_i u_m^2 of V = u0 + u_m n.sigma (point "
                                "impurities, type = \"white-noise\"); needs moments",
        json_schema_extra={"x-units": "energy^2 x area"})
    moments: Literal["z", "x", "random", "random-z"] | None = Field(
        None, description="distribution of the magnetic moments n: \"z\" or \"x\" aligned, \"random\" isotropic, "
                          "\"random-z\" +-z at random (docs/magnetic_impurities.md)")


def _observables_schema(schema: dict) -> None:
    schema["propertyNames"] = {"pattern": IDENTIFIER}
    schema["additionalProperties"]["description"] = (
        "a Hermitian 2x2 operator in kx, ky (the Hamiltonian's names and parameters), or a 2x2 list of strings")


class ObservablesSection(BaseModel):
    """[observables]: the model's own observables, name = Hermitian 2x2 operator in kx, ky."""

    model_config = ConfigDict(extra="allow", strict=True, frozen=True, title="[observables]",
                              json_schema_extra=_observables_schema)
    __pydantic_extra__: dict[str, str | Matrix2x2]


class ModelFileSpec(_Section):
    """A model file of the semiclassical toolkit (docs/design.md section 4)."""

    model_config = ConfigDict(title="semiclassical model file")

    model: ModelSection = Field(description="the Hamiltonian and what it is")
    parameters: ParametersSection = Field(default_factory=ParametersSection,
                                          description="parameters of the Hamiltonian with numeric defaults")
    disorder: DisorderSection = Field(default_factory=DisorderSection,
                                      description="the disorder; absent: white noise, W = 0.01")
    observables: ObservablesSection = Field(
        default_factory=ObservablesSection,
        description="observables of your own, reported as observables.<name>.<piece> by evaluate and derive")


#: Sections and keys the toolkit knows but does not evaluate yet: (section,) or (section, key) ->
#: meaning. Supporting one moves it into the pydantic classes above.
NOT_SUPPORTED_YET: dict = {}
#: Disorder-section keys that are numeric parameters of a correlator: reserved names.
DISORDER_PARAMETERS = ("W", "W_m", "d", "q_s")
SECTIONS = {"model": ModelSection, "parameters": ParametersSection, "disorder": DisorderSection,
            "observables": ObservablesSection}


def reserved_names() -> set[str]:
    """Names that cannot be model parameters (one meaning per name)."""
    return set(RESERVED_QUANTITIES) | set(DISORDER_PARAMETERS)


def reserved_name_meaning(name: str) -> str | None:
    """What a reserved name means, or None if ``name`` is free."""
    if name in RESERVED_QUANTITIES:
        return RESERVED_QUANTITIES[name]
    if name in DISORDER_PARAMETERS:
        known = DisorderSection.model_fields.get(name)
        meaning = known.description.split(";")[0] if known else NOT_SUPPORTED_YET.get(("disorder", name))
        return f"a disorder parameter ({meaning})"
    return None


def _keys(section: str) -> list[str]:
    return list(SECTIONS[section].model_fields)


def _planned_keys(section: str) -> list[str]:
    return [key[1] for key in NOT_SUPPORTED_YET if len(key) == 2 and key[0] == section]


# ------------------------------------------------------------------ JSON Schema
def json_schema() -> dict:
    """The JSON Schema (draft 2020-12) of the model file, from the pydantic definition."""
    schema = ModelFileSpec.model_json_schema()
    out = {"$schema": SCHEMA_DRAFT}
    out.update(schema)
    out["description"] = ("Model file of the semiclassical toolkit: [model] hamiltonian, [parameters], "
                          "[disorder] (docs/design.md section 4). Known but not supported yet: "
                          + "; ".join(_planned_text(k) for k in NOT_SUPPORTED_YET) + ".")
    return out


def _planned_text(key) -> str:
    return f"[{key[0]}]" if len(key) == 1 else f"[{key[0]}] {key[1]}"


# ------------------------------------------------------------------ loading
def load(path, cls=None):
    """The :class:`~semiclassical.model.TwoBandModel` of a model file, read strictly (module docstring)."""
    if cls is None:
        from .model import TwoBandModel as cls
    path = Path(path)
    where = str(path)
    data = read_toml(path, where)
    try:
        spec = ModelFileSpec.model_validate(data)
    except ValidationError as exc:
        raise SemiclassicalError(_explain(exc, data, where)) from None
    return _build(spec, data, path, where, cls)


def _valid_keys(section: str) -> str:
    if section == "parameters":
        return "valid keys of [parameters]: the parameters of the Hamiltonian (name = number) and positive"
    planned = _planned_keys(section)
    text = f"valid keys of [{section}]: {', '.join(_keys(section))}"
    return text + (f" (known, not supported yet: {', '.join(planned)})" if planned else "")


def _valid_sections() -> str:
    planned = [k[0] for k in NOT_SUPPORTED_YET if len(k) == 1]
    return (f"valid sections: {', '.join(f'[{s}]' for s in SECTIONS)}"
            f" (known, not supported yet: {', '.join(f'[{s}]' for s in planned)})")


def _priority(err) -> int:
    loc, kind = err["loc"], err["type"]
    if len(loc) == 1:
        return 0
    return 1 if kind == "extra_forbidden" else 2


def _explain(exc: ValidationError, data: dict, where: str) -> str:
    errors = sorted(exc.errors(), key=_priority)
    first = errors[0]
    extra_in = {e["loc"][0] for e in errors if e["type"] == "extra_forbidden" and len(e["loc"]) == 2}
    # a missing key next to an unknown one in the same section is one problem (a misspelling)
    problems = {tuple(e["loc"][:2]) for e in errors
                if not (e["type"] == "missing" and len(e["loc"]) == 2 and e["loc"][0] in extra_in)}
    more = len(problems) - 1
    line = _explain_one(first, data, where)
    return line + (f" ({more} more problem{'s' if more > 1 else ''} after this one)" if more else "")


def _explain_one(err, data: dict, where: str) -> str:
    loc, kind, value = tuple(err["loc"]), err["type"], err.get("input")
    section = loc[0]
    if len(loc) == 1:
        value = data.get(section)
        if kind == "missing":
            return (f"{where}: no [{section}] section; a model file needs [model] with "
                    "hamiltonian = \"...\" (see 'semiclassical schema' or docs/model_file.md)")
        if kind == "extra_forbidden":
            if (section,) in NOT_SUPPORTED_YET:
                return (f"{where}: section [{section}] ({NOT_SUPPORTED_YET[(section,)]}) is known but not "
                        f"supported yet: remove it; {_valid_sections()}")
            if not isinstance(value, (dict, list)):
                owner = [s for s in SECTIONS if section in _keys(s)]
                hint = f" (did you mean [{owner[0]}] {section}?)" if owner else ""
                return (f"{where}: key {section!r} is outside any section{hint}; write it under its "
                        f"section header; {_valid_sections()}")
            near = nearest(section, list(SECTIONS) + [k[0] for k in NOT_SUPPORTED_YET if len(k) == 1])
            hint = f" (did you mean [{near}]?)" if near else ""
            return f"{where}: unknown section [{section}]{hint}; {_valid_sections()}"
        # a section that is not a table
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            return (f"{where}: [{section}] must be a table (a [{section}] header with key = value lines), "
                    f"not an array of tables [[{section}]]")
        return (f"{where}: [{section}] must be a table (a [{section}] header with key = value lines), "
                f"got {section} = {toml_literal(value)} ({value_kind(value)})")
    key = loc[1]
    if kind == "extra_forbidden":
        if (section, key) in NOT_SUPPORTED_YET:
            return (f"{where}: [{section}] {key} ({NOT_SUPPORTED_YET[(section, key)]}) is known but not "
                    f"supported yet: remove it; {_valid_keys(section)}")
        near = nearest(key, _keys(section) + _planned_keys(section))
        if near in _planned_keys(section):
            hint = f" (did you mean {near}? it is known but not supported yet)"
        elif near:
            hint = f" (did you mean {near}?)"
        else:
            owner = [s for s in SECTIONS if s != section and key in _keys(s)]
            hint = f" ({key} belongs in [{owner[0]}])" if owner else ""
        return f"{where}: [{section}] unknown key {key!r}{hint}; {_valid_keys(section)}"
    if kind == "missing":
        return (f"{where}: [{section}] has no {key} (required: {key} = \"...\"); "
                f"{_valid_keys(section)}")
    field_info = SECTIONS[section].model_fields.get(key)
    if section == "model" and key == "hamiltonian":
        value = data[section][key]
        return (f"{where}: [model] hamiltonian must be a string or a 2x2 list of strings "
                f"(e.g. [[\"M\", \"kx - I*ky\"], [\"kx + I*ky\", \"-M\"]]), got {_short(value)} ({value_kind(value)})")
    if section == "disorder" and key == "type":
        value = data[section][key]
        types = list(DisorderSection.model_fields["type"].annotation.__args__)
        near = nearest(value, types) if isinstance(value, str) else None
        hint = f" (did you mean {near}?)" if near else ""
        return (f"{where}: [disorder] type = {toml_literal(value)} is not a disorder type{hint}; supported: "
                + ", ".join(f'"{t}"' for t in types))
    if section == "parameters" and key == "positive":
        value = data[section][key]
        return (f"{where}: [parameters] positive must be an array of parameter names, e.g. positive = "
                f"[\"m\", \"v\"], got {_short(value)}")
    value = data[section][key] if isinstance(data.get(section), dict) and key in data[section] else value
    if kind in ("float_type", "float_parsing"):
        fix = ""
        if isinstance(value, str):
            try:
                float(value)
                fix = f": write {key} = {value.strip()} without quotes"
            except ValueError:
                pass
        what = "a parameter value" if section == "parameters" else f"[{section}] {key}"
        return (f"{where}: [{section}] {key} = {_short(value)} is {value_kind(value)}; {what} must be a real "
                f"number{fix}")
    if kind == "finite_number":
        return f"{where}: [{section}] {key} = {_short(value)} must be a finite number"
    if kind == "greater_than_equal":
        return f"{where}: [{section}] {key} = {_short(value)} must be a number >= 0"
    if kind == "greater_than":
        return (f"{where}: [{section}] {key} = {_short(value)} must be a positive number"
                f"{' (W = n_i u0^2 > 0)' if key == 'W' else ''}")
    if kind in ("string_type",):
        return f"{where}: [{section}] {key} = {_short(value)} is {value_kind(value)}; it must be a string"
    desc = field_info.description if field_info else ""
    return f"{where}: [{section}] {key} = {_short(value)}: {err['msg']}{f' ({desc})' if desc else ''}"


def _short(value) -> str:
    text = toml_literal(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _require_identifier(where: str, section: str, name: str, what: str) -> None:
    if not re.match(IDENTIFIER, name):
        raise SemiclassicalError(f"{where}: [{section}] {name!r} is not a plain identifier (letters, digits, "
                                 f"underscore, starting with a letter); rename the {what}")


def _build(spec: ModelFileSpec, data: dict, path: Path, where: str, cls):
    params = dict(spec.parameters.model_extra or {})
    positive = list(spec.parameters.positive)
    for n in params:
        meaning = reserved_name_meaning(n)
        if meaning:
            raise SemiclassicalError(f"{where}: [parameters] {n} is a reserved name: {n} is {meaning}; "
                                     f"rename the parameter (e.g. {n}0)")
        if n in parsing.RESERVED:
            raise SemiclassicalError(f"{where}: [parameters] {n} is a name of the Hamiltonian language "
                                     f"({', '.join(sorted(parsing.RESERVED))}); rename the parameter")
        _require_identifier(where, "parameters", n, "parameter")
    for n in positive:
        if n not in params:
            near = nearest(n, params)
            hint = f" (did you mean {near}?)" if near else ""
            raise SemiclassicalError(f"{where}: [parameters] positive lists {n!r}, which is not a parameter"
                                     f"{hint}; parameters: {', '.join(params) or 'none'}")
        if params[n] <= 0:
            raise SemiclassicalError(f"{where}: [parameters] {n} = {params[n]:g} but positive lists {n}: "
                                     f"give a positive default or remove {n} from positive")
    mag = spec.model.magnetization
    if mag is not None and mag not in params:
        near = nearest(mag, params)
        hint = f" (did you mean {near}?)" if near else ""
        raise SemiclassicalError(f"{where}: [model] magnetization = \"{mag}\" is not a parameter{hint}; "
                                 f"parameters: {', '.join(params) or 'none'}")
    d = spec.disorder
    given = set(data.get("disorder", {}))
    shape = {n: getattr(d, n) for n in ("d", "q_s", "correlator") if getattr(d, n) is not None}
    try:
        disorder = Disorder(d.type, d.W, shape, defaulted=tuple(k for k in ("type", "W") if k not in given),
                            W_m=d.W_m or 0.0, moments=d.moments)
    except SemiclassicalError as exc:
        raise SemiclassicalError(f"{where}: [disorder] {exc}") from None
    negative = tuple(n for n, v in params.items() if v < 0 and n not in positive)
    ham = spec.model.hamiltonian
    try:
        model = cls.from_string(ham, params, name=spec.model.name or path.stem, negative=negative,
                                positive=tuple(positive), disorder=disorder)
    except SemiclassicalError as exc:
        raise SemiclassicalError(f"{where}: [model] hamiltonian: {exc}") from None
    own = dict(spec.observables.model_extra or {})
    for n in own:
        _require_identifier(where, "observables", n, "observable")
    model.observables = own
    used = {s.name for s in model.matrix.free_symbols}
    for n in own:
        try:
            used |= {s.name for s in model.observable_matrix(n).free_symbols}
        except SemiclassicalError as exc:
            raise SemiclassicalError(f"{where}: {exc}") from None
    unused = [n for n in params if n not in used]
    if unused:
        uses = sorted(n for n in params if n in used)
        raise SemiclassicalError(
            f"{where}: [parameters] {', '.join(unused)} {'is' if len(unused) == 1 else 'are'} not used by the "
            f"Hamiltonian (it uses {', '.join(uses) or 'no parameter'}); remove {'it' if len(unused) == 1 else 'them'} "
            "or use it in [model] hamiltonian")
    model.magnetization = mag
    return model


# ------------------------------------------------------------------ reference (docs/, README)
def schema_text() -> str:
    import json

    return json.dumps(json_schema(), indent=2) + "\n"


__all__ = ["ModelFileSpec", "ModelSection", "ParametersSection", "DisorderSection", "ObservablesSection",
           "NOT_SUPPORTED_YET",
           "DISORDER_PARAMETERS", "RESERVED_QUANTITIES", "json_schema", "load",
           "reserved_names", "reserved_name_meaning", "schema_text"]

