"""Which id the webhook handler takes from the payload, read from its code (kb/ingest/
values.yaml, `payload_reads`): `instanceId: p.meeting_uuid` for a webinar's body, whose id is
webinar_uuid, leaves the id undefined."""
from __future__ import annotations

import re
from typing import Any

from . import code_names as code
from .emit import Emitter
from ..regex_cache import cached_compile

_DOT_OR_KEY = cached_compile(r"\.|(?=\[)")  # body.payload["x"] -> body, payload, ["x"]
_NAME_LIST = cached_compile(r"[,\s]+")
_DOT_OR_BRACKET = cached_compile(r"\.|\[")
MAX_LINE = 400  # a longer line is a blob, not code or a log line: not read (bounded time)

MAX_TEXT = 200_000


class PayloadReadRules:
    """The `payload_reads` record as patterns."""

    __slots__ = ('containers', 'id_fields', 'access', 'destructure')

    def __init__(self, containers: frozenset[str],
                 id_fields: tuple[str, ...],
                 access: re.Pattern[str],
                 destructure: re.Pattern[str]) -> None:
        self.containers = containers
        self.id_fields = id_fields
        self.access = access  # base.field, base?.field, base["field"], base.get("field")
        self.destructure = destructure  # { field, ... } = ....payload


def compile_payload_reads(entry: Any) -> PayloadReadRules | None:
    if entry is None:
        return None
    fields = "|".join(re.escape(f) for f in sorted(entry.id_fields, key=len, reverse=True))
    containers = "|".join(re.escape(c) for c in entry.containers)
    access = cached_compile(
        rf"(?P<base>[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*|\[[\"'][\w$]+[\"']\])*)"
        rf"(?:\??\.(?P<dotted>{fields})\b|\[[\"'](?P<keyed>{fields})[\"']\]|\.get\(\s*[\"'](?P<got>{fields})[\"'])")
    destructure = cached_compile(rf"\{{(?P<names>[^{{}}=]{{1,200}})\}}\s*=\s*[\w$.\[\]\"']*\b(?:{containers})\b")
    return PayloadReadRules(frozenset(entry.containers), tuple(entry.id_fields), access, destructure)


def read_payload_reads(text: str, rules: PayloadReadRules, em: Emitter) -> None:
    text = text[:MAX_TEXT]
    if not any(c in text for c in rules.containers):
        return
    lines = text.splitlines()
    aliases = _aliases(lines, rules)
    read: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE or not any(f in line for f in rules.id_fields):
            continue
        for match in rules.access.finditer(line):
            base = match.group("base").replace("?", "")
            parts = [p.strip("[]\"'") for p in _DOT_OR_KEY.split(base) if p]
            if parts and (parts[-1] in rules.containers or parts[-1] in aliases
                          or (parts[-1] == "object" and len(parts) > 1 and parts[-2] in rules.containers | aliases)):
                read.setdefault(match.group("dotted") or match.group("keyed") or match.group("got"), number)
        for match in rules.destructure.finditer(line):
            for name in _NAME_LIST.split(match.group("names")):
                name = name.split(":")[0].strip()
                if name in rules.id_fields:
                    read.setdefault(name, number)
    if len(read) == 1:
        field, number = next(iter(read.items()))
        em.add("webhook.id_field_read", field, f"line {number}")


def _aliases(lines: list[str], rules: PayloadReadRules) -> set[str]:
    """Names the payload is given: const p = body.payload; payload = data["payload"]."""
    assigned = code.assignments(lines, len(lines))
    found = set()
    for name, expr in assigned.items():
        expr = expr.strip().rstrip(";").strip()
        last = _DOT_OR_BRACKET.split(expr)[-1].strip("]\"'? ")
        if last in rules.containers:
            found.add(name)
    return found
