"""The parts of a report's finding that are a cause's own text (why it happens, how to fix it,
its references), laid out once per cause rather than once per report: they are most of a
finding's lines and the same in every case that shows the cause.

A CauseTexts belongs to one Renderer (one knowledge base, whose causes are frozen) and to one
compiled report-cause.md.j2: when Jinja reloads that template after an edit, the Renderer
starts a new CauseTexts, so nothing laid out by an older template is shown.
"""
from __future__ import annotations

from typing import Any, Callable

TEMPLATE = "report-cause.md.j2"


class CauseTexts:
    """cause id -> {"fix": ..., "references": ...}, each part laid out by the macro of that
    name in TEMPLATE on first use."""

    def __init__(self, template: Any, parts: Callable[[str], dict[str, Any]]):
        self.template = template
        self._parts = parts  # cause id -> the cause as the macros read it (Renderer.cause_parts)
        self._texts: dict[str, dict[str, str]] = {}

    def __getitem__(self, cause_id: str) -> dict[str, str]:
        texts = self._texts.get(cause_id)
        if texts is None:
            macros = self.template.module
            cause = self._parts(cause_id)
            texts = {"fix": str(macros.fix(cause)), "references": str(macros.references(cause))}
            self._texts[cause_id] = texts
        return texts
