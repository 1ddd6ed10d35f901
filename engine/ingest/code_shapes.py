"""The readers of what pasted code and log lines show beyond key = value pairs, built from
kb/ingest/values.yaml once per process and run on each text: the handshake signature
(signing.py), start events told in log lines (event_lines.py), the handler's de-duplication
(dedupe.py), the id it takes from the payload (payload_reads.py), the date the text gives itself
(dates.py), the URL a socket was opened with (opened_url.py) and the endpoint's answers in its
access log (access_lines.py), what its msg_type dispatch handles (handlers.py) and what blocks inside its media callbacks
(callbacks.py)."""
from __future__ import annotations

import re
from typing import Any

from .access_lines import compile_access_lines, read_access_lines
from .callbacks import CallbackRules, compile_callbacks, read_callbacks
from .dates import DateRules, compile_dates, read_dates
from .dedupe import DedupeRules, compile_dedupe, read_dedupe
from .dispatch import Dispatch
from .emit import Emitter
from .event_lines import EventLineRules, compile_event_lines, read_event_lines
from .handlers import HandlerRules, compile_handlers, read_handlers
from .opened_url import compile_opened_url, read_opened_url
from .payload_reads import PayloadReadRules, compile_payload_reads, read_payload_reads
from .signing import SigningRules, compile_signing, read_signing


class CodeShapes:
    """The readers' compiled records (None: the KB has none). Plain classes, not dataclasses,
    here and in the readers: built on every start that reads text, where a dataclass's
    machinery costs more than reading a post (~2 ms)."""

    __slots__ = ('signing', 'event_lines', 'dedupe', 'payload_reads', 'dates', 'opened_url', 'access_lines',
                 'handlers', 'callbacks')

    def __init__(self, signing: SigningRules | None = None,
                 event_lines: EventLineRules | None = None,
                 dedupe: DedupeRules | None = None,
                 payload_reads: PayloadReadRules | None = None,
                 dates: DateRules | None = None,
                 opened_url: re.Pattern[str] | None = None,
                 access_lines: re.Pattern[str] | None = None,
                 handlers: HandlerRules | None = None,
                 callbacks: CallbackRules | None = None) -> None:
        self.signing = signing
        self.event_lines = event_lines
        self.dedupe = dedupe
        self.payload_reads = payload_reads
        self.dates = dates
        self.opened_url = opened_url
        self.access_lines = access_lines
        self.handlers = handlers
        self.callbacks = callbacks


def compile_code_shapes(values: Any) -> CodeShapes:
    """From the values.yaml record (None: the KB has none, nothing is read)."""
    if values is None:
        return CodeShapes()
    return CodeShapes(compile_signing(values.signing), compile_event_lines(values.event_lines),
                      compile_dedupe(values.dedupe), compile_payload_reads(values.payload_reads),
                      compile_dates(values.dates), compile_opened_url(values.opened_url),
                      compile_access_lines(values.access_lines), compile_handlers(values.handlers),
                      compile_callbacks(values.callbacks))


def read_code_shapes(text: str, prose: str, shapes: CodeShapes, em: Emitter, via: Dispatch) -> None:
    """TEXT whole; PROSE with its JSON blocks blanked (they went to the dispatcher as bodies)."""
    if shapes.event_lines:
        read_event_lines(prose, shapes.event_lines, em.file, via)
    if shapes.signing:
        read_signing(text, shapes.signing, em)
    if shapes.dedupe:
        read_dedupe(text, shapes.dedupe, em)
    if shapes.payload_reads:
        read_payload_reads(text, shapes.payload_reads, em)
    if shapes.dates:
        read_dates(text, shapes.dates, em)
    if shapes.opened_url:
        read_opened_url(text, shapes.opened_url, em)
    if shapes.access_lines:
        read_access_lines(text, shapes.access_lines, em)
    if shapes.handlers:
        read_handlers(text, shapes.handlers, em)
    if shapes.callbacks:
        read_callbacks(text, shapes.callbacks, em)
