"""What the app's own message handler does, read from its dispatch on msg_type (kb/ingest/
values.yaml, `handlers`): a handler that dispatches on several message types but never on
KEEP_ALIVE_REQ (12) does not answer keep-alives; one that acts on the media handshake's answer
(4) while CLIENT_READY_ACK (7) appears nowhere in the text never sends it."""
from __future__ import annotations

import re
from typing import Any

from .emit import Emitter
from ..regex_cache import cached_compile

MAX_TEXT = 200_000
# a dispatch on msg_type: `case 12:` / `case MsgType.KEEP_ALIVE_REQ:` inside a switch on it, or a
# comparison `msg_type === 12`, `msg["msg_type"] == 4`, `msg.msg_type in (14, 15)`
_SWITCH = cached_compile(r"\bswitch\s*\(\s*[\w$.\[\]\"']{0,60}msg_?type[\"'\]]{0,3}\s*\)")
_CASE = cached_compile(r"\bcase\s+(?:[\w$]{1,60}\.){0,4}([\w$]{1,60})\s*:")
# bounded repeats, and read a line at a time (MAX_LINE): a pasted blob of word characters must
# not be tried from every position
_COMPARED = cached_compile(r"msg_?type[\"'\]]{0,3}\s{0,4}(?:===?|==)\s{0,4}(?:[\w$]{1,60}\.){0,4}([\w$]{1,60})|"
                           r"(?<![\w$.])(?:[\w$]{1,60}\.){0,4}([\w$]{1,60})\s{0,4}(?:===?|==)\s{0,4}[\w$.\[\]\"']{0,60}msg_?type\b", re.I)
_IN_SET = cached_compile(r"msg_?type[\"'\]]{0,3}\s{1,4}in\s{1,4}[(\[{]([^)\]}]{1,80})[)\]}]", re.I)
MAX_LINE = 400
_SWITCH_REACH = 4_000  # characters after a switch in which its cases stand


class HandlerRules:
    """The `handlers` record: each message's numbers and names, as the strings code writes."""

    __slots__ = ("keepalive_request", "keepalive_response", "media_answer", "ready_ack", "min_types")

    def __init__(self, keepalive_request: frozenset[str], keepalive_response: frozenset[str],
                 media_answer: frozenset[str], ready_ack: frozenset[str], min_types: int) -> None:
        self.keepalive_request = keepalive_request
        self.keepalive_response = keepalive_response
        self.media_answer = media_answer
        self.ready_ack = ready_ack
        self.min_types = min_types


def compile_handlers(entry: Any) -> HandlerRules | None:
    if entry is None:
        return None

    def names(values: list[Any]) -> frozenset[str]:
        return frozenset(str(v).upper() for v in values)

    return HandlerRules(names(entry.keepalive_request), names(entry.keepalive_response),
                        names(entry.media_handshake_response), names(entry.ready_ack), entry.min_types)


def read_handlers(text: str, rules: HandlerRules, em: Emitter) -> None:
    text = text[:MAX_TEXT]
    if "msg_type" not in text and "msgType" not in text and "msgtype" not in text.lower():
        return
    handled = _handled(text)
    if not handled:
        return
    line = text[:text.find("msg")].count("\n") + 1
    if len(handled) >= rules.min_types:  # a handler, not one comparison
        if not handled & rules.keepalive_request and not _named(text, rules.keepalive_response):
            em.add("keepalive.answered", False, f"line {line}")
        elif handled & rules.keepalive_request and _named(text, rules.keepalive_response):
            em.add("keepalive.answered", True, f"line {line}")
    if handled & rules.media_answer and not _named(text, rules.ready_ack):
        em.add("handshake.client_ready_ack", "not_sent", f"line {line}")


def _handled(text: str) -> set[str]:
    """The message types the code dispatches on, as upper-case strings (numbers and names)."""
    found: set[str] = set()
    for switch in _SWITCH.finditer(text):
        found.update(m.group(1).upper() for m in _CASE.finditer(text, switch.end(), switch.end() + _SWITCH_REACH))
    for line in text.splitlines():
        if len(line) > MAX_LINE or "sg" not in line.lower():
            continue
        for m in _COMPARED.finditer(line):
            found.add((m.group(1) or m.group(2)).upper())
        for m in _IN_SET.finditer(line):
            found.update(v.strip(" \"'").rsplit(".", 1)[-1].upper() for v in m.group(1).split(","))
    return {v for v in found if v and v not in ("MSG_TYPE", "MSGTYPE")}


# a message type written as a number: msg_type: 13, "msg_type":13, msg_type == 7, msg_type 7
_NUMBERED = cached_compile(r"msg_?type[\"'\]]{0,3}\W{0,4}(\d{1,3})\b", re.I)


def _named(text: str, values: frozenset[str]) -> bool:
    """Whether the text names one of VALUES as a message type anywhere (sent or handled)."""
    upper = text.upper()
    if any(not v.isdigit() and v in upper for v in values):
        return True
    numbers = {v for v in values if v.isdigit()}
    return any(m.group(1) in numbers for m in _NUMBERED.finditer(text)) if numbers else False
