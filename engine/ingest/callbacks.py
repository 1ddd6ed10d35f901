"""Blocking work inside the SDK's media callbacks, read from their code (kb/ingest/values.yaml,
`callbacks`): `def on_audio(...): text = model.transcribe(data)` runs a model on the loop that
must answer keep-alives."""
from __future__ import annotations

import re
from typing import Any

from .emit import Emitter
from ..regex_cache import cached_compile

MAX_LINE = 400  # a longer line is a blob, not code or a log line: not read (bounded time)

MAX_TEXT = 200_000


class CallbackRules:
    """The `callbacks` record: the callbacks' names as a pattern, the blocking calls lowered."""

    __slots__ = ("definition", "blocking", "body_lines")

    def __init__(self, definition: re.Pattern[str], blocking: tuple[str, ...], body_lines: int) -> None:
        self.definition = definition
        self.blocking = blocking
        self.body_lines = body_lines


def compile_callbacks(entry: Any) -> CallbackRules | None:
    if entry is None:
        return None
    names = "|".join(re.escape(n) for n in sorted(entry.names, key=len, reverse=True))
    # def on_audio(, function onAudioData(, onAudioData = (..) =>, client.onAudioData((..) =>,
    # @client.onAudioData (a decorator: the def below it is the callback)
    definition = cached_compile(rf"(?i)(?:\bdef|\bfunction|@[\w.]*?|\.)\s*(?:{names})\b|\b(?:{names})\s*=\s*(?:async\s*)?\(")
    return CallbackRules(definition, tuple(b.lower() for b in entry.blocking), entry.body_lines)


def read_callbacks(text: str, rules: CallbackRules, em: Emitter) -> None:
    text = text[:MAX_TEXT]
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if len(line) > MAX_LINE or not rules.definition.search(line):
            continue
        indent = _indent(line)
        decorator = line.lstrip().startswith("@")
        for offset in range(1, rules.body_lines):
            if index + offset >= len(lines):
                break
            code = lines[index + offset]
            stripped = code.lstrip()
            if not stripped or stripped.startswith(("#", "//")):
                continue
            if _indent(code) <= indent:
                if decorator and offset == 1 and stripped.startswith(("def ", "async def ")):
                    continue  # the decorated function itself
                break  # back at the callback's own level: its body is over
            if any(call in code.lower() for call in rules.blocking):
                em.add("keepalive.callbacks_block_loop", True, f"line {index + offset + 1}")
                return


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())
