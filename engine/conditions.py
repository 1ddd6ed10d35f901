"""The rule condition language: parsing, three-valued evaluation, compilation to durable_rules.

A condition is YAML:
    all: [cond, ...] | any: [cond, ...] | not: cond
    {fact: PATH, OP: OPERAND}   with OP one of
      equals, not_equals, in, not_in, contains, not_contains, present, missing,
      gt, gte, lt, lte (numbers, versions, dates), matches (a small regex dialect)

Conditions are first parsed and type-checked against the fact schema, then put in negation
normal form (``not`` pushed onto the leaves), which both back ends share:

* ``evaluate`` is the plain-Python reference: Kleene logic, so a leaf over an unknown fact is
  UNKNOWN (never false) and the result says hit / no hit / cannot tell.
* ``to_durable`` emits durable_rules JSON for the same condition; durable fires exactly when
  ``evaluate`` says TRUE (tests check this on every rule case and on generated cases).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any, Iterable, Union

from .facts import ORDERED_TYPES, FactSchema, FactSpec, date_code, parse_version, version_code


class Truth(Enum):
    TRUE = "hit"
    FALSE = "no_hit"
    UNKNOWN = "cannot_tell"


class ConditionError(ValueError):
    """A condition that cannot be compiled; ``loc`` points into the YAML."""

    def __init__(self, message: str, loc: tuple[Any, ...] = ()):
        super().__init__(message)
        self.loc = loc


LEAF_OPS = ("equals", "not_equals", "in", "not_in", "contains", "not_contains", "present",
            "missing", "gt", "gte", "lt", "lte", "matches")
NEGATION = {"equals": "not_equals", "not_equals": "equals", "in": "not_in", "not_in": "in",
            "contains": "not_contains", "not_contains": "contains", "present": "missing",
            "missing": "present", "gt": "lte", "lte": "gt", "lt": "gte", "gte": "lt"}
COUNT_SUFFIX = "__n"  # the length of a list fact, so "not contains" can be true on []


@dataclass(frozen=True)
class Leaf:
    path: str
    op: str
    operand: Any  # normalized: versions/dates as integers, tuples for sets
    shown: Any  # the operand as written, for explanations
    on_list: bool = False  # the fact is a list (contains = membership, not substring)

    def paths(self) -> Iterable[str]:
        yield self.path


@dataclass(frozen=True)
class All:
    items: tuple["Cond", ...]

    def paths(self) -> Iterable[str]:
        for item in self.items:
            yield from item.paths()


@dataclass(frozen=True)
class Any_:
    items: tuple["Cond", ...]

    def paths(self) -> Iterable[str]:
        for item in self.items:
            yield from item.paths()


Cond = Union[Leaf, All, Any_]


# --- parsing and checking ------------------------------------------------------------------

def parse(raw: Any, schema: FactSchema, loc: tuple[Any, ...] = ()) -> Cond:
    """Parse YAML into a condition in negation normal form, checking every fact and operand."""
    return _parse(raw, schema, loc, negate=False)


def _parse(raw: Any, schema: FactSchema, loc: tuple[Any, ...], negate: bool) -> Cond:
    if not isinstance(raw, dict):
        raise ConditionError("a condition must be a mapping", loc)
    keys = set(raw)
    if keys in ({"all"}, {"any"}):
        (kind,) = keys
        items = raw[kind]
        if not isinstance(items, list) or not items:
            raise ConditionError(f"'{kind}' needs a non-empty list", loc + (kind,))
        parsed = tuple(_parse(item, schema, loc + (kind, i), negate) for i, item in enumerate(items))
        # De Morgan: not(all) = any(not), which holds in Kleene logic too.
        return All(parsed) if (kind == "all") != negate else Any_(parsed)
    if keys == {"not"}:
        return _parse(raw["not"], schema, loc + ("not",), not negate)
    if "fact" not in raw:
        raise ConditionError(f"expected 'all', 'any', 'not' or 'fact', got {sorted(keys)}", loc)
    ops = keys - {"fact"}
    if len(ops) != 1:
        raise ConditionError(f"a fact condition needs exactly one operator, got {sorted(ops)}", loc)
    (op,) = ops
    if op not in LEAF_OPS:
        raise ConditionError(f"unknown operator '{op}' (known: {', '.join(LEAF_OPS)})", loc + (op,))
    path = raw["fact"]
    if not isinstance(path, str) or path not in schema:
        raise ConditionError(f"unknown fact '{path}' (not in kb/facts)", loc + ("fact",))
    spec = schema[path]
    if negate:
        if op == "matches":
            raise ConditionError("'not' over 'matches' is not supported; write the positive case", loc)
        if op in ("contains", "not_contains") and not spec.is_list:
            raise ConditionError("'not' over a substring 'contains' is not supported", loc)
        op = NEGATION[op]
    operand = raw[op]
    return _leaf(spec, op, operand, loc + (op,))


def _leaf(spec: FactSpec, op: str, operand: Any, loc: tuple[Any, ...]) -> Leaf:
    kind = spec.element_type
    if op in ("present", "missing"):
        if operand is not True:
            raise ConditionError(f"'{op}' takes the value true", loc)
        return Leaf(spec.path, op, True, True)
    if op in ("equals", "not_equals", "in", "not_in", "gt", "gte", "lt", "lte") and spec.is_list:
        raise ConditionError(f"'{op}' does not apply to the list fact {spec.path}; use contains", loc)
    if op in ("equals", "not_equals"):
        return Leaf(spec.path, op, _value(spec, kind, operand, loc), operand)
    if op in ("in", "not_in"):
        if not isinstance(operand, list) or not operand:
            raise ConditionError(f"'{op}' needs a non-empty list", loc)
        values = tuple(_value(spec, kind, v, loc + (i,)) for i, v in enumerate(operand))
        return Leaf(spec.path, op, values, operand)
    if op in ("gt", "gte", "lt", "lte"):
        if kind not in ORDERED_TYPES:
            raise ConditionError(f"'{op}' needs a number, version or date fact; {spec.path} is {kind}", loc)
        return Leaf(spec.path, op, _value(spec, kind, operand, loc), operand)
    if op in ("contains", "not_contains"):
        if spec.is_list:
            return Leaf(spec.path, op, _value(spec, kind, operand, loc), operand, on_list=True)
        if kind != "str" or op == "not_contains":
            raise ConditionError(f"'{op}' needs a list fact (or a text fact for contains); {spec.path} is {kind}", loc)
        if not isinstance(operand, str) or not operand:
            raise ConditionError("'contains' on text needs a non-empty string", loc)
        return Leaf(spec.path, "contains", operand.lower(), operand)
    if op == "matches":
        if kind != "str":
            raise ConditionError(f"'matches' needs a text fact; {spec.path} is {kind}", loc)
        if not isinstance(operand, str):
            raise ConditionError("'matches' needs a pattern string", loc)
        return Leaf(spec.path, op, tuple(expand_pattern(operand, loc)), operand)
    raise AssertionError(op)


def _value(spec: FactSpec, kind: str, value: Any, loc: tuple[Any, ...]) -> Any:
    """Type-check an operand against the fact (durable_rules would coerce loosely instead)."""
    ok: bool
    if kind == "bool":
        ok = isinstance(value, bool)
    elif kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "float":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif kind == "str":
        ok = isinstance(value, str)
    elif kind == "enum":
        if value not in spec.values:
            raise ConditionError(f"{value!r} is not a value of {spec.path} ({', '.join(map(str, spec.values))})", loc)
        return value
    elif kind == "version":
        try:
            return version_code(str(value))
        except ValueError:
            raise ConditionError(f"{value!r} is not a version", loc) from None
    elif kind == "date":
        try:
            return date_code(str(value))
        except ValueError:
            raise ConditionError(f"{value!r} is not an ISO date", loc) from None
    else:  # pragma: no cover
        raise AssertionError(kind)
    if not ok:
        raise ConditionError(f"{value!r} does not fit {spec.path}, which holds {kind}", loc)
    return value


# --- the regex dialect ---------------------------------------------------------------------
# durable_rules' matcher has no alternation, escapes or anchors (measured). Patterns here may
# use literals, '.', classes [...], groups (...), '?', '*', '+', '{m,n}' and '|'; the compiler
# expands '|' into separate patterns. A literal special character is written as a class: [.]

_FORBIDDEN = re.compile(r"[\\^$]")
_MAX_ALTERNATIVES = 16


def expand_pattern(pattern: str, loc: tuple[Any, ...] = ()) -> list[str]:
    if not pattern:
        raise ConditionError("empty pattern", loc)
    if _FORBIDDEN.search(pattern):
        raise ConditionError(r"patterns may not use '\', '^' or '$'; write a literal special character as a class such as [.]", loc)
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ConditionError(f"bad pattern: {exc}", loc) from None
    alternatives = _expand(pattern, loc)
    if len(alternatives) > _MAX_ALTERNATIVES:
        raise ConditionError(f"pattern expands to {len(alternatives)} alternatives (max {_MAX_ALTERNATIVES})", loc)
    return sorted(set(alternatives))


def _expand(pattern: str, loc: tuple[Any, ...]) -> list[str]:
    """All alternation-free patterns that together match what ``pattern`` matches."""
    branches = _split_top(pattern)
    if len(branches) > 1:
        return [p for branch in branches for p in _expand(branch, loc)]
    # find the first group that contains a top-level '|'
    depth, start, in_class = 0, -1, False
    for i, ch in enumerate(pattern):
        if in_class:
            in_class = ch != "]"
            continue
        if ch == "[":
            in_class = True
        elif ch == "(":
            if depth == 0:
                start = i
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                inner = pattern[start + 1:i]
                if len(_split_top(inner)) > 1:
                    after = pattern[i + 1:]
                    if after[:1] in ("*", "+", "?", "{"):
                        raise ConditionError("a repeated group may not contain '|'", loc)
                    return [pattern[:start] + "(" + alt + ")" + rest
                            for alt in _expand(inner, loc) for rest in _expand(after, loc) or [""]]
    return [pattern]


def _split_top(pattern: str) -> list[str]:
    parts, depth, current, in_class = [], 0, [], False
    for ch in pattern:
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return parts


# --- the reference evaluator (Kleene three-valued logic) -----------------------------------

def evaluate(cond: Cond, facts: dict[str, Any]) -> Truth:
    if isinstance(cond, Leaf):
        return _eval_leaf(cond, facts)
    results = [evaluate(item, facts) for item in cond.items]
    if isinstance(cond, All):
        if Truth.FALSE in results:
            return Truth.FALSE
        return Truth.UNKNOWN if Truth.UNKNOWN in results else Truth.TRUE
    if Truth.TRUE in results:
        return Truth.TRUE
    return Truth.UNKNOWN if Truth.UNKNOWN in results else Truth.FALSE


def _truth(flag: bool) -> Truth:
    return Truth.TRUE if flag else Truth.FALSE


def _eval_leaf(leaf: Leaf, facts: dict[str, Any]) -> Truth:
    known = leaf.path in facts
    if leaf.op == "present":
        return _truth(known)
    if leaf.op == "missing":
        return _truth(not known)
    if not known:
        return Truth.UNKNOWN
    value = facts[leaf.path]
    op, operand = leaf.op, leaf.operand
    if op == "equals":
        return _truth(value == operand)
    if op == "not_equals":
        return _truth(value != operand)
    if op == "in":
        return _truth(value in operand)
    if op == "not_in":
        return _truth(value not in operand)
    if op == "gt":
        return _truth(value > operand)
    if op == "gte":
        return _truth(value >= operand)
    if op == "lt":
        return _truth(value < operand)
    if op == "lte":
        return _truth(value <= operand)
    if op == "contains":
        return _truth(operand in value) if leaf.on_list else _truth(operand in value.lower())
    if op == "not_contains":
        return _truth(operand not in value)
    if op == "matches":
        return _truth(any(_full_match(f".*{p}.*", value) for p in operand))
    raise AssertionError(op)


_COMPILED: dict[str, re.Pattern[str]] = {}


def _full_match(pattern: str, text: str) -> bool:
    compiled = _COMPILED.get(pattern)
    if compiled is None:
        compiled = _COMPILED[pattern] = re.compile(pattern, re.IGNORECASE | re.DOTALL)
    return compiled.fullmatch(text) is not None


def leaves(cond: Cond) -> Iterable[Leaf]:
    if isinstance(cond, Leaf):
        yield cond
    else:
        for item in cond.items:
            yield from leaves(item)


def unknown_paths(cond: Cond, facts: dict[str, Any]) -> list[str]:
    """The unknown facts whose values could still change an UNKNOWN result."""
    seen: list[str] = []
    for path in cond.paths():
        if path not in facts and path not in seen:
            seen.append(path)
    return seen


def matched_leaves(cond: Cond, facts: dict[str, Any]) -> list[Leaf]:
    """The leaves that made a TRUE condition true (for the evidence rows of a report)."""
    if isinstance(cond, Leaf):
        return [cond] if _eval_leaf(cond, facts) is Truth.TRUE else []
    if isinstance(cond, All):
        return [leaf for item in cond.items for leaf in matched_leaves(item, facts)]
    for item in cond.items:
        if evaluate(item, facts) is Truth.TRUE:
            return matched_leaves(item, facts)
    return []


# --- compilation to durable_rules ----------------------------------------------------------

def to_durable(cond: Cond) -> dict[str, Any]:
    """durable_rules pattern for one condition (without the case guard)."""
    if isinstance(cond, All):
        return {"$and": [to_durable(item) for item in cond.items]}
    if isinstance(cond, Any_):
        return {"$or": [to_durable(item) for item in cond.items]}
    key, op, operand = cond.path, cond.op, cond.operand
    if op == "present":
        return {"$ex": {key: 1}}
    if op == "missing":
        return {"$nex": {key: 1}}
    if op == "equals":
        return {key: operand}
    if op == "not_equals":
        return {"$neq": {key: operand}}
    if op == "in":
        return {"$or": [{key: v} for v in operand]}
    if op == "not_in":
        return {"$and": [{"$neq": {key: v}} for v in operand]}
    if op in ("gt", "gte", "lt", "lte"):
        return {f"${op}": {key: operand}}
    if op == "contains" and cond.on_list:
        return {"$iany": {key: {"$i": operand}}}
    if op == "contains":
        return {"$imt": {key: ".*" + _literal(operand) + ".*"}}
    if op == "not_contains":
        # durable's $iall is false on an empty list, so [] is handled by the length field.
        return {"$or": [{key + COUNT_SUFFIX: 0}, {"$iall": {key: {"$neq": {"$i": operand}}}}]}
    if op == "matches":
        branches = [{"$imt": {key: f".*{p}.*"}} for p in operand]
        return branches[0] if len(branches) == 1 else {"$or": branches}
    raise AssertionError(op)


def _literal(text: str) -> str:
    """A literal string in durable's regex dialect (no escapes: specials become classes)."""
    return "".join(f"[{ch}]" if ch in ".*+?()[]{}|" else ch for ch in text)


def branch_count(cond: Cond) -> int:
    """How many disjunctive branches durable_rules may fire for this condition at most."""
    if isinstance(cond, All):
        return _product(branch_count(item) for item in cond.items)
    if isinstance(cond, Any_):
        return sum(branch_count(item) for item in cond.items)
    if cond.op == "in":
        return len(cond.operand)
    if cond.op == "not_contains":
        return 2
    if cond.op == "matches":
        return len(cond.operand)
    return 1


def _product(numbers: Iterable[int]) -> int:
    total = 1
    for n in numbers:
        total *= n
    return total


def text_of(leaf: Leaf) -> str:
    """A short human form of a leaf: 'api.error_codes contains 2310'."""
    words = {"equals": "=", "not_equals": "≠", "in": "in", "not_in": "not in", "gt": ">",
             "gte": "≥", "lt": "<", "lte": "≤", "contains": "contains",
             "not_contains": "does not contain", "matches": "matches", "present": "is known",
             "missing": "is not known"}
    if leaf.op in ("present", "missing"):
        return f"{leaf.path} {words[leaf.op]}"
    return f"{leaf.path} {words[leaf.op]} {leaf.shown}"


__all__ = ["Truth", "ConditionError", "Leaf", "All", "Any_", "Cond", "parse", "evaluate",
           "to_durable", "branch_count", "unknown_paths", "matched_leaves", "text_of",
           "expand_pattern", "COUNT_SUFFIX"]
