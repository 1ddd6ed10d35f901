"""Reads the handshake signature from the code that computes it (kb/ingest/values.yaml,
`signing`): which secret keys the HMAC, which client id and instance id go into the signed
string, how its parts are joined and how the digest is encoded.

Posts about a refused handshake usually paste the signing code, and the cause often stands
only there: `createHmac('sha256', process.env.ZOOM_SECRET_TOKEN)`, `${clientId}, ${uuid}`,
`.digest('base64')`. A signing line's names are followed back through their assignments
above it, so `hmac(secret, msg)` is read through `secret = ...` and `msg = ...`. A fact is
given only when the code says one thing about it: two different secrets, or two instance
ids, give nothing."""
from __future__ import annotations

import re
from typing import Any

from .emit import Emitter
from . import code_names as code
from .values import snake
from ..regex_cache import cached_compile

MAX_LINE = 400  # a longer line is a blob, not code or a log line: not read (bounded time)

MAX_TEXT = 200_000  # the signing code of a post; a huge paste is read this far
MAX_WINDOWS = 20  # signing lines read per text

# where the parts of a signed string are joined: `${a},${b}`, f"{a},{b}", "a" + "," + b
_PLUS = cached_compile(r"\s*\+\s*")  # a + "," + b
_JOIN = cached_compile(r"""(["'])(?P<sep>[^"'\n]{0,4})\1\s*\.\s*join\s*\(""")


class SigningRules:
    """The `signing` record as lookup tables."""

    __slots__ = ('calls', 'call', 'webhook_words', 'secrets', 'client_ids', 'instance_ids', 'stream_ids',
                 'environments', 'encodings')

    def __init__(self, calls: tuple[str, ...],
                 call: re.Pattern[str],
                 webhook_words: tuple[str, ...],
                 secrets: dict[str, str],
                 client_ids: dict[str, str],
                 instance_ids: dict[str, str],
                 stream_ids: frozenset[str],
                 environments: dict[str, str],
                 encodings: dict[str, str]) -> None:
        self.calls = calls
        self.call = call  # a call word in code: createHmac(, hmac.new(, "HmacSHA256" (not prose's "HMAC (")
        self.webhook_words = webhook_words
        self.secrets = secrets  # snake-case name -> signature.secret_source
        self.client_ids = client_ids
        self.instance_ids = instance_ids  # the payload's field name -> signature.id_field
        self.stream_ids = stream_ids
        self.environments = environments  # a word -> signature.credentials_env
        self.encodings = encodings


def compile_signing(entry: Any) -> SigningRules | None:
    """The values.yaml `signing` record as lookup tables (None: the KB has none)."""
    if entry is None:
        return None

    def by_name(table: Any) -> dict[str, str]:
        return {name.lower(): value for value, names in table.items() for name in names}

    words = "|".join(re.escape(c) for c in entry.calls)
    call = cached_compile(rf"(?i)[\w$]*(?:{words})[\w$]*(?:\.[\w$]+)?\(|[\"'`](?:{words})[\w-]*[\"'`]")
    return SigningRules(tuple(c.lower() for c in entry.calls), call, tuple(w.lower() for w in entry.webhook_words),
                        by_name(entry.secrets), by_name(entry.client_ids), by_name(entry.instance_ids),
                        frozenset(n.lower() for n in entry.stream_ids), by_name(entry.environments),
                        by_name(entry.encodings))


def read_signing(text: str, rules: SigningRules, em: Emitter) -> None:
    text = text[:MAX_TEXT]
    lowered = text.lower()
    if not any(call in lowered for call in rules.calls):
        return
    lines = text.splitlines()
    given: set[str] = set()
    windows = 0
    for index, line in enumerate(lines):
        if len(line) > MAX_LINE or not any(call in line.lower() for call in rules.calls) \
                or not rules.call.search(line):
            continue
        windows += 1
        if windows > MAX_WINDOWS:
            return
        for fact, value in _read_window(lines, index, rules).items():
            if fact not in given:
                given.add(fact)
                em.add(fact, value, f"line {index + 1}")


def _read_window(lines: list[str], index: int, rules: SigningRules) -> dict[str, Any]:
    """The facts one signing line gives (its statement may go on over the next lines)."""
    window = [lines[index]]
    for follow in lines[index + 1:index + 3]:  # a chained .update(msg).digest('hex')
        if follow.lstrip().startswith(".") or window[-1].rstrip().endswith(("(", ",", ".")):
            window.append(follow)
        else:
            break
    statement = "\n".join(window)
    assignments = code.assignments(lines, index)
    names = code.names(statement)
    expressions = code.followed(names, assignments)
    every = names + [n for expr in expressions for n in code.names(expr)]
    raw = " ".join([statement] + expressions).lower()
    if any(marker in raw for marker in rules.webhook_words):
        return {}
    facts: dict[str, Any] = {}
    secret = _one(every, rules.secrets, snake_case=True)
    if secret:
        facts["signature.secret_source"] = secret[0]
        environment = {rules.environments[w] for w in code.words(secret[1]) if w in rules.environments}
        if len(environment) == 1:
            facts["signature.credentials_env"] = environment.pop()
    client = _one(every, rules.client_ids, snake_case=True)
    if client:
        facts["signature.client_id_kind"] = client[0]
    instance = _one(every, rules.instance_ids, snake_case=False)
    if instance:
        facts["signature.id_field"] = instance[0]
    encoding = {rules.encodings[w] for w in (w for n in code.names(statement) for w in code.words(n)) if w in rules.encodings}
    if len(encoding) == 1:
        facts["signature.encoding"] = encoding.pop()
    for expr in [statement] + expressions:
        if _misjoined(expr, rules):
            facts["signature.message_format_ok"] = False
            break
    return facts


def _one(names: list[str], table: dict[str, str], snake_case: bool) -> tuple[str, str] | None:
    """(the one value NAMES say, the name that says it), or None when they say none or two.
    A dotted part says a value when it holds a listed name as whole words (ZOOM_CLIENT_SECRET);
    instance ids only as written (the payload's field, not a camel-case variable)."""
    values: dict[str, str] = {}
    for name in names:
        for part in name.split("."):
            hit = code.listed(snake(part), table) if snake_case else table.get(part)
            if hit is not None:
                values.setdefault(hit, name)
    if len(values) != 1:
        return None
    value, name = next(iter(values.items()))
    return value, name


def _misjoined(expr: str, rules: SigningRules) -> bool:
    """The signed string's parts (client id, instance id, stream id, in that order) are
    joined with something other than a bare comma, or come in another order."""
    joined = _JOIN.search(expr)
    for literal in code.STRING.finditer(expr):
        body = literal.group(2)
        holes = list(code.PLACEHOLDER.finditer(body))
        if len(holes) >= 3 and literal.group(1) in "`'\"":  # a template or f-string
            parts = [_kind(h.group(0).strip("${}"), rules) for h in holes]
            seps = [body[a.end():b.start()] for a, b in zip(holes, holes[1:])]
            if _is_message(parts):
                return any(s != "," for s in seps) or not _in_order(parts)
    if joined and _is_message([_kind(n, rules) for n in code.names(expr[joined.end():])]):
        return joined.group("sep") != ","
    pieces = _PLUS.split(expr)
    if len(pieces) >= 5:  # a + "," + b + "," + c
        kinds = [_kind(p, rules) for p in pieces[0::2]]
        seps = [p.strip().strip("\"'") for p in pieces[1::2]]
        if _is_message(kinds) and all(code.STRING.fullmatch(p.strip()) for p in pieces[1::2]):
            return any(s != "," for s in seps) or not _in_order(kinds)
    return False


def _kind(piece: str, rules: SigningRules) -> str | None:
    """What part of the signed string PIECE is: a client id, an instance id or a stream id
    (by its names in snake case, camel-case variables included: only the order counts here)."""
    for name in code.names(piece):
        for part in reversed(name.split(".")):
            key = snake(part)
            for kind, table in (("stream", rules.stream_ids), ("instance", rules.instance_ids),
                                ("client", rules.client_ids)):
                if key in table or any(f"_{listed}_" in f"_{key}_" for listed in table):
                    return kind
    return None


def _is_message(kinds: list[str | None]) -> bool:
    return {"client", "instance", "stream"} <= set(kinds)


def _in_order(kinds: list[str | None]) -> bool:
    known = [k for k in kinds if k]
    return known == ["client", "instance", "stream"]
