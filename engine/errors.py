"""The two kinds of failure the CLI reports without a traceback."""
from __future__ import annotations


class InputError(Exception):
    """The case given to the tool is unusable (exit status 2).

    The message may quote the input. It is kept to one line here; it is redacted and stripped
    of control characters where it leaves the tool (engine/outlet.py: stderr, batch summaries),
    so this module depends on nothing."""

    def __init__(self, message: str):
        text = " ".join(str(message).split())
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
