"""One table of the fact types (kb/facts `type` / `items`): for each, what a value read from
input must be, the form the two evaluators compare, how a rule's operand is checked, how the
case JSON's value is checked, its pydantic type, and how a person's typed answer is read.

Every place that used to switch over the types looks the kind up here instead, so a new type
is one row of this table.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Callable

from ..regex_cache import cached_compile

_VERSION = cached_compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[.\-+~].*)?$")
YES = {"y", "yes", "true", "t", "1", "on", "enabled"}
NO = {"n", "no", "false", "f", "0", "off", "disabled"}


class AnswerError(ValueError):
    """An answer that does not fit the fact; the question is asked again."""


def parse_version(text: str) -> tuple[int, int, int]:
    """'v22.3.1' -> (22, 3, 1); missing parts are 0. Raises ValueError when not a version."""
    match = _VERSION.match(text.strip())
    if not match:
        raise ValueError(f"not a version: {text!r}")
    return tuple(int(part or 0) for part in match.groups())  # type: ignore[return-value]


def version_code(text: str) -> int:
    """A version as one comparable integer (durable_rules compares strings lexically)."""
    major, minor, patch = parse_version(text)
    return major * 1_000_000 + min(minor, 999) * 1_000 + min(patch, 999)


def date_code(value: dt.date | str) -> int:
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return value.year * 10_000 + value.month * 100 + value.day


def durable_float(value: float) -> float:
    """durable_rules cannot read floats written with an exponent (1e-05, 1e+16): keep every
    float in the range Python writes without one."""
    if value != value or value in (float("inf"), float("-inf")):
        return 0.0
    if abs(value) < 1e-4:
        return 0.0
    if abs(value) >= 1e15:
        return 1e15 if value > 0 else -1e15
    return value


def version_str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("a version must be a string such as \"1.0.3\"")
    parse_version(value)
    return value.strip()


def date_str(value: Any) -> str:
    """Only an ISO date string is a date (pydantic's own date type would also take a number as
    a Unix timestamp: a case saying "date": 0 is a mistake, not 1970-01-01)."""
    if not isinstance(value, str):
        raise ValueError("a date must be a string such as \"2026-01-18\"")
    return dt.date.fromisoformat(value).isoformat()


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _parses(parse: Callable[[str], Any]) -> Callable[[Any, tuple[Any, ...]], bool]:
    def accepts(value: Any, values: tuple[Any, ...]) -> bool:
        try:
            parse(str(value))
        except ValueError:
            return False
        return isinstance(value, str)
    return accepts


def _clean_text(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")
    return value


def _keep(value: Any) -> Any:
    return value


# -- rule operands: checked against the fact (durable_rules would coerce loosely instead) -----

def _operand_strict(check: Callable[[Any], bool], convert: Callable[[Any], Any] = _keep):
    def operand(value: Any, spec: Any) -> Any:
        if not check(value):
            raise ValueError(f"{value!r} does not fit {spec.path}, which holds {spec.element_type}")
        return convert(value)
    return operand


def _operand_enum(value: Any, spec: Any) -> Any:
    if value not in spec.values:
        raise ValueError(f"{value!r} is not a value of {spec.path} ({', '.join(map(str, spec.values))})")
    return value


def _operand_code(code: Callable[[str], int], what: str):
    def operand(value: Any, spec: Any) -> int:
        try:
            return code(str(value))
        except ValueError:
            raise ValueError(f"{value!r} is not {what}") from None
    return operand


# -- the case JSON: what the fast validator fixes before the common check ---------------------

def _check_float(value: Any, path: str) -> Any:
    if _is_int(value):
        return float(value)
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        raise ValueError(f"field '{path}': Input should be a finite number")
    return value


def _check_version(value: Any, path: str) -> Any:
    if isinstance(value, str):
        try:
            parse_version(value)
        except ValueError:
            raise ValueError(f"field '{path}': Value error, not a version: {value!r}") from None
        return value.strip()
    return value


def _check_date(value: Any, path: str) -> Any:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            raise ValueError(f"field '{path}': Input should be a valid date (YYYY-MM-DD)") from None
    return value


def _check_keep(value: Any, path: str) -> Any:
    return value


# -- a person's typed answer ----------------------------------------------------------------

def _answer_bool(raw: Any, text: Any, spec: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if text.lower() in YES:
        return True
    if text.lower() in NO:
        return False
    raise AnswerError("answer yes or no (or ? if you don't know)")


def _answer_enum(raw: Any, text: Any, spec: Any) -> Any:
    choices = list(spec.values)
    if isinstance(text, str) and text.isdigit() and 1 <= int(text) <= len(choices):
        return choices[int(text) - 1]
    folded = str(text).lower().replace(" ", "_").replace("-", "_")
    for choice in choices:
        if folded == str(choice).lower().replace("-", "_"):
            return choice
    raise AnswerError(f"choose one of: {', '.join(map(str, choices))} (or its number)")


def _answer_int(raw: Any, text: Any, spec: Any) -> int:
    if isinstance(raw, bool):
        raise AnswerError("answer a whole number")
    return int(str(text))


def _answer_version(raw: Any, text: Any, spec: Any) -> str:
    parse_version(str(text))
    return str(text)


# -- pydantic types (imported only when the case model is built) -----------------------------

def _annotation(kind: str, spec: Any) -> Any:
    from typing import Annotated, Literal

    from pydantic import AfterValidator, AllowInfNan, Strict, WithJsonSchema

    if kind == "enum":
        return Literal[spec.values]  # type: ignore[valid-type]
    return {
        "bool": lambda: Annotated[bool, Strict()],
        "int": lambda: Annotated[int, Strict()],
        # ints are fine; bools, strings, NaN and infinities are not
        "float": lambda: Annotated[float, Strict(), AllowInfNan(False)],
        "str": lambda: Annotated[str, Strict()],
        "version": lambda: Annotated[Any, AfterValidator(version_str), WithJsonSchema({"type": "string"})],
        "date": lambda: Annotated[Any, AfterValidator(date_str), WithJsonSchema({"type": "string", "format": "date"})],
    }[kind]()


@dataclass(frozen=True)
class FactKind:
    name: str
    words: str  # how a message names a value of this kind ("a valid integer")
    accepts: Callable[[Any, tuple[Any, ...]], bool]  # (value, enum values): a value read from input fits
    normalize: Callable[[Any], Any]  # the form both evaluators compare
    operand: Callable[[Any, Any], Any]  # (value, spec): a rule's operand, checked and normalised
    check: Callable[[Any, str], Any]  # (value, path): the case JSON's value before the common check
    answer: Callable[[Any, Any, Any], Any]  # (raw, stripped text, spec): a person's answer


def _code_or_keep(code: Callable[[Any], int]) -> Callable[[Any], Any]:
    return lambda value: value if isinstance(value, int) else code(value)  # already normalised


KINDS: dict[str, FactKind] = {
    "bool": FactKind("bool", "a valid boolean", lambda v, _: isinstance(v, bool), _keep,
                     _operand_strict(lambda v: isinstance(v, bool)), _check_keep, _answer_bool),
    "int": FactKind("int", "a valid integer", lambda v, _: _is_int(v), _keep,
                    _operand_strict(_is_int), _check_keep, _answer_int),
    "float": FactKind("float", "a valid number", lambda v, _: _is_number(v), lambda v: durable_float(float(v)),
                      _operand_strict(_is_number, float), _check_float,
                      lambda raw, text, spec: float(str(text))),
    "str": FactKind("str", "a valid string", lambda v, _: isinstance(v, str), _clean_text,
                    _operand_strict(lambda v: isinstance(v, str)), _check_keep,
                    lambda raw, text, spec: str(text)),
    "enum": FactKind("enum", "one of its values", lambda v, values: v in values, _clean_text,
                     _operand_enum, _check_keep, _answer_enum),
    "version": FactKind("version", "a version string such as \"1.0.3\"", _parses(parse_version),
                        _code_or_keep(version_code), _operand_code(version_code, "a version"), _check_version,
                        _answer_version),
    "date": FactKind("date", "a valid date (YYYY-MM-DD)", _parses(dt.date.fromisoformat),
                     _code_or_keep(date_code), _operand_code(date_code, "an ISO date"), _check_date,
                     lambda raw, text, spec: dt.date.fromisoformat(str(text)).isoformat()),
}


def annotation(kind: str, spec: Any) -> Any:
    return _annotation(kind, spec)
