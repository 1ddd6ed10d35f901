"""The ingest contract holds in the code: imports flow one way (reader -> text, shapes, threads ->
dispatch, emit), and input is redacted at read and at emit only (issue 11)."""
from __future__ import annotations

import ast
from pathlib import Path

INGEST = Path(__file__).resolve().parent.parent / "engine" / "ingest"
ENGINE = INGEST.parent


def _imports(path: Path) -> dict[str, set[str]]:
    """Module (relative to engine/, dotted) -> the names imported from it, at any depth."""
    package = path.relative_to(ENGINE).with_suffix("").parts[:-1]
    if path.name == "__init__.py":
        package = path.relative_to(ENGINE).parts[:-1]
    found: dict[str, set[str]] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[:len(package) - node.level + 1]
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            found.setdefault(module, set()).update(alias.name for alias in node.names)
    return found


def test_imports_flow_one_way():
    below = {"text": {"ingest.reader", "ingest.shapes", "ingest.threads"},
             "shapes/__init__": {"ingest.reader", "ingest.text", "ingest.threads"},
             "threads": {"ingest.reader", "ingest.text", "ingest.shapes", "ingest.emit"},
             "emit": {"ingest.reader", "ingest.text", "ingest.shapes", "ingest.threads", "ingest.dispatch"},
             "dispatch": {"ingest.reader", "ingest.text", "ingest.shapes", "ingest.threads"}}
    for name, forbidden in below.items():
        imported = set(_imports(INGEST / f"{name}.py"))
        assert not imported & forbidden, f"engine/ingest/{name}.py imports {imported & forbidden}"
    assert not [m for m in _imports(ENGINE / "errors.py") if m.startswith("ingest")]


def test_redaction_happens_at_read_and_at_emit_only():
    """Only the readers of raw input (reader.py; threads.py and fetch.py, which read threads and
    URLs for it) and the emitter call the redactor; text.py, shapes/ and the rest see redacted
    input. The outlet (engine/outlet.py) masks again whatever leaves the tool."""
    redacting = {"redact_text", "redact_json", "clean_text", "scrub"}
    allowed = {"reader.py", "threads.py", "fetch.py", "emit.py", "redact.py"}
    for path in sorted(INGEST.rglob("*.py")):
        names = {name for module, names in _imports(path).items()
                 if module in ("ingest.redact", "ingest.emit") for name in names}
        if names & redacting:
            assert str(path.relative_to(INGEST)) in allowed, f"{path.relative_to(ENGINE)} redacts: {names & redacting}"


def test_nothing_is_set_on_an_emitter():
    """The Emitter only collects: no reader hangs callables or side channels on it."""
    for path in sorted(INGEST.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Assign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    assert not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                                and target.value.id == "em"), f"{path.relative_to(ENGINE)}:{node.lineno}"
