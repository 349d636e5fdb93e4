"""TOML text in and out for model files: reading a file with one clear line per failure, the nearest
valid name of a misspelt one, a value's kind in words, and a value as a TOML literal.

Used by :mod:`semiclassical.modelfile` (strict reading) and :mod:`semiclassical.modelfile_docs`
(the rendered reference).
"""
from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path

from .errors import SemiclassicalError

__all__ = ["read_toml", "nearest", "kind", "toml_literal"]


def read_toml(path: Path, where: str) -> dict:
    if path.is_dir():
        raise SemiclassicalError(f"{where}: is a directory, not a model file; give a file such as "
                                 f"{path / 'ti-surface.toml'}")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SemiclassicalError(f"model file {where!r} not found") from None
    except OSError as exc:
        raise SemiclassicalError(f"{where}: cannot read the model file ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SemiclassicalError(f"{where}: not a text file (byte 0x{raw[exc.start]:02x} at offset {exc.start} "
                                 "is not UTF-8); a model file is TOML text") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = " ".join(str(exc).split())
        m = re.search(r"at line (\d+)", msg)
        if m and 0 < int(m.group(1)) <= len(text.splitlines()):
            line = text.splitlines()[int(m.group(1)) - 1].strip()
            if line:
                msg += f": {line[:80]}"
        if "overwrite a value" in msg or "twice" in msg:
            msg += " (a key or section given twice?)"
        raise SemiclassicalError(f"{where}: not valid TOML: {msg}") from None


def nearest(word: str, candidates) -> str | None:
    candidates = list(candidates)
    for c in candidates:
        if c.lower() == word.lower():
            return c
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(word.lower(), [c.lower() for c in candidates], n=1, cutoff=0.6)
        close = [c for c in candidates if close and c.lower() == close[0]]
    return close[0] if close else None


def kind(value) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


def toml_literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_literal(v)}" for k, v in value.items()) + "}"
    return str(value)
