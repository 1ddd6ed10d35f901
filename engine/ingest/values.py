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
    within: str | None = None


def compile_pairs(data: Any) -> dict[str, list[PairRule]]:
    """Key (snake case) -> what a value under it means, from the values.yaml record."""
    table: dict[str, list[PairRule]] = {}
    for entry in data.pairs:
        rule = PairRule(entry.fact, entry.value, {k.lower(): v for k, v in entry.names.items()},
                        tuple(entry.separators), dict(entry.also), entry.min_parts, entry.within)
        for key in entry.keys:
            table.setdefault(snake(key), []).append(rule)
    return table


def snake(key: str) -> str:
    return _CAMEL.sub("_", key).replace("-", "_").lower()


# where one medium's parameters open: `video: {`, `"audio_params" = {`, `setVideoParams({`,
# `"transcript": {` (whose content_type is not audio's)
_MEDIUM_OPEN = cached_compile(r"\bset(?P<set>video|audio)params\s*\(\s*\{|"
                              r"\b(?P<key>video|audio|transcript|chat|deskshare)(?:_?params)?[\"']?\s*[=:]\s*\{", re.I)
_BRACE = cached_compile(r"[{}]")
_MEDIUM_NAME = cached_compile(r"\b(?P<medium>video|audio)[a-z]*\.", re.I)  # VideoCodec.H264, AudioSampleRate.SR_48K
MAX_MEDIUM_BLOCKS = 200  # bounded work on a huge paste
MAX_MEDIUM_CHARS = 4000  # one medium's parameters


def _medium_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, medium) of each medium's parameter block, by brace depth."""
    spans: list[tuple[int, int, str]] = []
    if "{" not in text:
        return spans
    for opened in _MEDIUM_OPEN.finditer(text):
        depth, end = 1, min(len(text), opened.end() + MAX_MEDIUM_CHARS)
        for brace in _BRACE.finditer(text, opened.end(), end):
            depth += 1 if brace.group(0) == "{" else -1
            if not depth:
                end = brace.start()
                break
        spans.append((opened.end(), end, (opened.group("set") or opened.group("key")).lower()))
        if len(spans) >= MAX_MEDIUM_BLOCKS:
            break
    return spans


def _medium(spans: list[tuple[int, int, str]], position: int, value: str) -> str | None:
    """The medium a pair at POSITION sets: its value's enum name says so, else the innermost
    parameter block around it."""
    named = _MEDIUM_NAME.search(value)
    if named:
        return named.group("medium").lower()
    inside = [(start, medium) for start, end, medium in spans if start <= position < end]
    return max(inside)[1] if inside else None


def _applies(rule: PairRule, medium: str | None) -> bool:
    if rule.within == "video":
        return medium == "video"
    if rule.within == "audio":
        return medium in (None, "audio")
    return True


def read_pairs(text: str, table: dict[str, list[PairRule]], em: Emitter) -> None:
    spans = _medium_spans(text)
    offset = 0
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        start, offset = offset, offset + len(line)
        line = (line.splitlines() or [""])[0]  # without its line end, as splitlines() gives it
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
            medium = _medium(spans, start + match.start(), match.group("value")) if spans or "." in match.group("value") else None
            for rule in rules:
                if rule.separators and match.group("sep") not in rule.separators:
                    continue
                if not _applies(rule, medium):
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
