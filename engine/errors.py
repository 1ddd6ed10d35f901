"""The two kinds of failure the CLI reports without a traceback."""
from __future__ import annotations


class InputError(Exception):
    """The case given to the tool is unusable (exit status 2).

    The message may quote the input, so it is redacted and kept to one line here, once,
    for every place that shows it (stderr, batch summaries)."""

    def __init__(self, message: str):
        from .ingest.redact import redact_text

        text = " ".join(redact_text(str(message)).split())
        super().__init__(text.encode("utf-8", "replace").decode("utf-8"))


class KnowledgeError(Exception):
    """The knowledge base, rules or templates are broken (exit status 3).

    Carries every problem found, each already formatted as ``file:line: message``.
    """

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class EngineError(Exception):
    """The rule engine failed while evaluating a case (never silently ignored)."""
