"""The one ingest contract: what the readers below reader.py may ask of the case being read.

reader.py builds one dispatcher per case (`reader.Readers`) and passes it down. text.py and
shapes/ hand it what belongs to the other's territory (a JSON block found in a post, an SDK
log message found inside JSON), threads.py each post of a thread, and the webhook shape each
webhook body the case's aggregates need. So imports flow one way (reader -> text, shapes,
threads -> dispatch, emit) and nothing rides on the Emitter. Imported for type checking only.
"""
from __future__ import annotations

from typing import Any, Protocol

from .emit import Emitter

# one webhook body as the aggregates need it: event, ts, stream, urls, loc, file (aggregate.py)
WebhookEvent = dict[str, Any]


class Dispatch(Protocol):
    def json(self, value: Any, em: Emitter, loc: str) -> bool:
        """Zoom's JSON found inside another input, redacted here (parsing can turn escapes
        into what redaction looks for), then recognised; whether anything was."""

    def log_message(self, message: str, em: Emitter, loc: str) -> None:
        """One SDK log message (a JSON log line's `message`), read like a text log line."""

    def webhook(self, event: WebhookEvent) -> None:
        """A webhook body seen in any input of the case, for the facts only several show."""

    def prose(self, text: str, label: str) -> tuple[Emitter, str, list[Any]]:
        """A post, an e-mail or a log as read: (its facts, its redacted text, its signs)."""
