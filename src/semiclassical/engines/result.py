"""One result type for every engine (docs/design.md, "Engines").

A :class:`Response` is one engine's answer to one :class:`~semiclassical.engines.problem.Problem`:
for each registered observable (:mod:`semiclassical.observables`) a map piece -> number, ``None``
where the engine does not compute that piece; optional absolute error estimates of the same shape;
the engine's own doubts about its numbers; notes; and free-form metadata. Serialized by
:meth:`Response.as_dict`, it is the ``evaluate --json`` map of that engine (docs/design.md section 4).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from .. import observables

__all__ = ["Response", "from_tree", "tree"]


def _pick(nested: dict, path: tuple[str, ...]):
    for part in path:
        if not isinstance(nested, dict) or part not in nested:
            return None
        nested = nested[part]
    return nested


def _number(x):
    """A finite float, or None (JSON is strict: no NaN, no Infinity)."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def from_tree(nested: dict, keys, *, path_map=None) -> dict[str, dict[str, float | None]]:
    """{observable key: {piece: number or None}} picked out of an engine's nested map.

    The engines' own nested maps share the observables' dotted paths (``sigma_yx``,
    ``spin_density.x``), so one picker serves them all; pieces absent from the map are ``None``.
    """
    out = {}
    for key in keys:
        obs = observables.get(key)
        sub = _pick(nested, (path_map or {}).get(key, obs.path))
        if sub is None:
            continue
        out[key] = {p: _number(sub.get(p)) for p in obs.pieces}
    return out


def tree(flat: dict[str, dict]) -> dict:
    """The nested JSON shape of a flat {dotted key: piece map}: ``spin_density.x`` -> spin_density/x."""
    out: dict = {}
    for key, pieces in flat.items():
        node = out
        *head, last = key.split(".")
        for part in head:
            node = node.setdefault(part, {})
        node[last] = dict(pieces)
    return out


@dataclass
class Response:
    """Numbers of one engine at one problem: ``values[key][piece]`` (see module docstring).

    ``errors`` has the shape of ``values`` where the engine estimates its error (absolute);
    ``doubts`` are the engine's own reasons to distrust these numbers (not converged, accuracy
    below the requested one), shown next to them in every output; ``scheme_dependent`` lists the
    ``key.piece`` numbers that the engine computes but that its approximation does not fix.
    """

    engine: str
    values: dict[str, dict[str, float | None]]
    errors: dict[str, dict[str, float | None]] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)
    scheme_dependent: tuple[str, ...] = ()

    def __getitem__(self, key: str):
        """``r["sigma_yx"]``, ``r["spin_density.x"]``, ``r["spin_density"]["x"]``, or a meta entry."""
        if key in self.values:
            return self.values[key]
        nested = tree(self.values)
        if key in nested:
            return nested[key]
        return self.meta[key]

    def value(self, key: str, piece: str) -> float | None:
        return self.values.get(key, {}).get(piece)

    def error(self, key: str, piece: str) -> float:
        """The absolute error estimate of one number (0 where the engine states none)."""
        return self.errors.get(key, {}).get(piece) or 0.0

    def as_dict(self) -> dict:
        """The JSON map (nested observables, then ``error``, ``meta``, ``notes``, ``doubts``)."""
        out = tree(self.values)
        if self.errors:
            out["error"] = tree(self.errors)
        if self.scheme_dependent:
            out["scheme_dependent"] = list(self.scheme_dependent)
        if self.meta:
            out["meta"] = self.meta
        if self.notes:
            out["notes"] = list(self.notes)
        if self.doubts:
            out["doubts"] = list(self.doubts)
        return out

    def rows(self):
        """(key.piece, value, error) for every reported number, in registry order."""
        for key, pieces in self.values.items():
            for piece, v in pieces.items():
                if v is not None:
                    yield f"{key}.{piece}", v, self.errors.get(key, {}).get(piece)

    def __str__(self):
        head = f"{self.engine}" + (f"  (doubts: {'; '.join(self.doubts)})" if self.doubts else "")
        body = [f"  {name:<28} {v: .10g}" + (f" +- {e:.1g}" if e else "") for name, v, e in self.rows()]
        return "\n".join([head, *body, *(f"  note: {n}" for n in self.notes)])

    def _repr_pretty_(self, p, _cycle):
        p.text(str(self))

    def _repr_html_(self):
        rows = "".join(f"<tr><td><code>{n}</code></td><td>{v:.10g}</td><td>{'' if e is None else f'{e:.1g}'}</td></tr>"
                       for n, v, e in self.rows())
        doubt = f"<p><b>doubts:</b> {'; '.join(self.doubts)}</p>" if self.doubts else ""
        return (f"<p><b>{self.engine}</b></p>{doubt}<table><tr><th>piece</th><th>value</th><th>error</th></tr>"
                f"{rows}</table>")
