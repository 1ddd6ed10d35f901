"""Reads `key = value` pairs wherever they stand in a post (code, config, logs, prose) and turns
the ones kb/ingest/values.yaml knows into facts."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .emit import Emitter
from ..regex_cache import cached_compile

# key, separator, value: "key": value | key = value | key: value | key => value | pkg==1.2.3
_PAIR = cached_compile(
    r"""(?P<key>[@A-Za-z_][\w.@/-]{0,60})["']?\s*(?P<sep>==|~=|>=|=>|:=|=|:)\s*(?P<value>[^,;#\n(){}\[\]]{1,80})""")
# a code identifier and a number with only a space between, as prose writes them
# ("the handshake asks for media_type 11"): only identifiers with an underscore
_SPACED = cached_compile(r"(?<![\w.])(?P<key>[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+)[ \t]+(?P<sep>)(?P<value>\d{1,6})(?![\w.])")
_CAMEL = cached_compile(r"(?<=[a-z0-9])(?=[A-Z])")
_VERSION = cached_compile(r"(?<![\d.])v?(\d+(?:\.\d+){0,2})")
_INT = cached_compile(r"^-?\d{1,6}$")
MAX_LINE = 400  # longer lines are minified code or data blobs: not read for pairs


@dataclass(frozen=True)
class PairRule:
    fact: str
    kind: str  # int | bitmask | version
    names: dict[str, int]
    separators: tuple[str, ...]
    also: dict[str, Any]
    min_parts: int


def compile_pairs(data: Any) -> dict[str, list[PairRule]]:
    """Key (snake case) -> what a value under it means, from the values.yaml record."""
    table: dict[str, list[PairRule]] = {}
    for entry in data.pairs:
        rule = PairRule(entry.fact, entry.value, {k.lower(): v for k, v in entry.names.items()},
                        tuple(entry.separators), dict(entry.also), entry.min_parts)
        for key in entry.keys:
            table.setdefault(snake(key), []).append(rule)
    return table


def snake(key: str) -> str:
    return _CAMEL.sub("_", key).replace("-", "_").lower()


def read_pairs(text: str, table: dict[str, list[PairRule]], em: Emitter) -> None:
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > MAX_LINE:
            continue
        matches = list(_PAIR.finditer(line)) if any(sep in line for sep in "=:>") else []
        if "_" in line:
            matches += _SPACED.finditer(line)
        for match in matches:
            key = snake(match.group("key"))
            rules = table.get(key) or table.get(key.rsplit(".", 1)[-1])
            if not rules:
                continue
            for rule in rules:
                if rule.separators and match.group("sep") not in rule.separators:
                    continue
                value = _value(match.group("value"), rule)
                if rule.kind == "version" and value is not None and _less_precise(value, rule.fact, em):
                    continue
                if value is not None:
                    em.add(rule.fact, value, f"line {number}")
                    for path, extra in rule.also.items():
                        em.add(path, extra, f"line {number}")
                    break


def _less_precise(version: str, fact: str, em: Emitter) -> bool:
    """An image tag's 3.12 says less than the 3.12.4 the post already gave: not a conflict."""
    return any(o.path == fact and isinstance(o.value, str) and o.value.startswith(version + ".")
               for o in em.observations)


def _value(raw: str, rule: PairRule) -> Any:
    raw = raw.strip().strip("\"'`").strip()
    if rule.kind == "version":
        found = _VERSION.search(raw)
        if not found or found.group(1).count(".") + 1 < rule.min_parts:
            return None
        return found.group(1)
    value = _number_or_names(raw, rule)
    if value is None and " " in raw:  # prose after the value: "media_type = 16 in the handshake"
        lead = _LEAD.match(raw)
        value = _number_or_names(lead.group(0), rule) if lead else None
    return value


# the value's leading names or numbers, joined as a bitmask is written ("AUDIO | TRANSCRIPT",
# "audio and video"); the words after them are prose
_LEAD = cached_compile(r"[\w.]+(?:\s*(?:\||\+|&|\band\b)\s*[\w.]+)*", re.I)


def _number_or_names(raw: str, rule: PairRule) -> Any:
    parts = [p.strip().strip("\"'`") for p in re.split(r"\s*(?:[|+&]|\band\b)\s*", raw)] if rule.kind == "bitmask" else [raw]
    total = 0
    for part in parts:
        name = part.rsplit(".", 1)[-1].lower()
        if _INT.match(part):
            number = int(part)
        elif name in rule.names:
            number = rule.names[name]
        else:
            return None
        total = total | number if rule.kind == "bitmask" else number
    return total
