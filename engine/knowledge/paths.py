"""Where the knowledge (kb/, rules/) and the templates (reports/) live.

Installed from a wheel they sit inside the package (rtms_doctor/kb ...); in a source checkout
they are siblings of engine/. A different root (for tests or for checking a draft KB) can be
given explicitly or through RTMS_DOCTOR_ROOT.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # rtms_doctor/, or engine/ in a checkout


@dataclass(frozen=True)
class Roots:
    kb: Path
    rules: Path
    reports: Path

    @classmethod
    def at(cls, base: Path) -> "Roots":
        return cls(kb=base / "kb", rules=base / "rules", reports=base / "reports")


def default_roots() -> Roots:
    override = os.environ.get("RTMS_DOCTOR_ROOT")
    if override:
        return Roots.at(Path(override))
    for base in (_PACKAGE_DIR, _PACKAGE_DIR.parent):
        if (base / "kb").is_dir() and (base / "rules").is_dir():
            return Roots.at(base)
    return Roots.at(_PACKAGE_DIR)
