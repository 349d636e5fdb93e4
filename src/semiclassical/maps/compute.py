"""One point of a map with one engine: the function that runs in this process or on a Dask worker.

It takes only plain, picklable data (a :class:`ModelRef`, the point's NAME -> value map, the engine's
name), so a remote cluster needs the package and nothing else: a model file travels as its text.
Models are parsed once per process (:data:`_MODELS`), and the closed-form engine keeps one
:class:`~semiclassical.derivation.Derivation` per model object (``engines.closed_form.derivation_for``),
so a worker derives once per model, sign case and scenario and afterwards only substitutes numbers.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass

from ..errors import SemiclassicalError

__all__ = ["ModelRef", "model_of", "problem_at", "evaluate_point"]


@dataclass(frozen=True)
class ModelRef:
    """A built-in model's name, or a model file's name and text (what a remote worker can rebuild)."""

    name: str
    text: str | None = None

    @classmethod
    def of(cls, name_or_path: str) -> "ModelRef":
        from .. import catalogue

        if name_or_path in catalogue.MODELS:
            return cls(name_or_path)
        try:
            with open(name_or_path, encoding="utf-8") as fh:
                return cls(name_or_path, fh.read())
        except OSError:
            catalogue.get(name_or_path)        # the catalogue's own clear line (unknown name, not .toml)
            raise SemiclassicalError(f"cannot read the model file {name_or_path!r}") from None

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256((self.name + "\0" + (self.text or "")).encode()).hexdigest()


#: models parsed in this process, by fingerprint (a worker parses each once)
_MODELS: dict = {}


def model_of(ref: ModelRef):
    """The :class:`TwoBandModel` of ``ref``, parsed once per process."""
    if ref.fingerprint not in _MODELS:
        from .. import catalogue

        if ref.text is None:
            model = catalogue.get(ref.name)
        else:
            with tempfile.TemporaryDirectory() as tmp:   # the model file's own loader, on its text
                path = os.path.join(tmp, os.path.basename(ref.name) or "model.toml")
                with open(path, "w", encoding="utf-8") as fh:
                    fh.write(ref.text)
                model = catalogue.get(path)
        _MODELS[ref.fingerprint] = model
    return _MODELS[ref.fingerprint]


def _observables(model) -> tuple[str, ...]:
    from .. import observables
    from ..engines.problem import EVALUATE_OBSERVABLES

    return (*EVALUATE_OBSERVABLES, *(observables.USER_PREFIX + n for n in model.observables))


def problem_at(ref: ModelRef, point: dict, skew_reading: str):
    from ..engines import Problem

    model = model_of(ref)
    return Problem.at(model, point, skew_reading=skew_reading, observables_=_observables(model))


def evaluate_point(ref: ModelRef, point: dict, engine: str, skew_reading: str) -> dict:
    """The record of one engine at one point: the Response's data, or why there is none.

    ``{"values", "errors", "meta", "notes", "doubts", "scheme_dependent"}`` as in
    :class:`~semiclassical.engines.result.Response`; ``{"unavailable": reason}`` when the engine does
    not treat this problem; ``{"error": line}`` for bad input at this point (a parameter value that
    makes H singular). Any other exception propagates (an internal failure is not a result).
    """
    from ..engines import compare
    from ..engines.base import get_engine

    try:
        problem = problem_at(ref, point, skew_reading)
        why = get_engine(engine).unavailable(problem)
        if why:
            return {"unavailable": why}
        r = compare(problem, (engine,)).responses[engine]   # compare adds the torque alike for every engine
    except SemiclassicalError as exc:
        return {"error": str(exc)}
    return {"values": r.values, "errors": r.errors, "meta": r.meta, "notes": list(r.notes),
            "doubts": list(r.doubts), "scheme_dependent": list(r.scheme_dependent)}
