"""The rule condition language: parsing, three-valued evaluation, compilation to durable_rules.

A condition is YAML:
    all: [cond, ...] | any: [cond, ...] | not: cond
    {fact: PATH, OP: OPERAND}   with OP one of
      equals, not_equals, in, not_in, contains, not_contains, present, missing,
      gt, gte, lt, lte (numbers, versions, dates), matches (a Python regex search),
      bits_set, bits_clear (a bitmask: every bit of the operand set, or every one clear)

Conditions are first parsed and type-checked against the fact schema, then put in negation
normal form (``not`` pushed onto the leaves), which both back ends share:

* ``compile_python`` (and ``evaluate``) is the plain-Python reference: Kleene logic, so a leaf
  over an unknown fact is UNKNOWN (never false) and the result says hit / no hit / cannot tell.
* ``to_durable`` emits durable_rules JSON for the same condition; durable fires exactly when
  ``evaluate`` says TRUE (tests check this on every rule case and on generated cases).
"""
from __future__ import annotations

import hashlib
import operator
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable, Iterable, Union

from .fact_kinds import KINDS
from .facts import ORDERED_TYPES, FactSchema, FactSpec
from ..regex_cache import cached_compile


class Truth(Enum):
    TRUE = "hit"
    FALSE = "no_hit"
    UNKNOWN = "cannot_tell"

    # members are singletons compared by identity; Enum's own __hash__ (hash of the name, in
    # Python) costs a call per member each time follow_up's trial cache hashes a key of them
    __hash__ = object.__hash__


TRUE, FALSE, UNKNOWN = Truth.TRUE, Truth.FALSE, Truth.UNKNOWN


class ConditionError(ValueError):
    """A condition that cannot be compiled; ``loc`` points into the YAML."""

    def __init__(self, message: str, loc: tuple[Any, ...] = ()):
        super().__init__(message)
        self.loc = loc


LEAF_OPS = ("equals", "not_equals", "in", "not_in", "contains", "not_contains", "present",
            "missing", "gt", "gte", "lt", "lte", "matches", "bits_set", "bits_clear")
# Negations in normal form; bits_some_clear and bits_some_set exist only as negations
NEGATION = {"equals": "not_equals", "not_equals": "equals", "in": "not_in", "not_in": "in",
            "contains": "not_contains", "not_contains": "contains", "present": "missing",
            "missing": "present", "gt": "lte", "lte": "gt", "lt": "gte", "gte": "lt",
            "bits_set": "bits_some_clear", "bits_clear": "bits_some_set"}
BIT_OPS = ("bits_set", "bits_clear", "bits_some_clear", "bits_some_set")
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
    """Parse YAML into a condition in negation normal form, checking every fact and operand
    and that durable_rules can hold it."""
    cond = _parse(raw, schema, loc, negate=False)
    groups = group_count({"$and": [{"_case": 1}, to_durable(cond)]})
    if groups > MAX_GROUPS:
        raise ConditionError(f"too complex for durable_rules: {groups} nested all/any groups "
                             f"(at most {MAX_GROUPS}); split it into several rules", loc)
    return cond


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
    operand = raw[op]
    written = op
    if negate:
        if op == "matches":
            raise ConditionError("'not' over 'matches' is not supported; write the positive case", loc)
        if op in ("contains", "not_contains") and not spec.is_list:
            raise ConditionError("'not' over a substring 'contains' is not supported", loc)
        op = NEGATION[op]
    return _leaf(spec, op, operand, loc + (written,))


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
    if op in BIT_OPS:
        if kind != "int" or spec.is_list:
            raise ConditionError(f"'{op}' needs a whole-number fact; {spec.path} is {spec.type}", loc)
        if not isinstance(operand, int) or isinstance(operand, bool) or operand <= 0:
            raise ConditionError(f"'{op}' needs a positive whole number (the bits, e.g. 16 or 24)", loc)
        return Leaf(spec.path, op, operand, operand)
    if op == "matches":
        if kind != "str":
            raise ConditionError(f"'matches' needs a text fact; {spec.path} is {kind}", loc)
        if not isinstance(operand, str):
            raise ConditionError("'matches' needs a pattern string", loc)
        check_pattern(operand, loc)
        return Leaf(spec.path, op, operand, operand, on_list=spec.is_list)
    raise AssertionError(op)


def _value(spec: FactSpec, kind: str, value: Any, loc: tuple[Any, ...]) -> Any:
    """Type-check an operand against the fact (durable_rules would coerce loosely instead)."""
    try:
        return KINDS[kind].operand(value, spec)
    except ValueError as exc:
        raise ConditionError(str(exc), loc) from None


# --- computed tests ------------------------------------------------------------------------
# durable_rules' own matcher ($mt/$imt) is not usable: measured, it misses plain substrings
# that overlap themselves (".*aaa.*" on "31 a1 03baaaaa"), classes and gaps after a partial
# match, refuses '%' and some literals (errors 501, 503), and has no alternation or escapes;
# and it has no bitwise operators. So `matches` (a case-insensitive Python regex search),
# `contains` on text and the bit tests are computed in Python when the case is projected for
# the engine, and durable_rules tests the result as a boolean feature of the fact (see
# durable_engine). Both engines share computed_test().

_NESTED_QUANTIFIER = cached_compile(r"\([^()]*[+*][^()]*\)[+*{]")


def check_pattern(pattern: str, loc: tuple[Any, ...] = ()) -> re.Pattern[str]:
    if not pattern:
        raise ConditionError("empty pattern", loc)
    if _NESTED_QUANTIFIER.search(pattern):
        raise ConditionError("nested quantifiers such as (a+)+ can take exponential time; simplify the pattern", loc)
    try:
        return cached_compile(pattern, re.IGNORECASE | re.DOTALL)
    except re.error as exc:
        raise ConditionError(f"bad pattern: {exc}", loc) from None


def computed_test(leaf: "Leaf", value: Any) -> bool:
    """A computed leaf (see is_computed) on a known value."""
    if leaf.op in BIT_OPS:
        return _bit_test(leaf.op, value, leaf.operand)
    texts = value if isinstance(value, list) else [value]
    if leaf.op == "contains":
        return any(leaf.operand in text.lower() for text in texts)
    pattern = _COMPILED.get(leaf.operand)
    if pattern is None:
        pattern = _COMPILED[leaf.operand] = check_pattern(leaf.operand)
    return any(pattern.search(text) is not None for text in texts)


def _bit_test(op: str, value: int, bits: int) -> bool:
    present = value & bits
    if op == "bits_set":
        return present == bits
    if op == "bits_clear":
        return present == 0
    if op == "bits_some_clear":
        return present != bits
    return present != 0  # bits_some_set


def feature_key(leaf: "Leaf") -> str:
    """The fact key under which the engine sees a computed test's result."""
    digest = hashlib.sha1(f"{leaf.path}|{leaf.op}|{leaf.operand}".encode()).hexdigest()[:12]
    return f"{leaf.path}__{leaf.op}_{digest}"


def is_computed(leaf: "Leaf") -> bool:
    """Computed in Python, seen by durable_rules as a boolean feature: text and bit tests."""
    return leaf.op == "matches" or leaf.op in BIT_OPS or (leaf.op == "contains" and not leaf.on_list)


_COMPILED: dict[str, re.Pattern[str]] = {}


# --- the reference evaluator (Kleene three-valued logic) -----------------------------------

def evaluate(cond: Cond, facts: dict[str, Any]) -> Truth:
    """The reference result of a condition (the engine's hot path keeps the compiled form,
    CompiledRule.test)."""
    return compile_python(cond)(facts)


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
    if op == "contains" and leaf.on_list:
        return _truth(operand in value)
    if op == "not_contains":
        return _truth(operand not in value)
    if is_computed(leaf):
        return _truth(computed_test(leaf, value))
    raise AssertionError(op)


def compile_python(cond: Cond) -> Callable[[dict[str, Any]], Truth]:
    """The plain-Python reference evaluator: a condition as closures in Kleene logic (a leaf
    over an unknown fact is UNKNOWN). The tests hold it to durable_rules on every case."""
    if isinstance(cond, Leaf):
        return _compile_leaf(cond)
    parts = tuple(compile_python(item) for item in cond.items)
    # all: FALSE decides, else UNKNOWN if any part is, else TRUE; any is the mirror image
    decisive, otherwise = (FALSE, TRUE) if isinstance(cond, All) else (TRUE, FALSE)

    def combine(facts: dict[str, Any]) -> Truth:
        unknown = False
        for part in parts:
            truth = part(facts)
            if truth is decisive:
                return decisive
            unknown = unknown or truth is UNKNOWN
        return UNKNOWN if unknown else otherwise
    return combine


def _compile_leaf(cond: Leaf) -> Callable[[dict[str, Any]], Truth]:
    """A leaf as one closure for its operator: what _eval_leaf gives, without going through
    its chain of operators on every call (the reference evaluation's innermost step)."""
    path, op, operand = cond.path, cond.op, cond.operand
    if op == "present":
        return lambda facts: TRUE if path in facts else FALSE
    if op == "missing":
        return lambda facts: FALSE if path in facts else TRUE
    if op in _COMPARE:  # value OP operand
        return _compare(path, _COMPARE[op], operand)
    if op in _MEMBER:  # value (not) in operand
        return _member(path, operand, _MEMBER[op])
    if op == "not_contains" or (op == "contains" and cond.on_list):  # operand (not) in the list
        return _holds(path, operand, op == "contains")

    def leaf(facts: dict[str, Any]) -> Truth:  # computed tests, as _eval_leaf gives them
        return _eval_leaf(cond, facts) if path in facts else UNKNOWN
    return leaf


_ABSENT = object()  # facts.get's default: a known fact may hold None
_COMPARE = {"equals": operator.eq, "not_equals": operator.ne, "gt": operator.gt, "gte": operator.ge,
            "lt": operator.lt, "lte": operator.le}
_MEMBER = {"in": True, "not_in": False}


def _compare(path: str, compare: Callable[[Any, Any], Any], operand: Any) -> Callable[[dict[str, Any]], Truth]:
    def leaf(facts: dict[str, Any]) -> Truth:
        value = facts.get(path, _ABSENT)
        if value is _ABSENT:
            return UNKNOWN
        return TRUE if compare(value, operand) else FALSE
    return leaf


def _member(path: str, operand: Any, inside: bool) -> Callable[[dict[str, Any]], Truth]:
    return _compare(path, lambda value, members: (value in members) is inside, operand)


def _holds(path: str, operand: Any, inside: bool) -> Callable[[dict[str, Any]], Truth]:
    return _compare(path, lambda value, item: (item in value) is inside, operand)


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

MAX_GROUPS = 15  # durable_rules refuses a rule with more $and/$or nodes (error 113, measured)


def _node(kind: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """An $and/$or node, flattened: a single item stands alone, same-kind children merge."""
    flat: list[dict[str, Any]] = []
    for item in items:
        flat.extend(item[kind] if set(item) == {kind} else [item])
    return flat[0] if len(flat) == 1 else {kind: flat}


def group_count(pattern: Any) -> int:
    """The $and/$or nodes of a compiled durable pattern."""
    if isinstance(pattern, dict):
        return sum((key in ("$and", "$or")) + group_count(value) for key, value in pattern.items())
    if isinstance(pattern, list):
        return sum(group_count(item) for item in pattern)
    return 0


def to_durable(cond: Cond) -> dict[str, Any]:
    """durable_rules pattern for one condition (without the case guard)."""
    if isinstance(cond, All):
        return _node("$and", [to_durable(item) for item in cond.items])
    if isinstance(cond, Any_):
        return _node("$or", [to_durable(item) for item in cond.items])
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
        return _node("$or", [{key: v} for v in operand])
    if op == "not_in":
        return _node("$and", [{"$neq": {key: v}} for v in operand])
    if op in ("gt", "gte", "lt", "lte"):
        return {f"${op}": {key: operand}}
    if op == "contains" and cond.on_list:
        return {"$iany": {key: {"$i": operand}}}
    if is_computed(cond):
        return {feature_key(cond): True}  # computed in Python when the case is projected
    if op == "not_contains":
        # durable's $iall is false on an empty list, so [] is handled by the length field.
        return {"$or": [{key + COUNT_SUFFIX: 0}, {"$iall": {key: {"$neq": {"$i": operand}}}}]}
    raise AssertionError(op)


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
             "missing": "is not known", "bits_set": "has every bit of", "bits_clear": "has no bit of",
             "bits_some_clear": "lacks a bit of", "bits_some_set": "has a bit of"}
    if leaf.op in ("present", "missing"):
        return f"{leaf.path} {words[leaf.op]}"
    return f"{leaf.path} {words[leaf.op]} {leaf.shown}"


__all__ = ["Truth", "ConditionError", "Leaf", "All", "Any_", "Cond", "parse", "evaluate",
           "to_durable", "branch_count", "unknown_paths", "matched_leaves", "text_of",
           "compile_python", "computed_test", "feature_key", "is_computed", "check_pattern", "COUNT_SUFFIX"]
