"""Reads files and stdin, recognises each input by its content, merges them into one case."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Iterable

from ..case import FactSet, ResolvedFacts, observations_from_case
from ..errors import InputError
from ..facts import FactSchema

MAX_INPUT_BYTES = 10 * 1024 * 1024


def read_text(name: str) -> tuple[str, str]:
    """(display name, text) of a file path or '-' for stdin; clear errors for the rest."""
    if name == "-":
        if sys.stdin is None or sys.stdin.closed:
            raise InputError("no standard input to read")
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        label = "<stdin>"
    else:
        path = Path(name)
        if not path.exists():
            raise InputError(f"{name}: no such file")
        if path.is_dir():
            raise InputError(f"{name}: is a folder, not a file")
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_INPUT_BYTES + 1)
        except OSError as exc:
            raise InputError(f"{name}: cannot read: {exc.strerror}") from None
        label = path.name
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{label}: larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        raise InputError(f"{label}: empty input")
    text = data.decode("utf-8-sig", errors="replace")
    return label, text


def read_inputs(names: Iterable[str], schema: FactSchema) -> ResolvedFacts:
    facts = FactSet(schema)
    for name in names:
        label, text = read_text(name)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{label}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
        facts.extend(observations_from_case(data, schema, label))
    return facts.resolve()
