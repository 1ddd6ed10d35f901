"""The readers of what pasted code and log lines show beyond key = value pairs, each built from
its kb/ingest/values.yaml record once per process and run on each text that holds one of its
words: the handshake signature (signing.py), start events told in log lines (event_lines.py),
the handler's de-duplication (dedupe.py), the id it takes from the payload (payload_reads.py),
the date the text gives itself (dates.py), the URL a socket was opened with (opened_url.py),
the endpoint's answers in its access log (access_lines.py), what its msg_type dispatch handles
(handlers.py) and what blocks inside its media callbacks (callbacks.py).

A reader's module is imported and its record compiled only when a text first holds one of its
words: most posts hold no signing code, no msg_type dispatch and no access log, and a cold
start should not pay for them (about 1 ms of imports)."""
from __future__ import annotations

import importlib
from typing import Any, Callable

from .dispatch import Dispatch
from .emit import Emitter

# (values.yaml record, module, the words one of which a text (lowered) must hold, from the
# record or fixed; reads the prose with its JSON blocks blanked rather than the whole text)
_READERS: tuple[tuple[str, str, Callable[[Any], tuple[str, ...]], bool], ...] = (
    ("event_lines", "event_lines", lambda r: tuple(e.lower() for e in r.events), True),
    ("signing", "signing", lambda r: tuple(c.lower() for c in r.calls), False),
    ("dedupe", "dedupe", lambda r: tuple(w.lower() for w in r.about), False),
    ("payload_reads", "payload_reads", lambda r: tuple(c.lower() for c in r.containers), False),
    ("dates", "dates", lambda r: ("",), False),  # a date may stand in any text
    ("opened_url", "opened_url", lambda r: ("://",), False),
    ("access_lines", "access_lines", lambda r: tuple(m.lower() for m in r.methods), False),
    ("handlers", "handlers", lambda r: ("msg_type", "msgtype"), False),
    ("callbacks", "callbacks", lambda r: tuple(n.lower() for n in r.names), False),
)


class CodeShapes:
    """The values.yaml record, each reader's words, and the readers built so far. Plain classes,
    not dataclasses, here and in the readers: built on a start that reads text."""

    __slots__ = ("values", "words", "built")

    def __init__(self, values: Any = None) -> None:
        self.values = values
        self.words: dict[str, tuple[str, ...]] = {}
        for name, _, words, _ in _READERS:
            record = getattr(values, name, None) if values is not None else None
            if record is not None:
                self.words[name] = words(record)
        self.built: dict[str, tuple[Any, Callable[..., None]]] = {}

    def reader(self, name: str, module: str) -> tuple[Any, Callable[..., None]]:
        """(compiled record, read function) of a reader, imported and compiled on first use."""
        found = self.built.get(name)
        if found is None:
            loaded = importlib.import_module(f"{__package__}.{module}")
            compiled = getattr(loaded, f"compile_{name}")(getattr(self.values, name))
            found = self.built[name] = (compiled, getattr(loaded, f"read_{name}"))
        return found


def compile_code_shapes(values: Any) -> CodeShapes:
    """From the values.yaml record (None: the KB has none, nothing is read)."""
    return CodeShapes(values)


def read_code_shapes(text: str, prose: str, shapes: CodeShapes, em: Emitter, via: Dispatch) -> None:
    """TEXT whole; PROSE with its JSON blocks blanked (they went to the dispatcher as bodies)."""
    if not shapes.words:
        return
    lowered = text.lower()
    for name, module, _, on_prose in _READERS:
        words = shapes.words.get(name)
        if not words or not any(word in lowered for word in words):
            continue
        compiled, read = shapes.reader(name, module)
        if compiled is None:
            continue
        if on_prose:
            read(prose, compiled, em.file, via)
        else:
            read(text, compiled, em)
