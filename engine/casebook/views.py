"""The casebook read back: list, one case, disagreement statistics, and the export in the
eval format (a folder per case: case.json + expect.yaml), as plain data for the templates."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from ..errors import InputError
from .record import expand
from .store import StoredCase

RANKING_SHOWN = 5


def _title(kb: Any, cause: str) -> str:
    titles = [kb.causes[c].title for c in expand(kb, cause) if c in kb.causes]
    return " / ".join(titles) or "(not in this knowledge base)"


def agrees(kb: Any, case: StoredCase) -> bool:
    return bool(case.first_answer) and case.first_answer in expand(kb, case.cause)


def list_view(kb: Any, cases: list[StoredCase]) -> list[dict[str, Any]]:
    return [{"id": c.id, "confirmed_at": c.confirmed_at, "cause": c.cause, "title": _title(kb, c.cause),
             "first_answer": c.first_answer, "agreed": agrees(kb, c), "note": c.note} for c in cases]


def show_view(kb: Any, case: StoredCase) -> dict[str, Any]:
    from ..output.render import show_value
    from .record import flat_facts

    view = list_view(kb, [case])[0]
    view.update({
        "kb_version": case.kb_version,
        "ranking": [dict(r, title=_title(kb, r["id"])) for r in case.ranking
                    if r["status"] != "ruled_out"][:RANKING_SHOWN],
        "facts": [{"path": p, "value": show_value(v)} for p, v in sorted(flat_facts(case.case).items())],
        "signs": [{"owner": o, "text": t} for o, t in case.signs],
    })
    return view


def stats_view(kb: Any, cases: list[StoredCase]) -> dict[str, Any]:
    """Per confirmed cause: how often the tool's first answer was it, and what it said instead;
    the causes it got wrong most often first (what the KB's authors should fix first)."""
    rows: dict[str, dict[str, Any]] = {}
    for case in cases:
        row = rows.setdefault(case.cause, {"cause": case.cause, "title": _title(kb, case.cause),
                                           "confirmed": 0, "agreed": 0, "said": Counter()})
        row["confirmed"] += 1
        if agrees(kb, case):
            row["agreed"] += 1
        else:
            row["said"][case.first_answer or "(no cause shown)"] += 1
    out = []
    for row in rows.values():
        row["disagreed"] = row["confirmed"] - row["agreed"]
        row["said"] = [{"id": cause, "times": n} for cause, n in sorted(row["said"].items(), key=lambda i: (-i[1], i[0]))]
        out.append(row)
    out.sort(key=lambda r: (-r["disagreed"], -r["confirmed"], r["cause"]))
    agreed = sum(r["agreed"] for r in out)
    return {"cases": len(cases), "agreed": agreed, "disagreed": len(cases) - agreed, "causes": out}


def export(kb: Any, cases: list[StoredCase], folder: Path) -> list[Path]:
    """One folder per case, casebook-<id>/ with case.json and expect.yaml, so that
    `rtms-doctor eval FOLDER` runs on the confirmed cases. A catalog alias is written as the
    causes it stands for (eval takes cause ids; any of them counts)."""
    written = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for case in cases:
            target = folder / f"casebook-{case.id:05d}"
            target.mkdir(exist_ok=True)
            (target / "case.json").write_text(json.dumps(case.case, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
                                              encoding="utf-8")
            # json.dumps of an id is valid YAML flow syntax, whatever the id holds
            (target / "expect.yaml").write_text(
                f"# confirmed in the casebook: case {case.id}, {_one_line(case.confirmed_at)}, "
                f"KB {_one_line(case.kb_version)}\n"
                f"expected: [{', '.join(json.dumps(c) for c in expand(kb, case.cause))}]\n", encoding="utf-8")
            written.append(target)
    except OSError as exc:
        raise InputError(f"export to {folder}: {exc.strerror or exc}") from None
    return written


def _one_line(text: str) -> str:
    return " ".join("".join(c if c.isprintable() else " " for c in str(text)).split())[:80]
