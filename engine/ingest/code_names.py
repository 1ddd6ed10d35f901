"""The names a line of pasted code uses, followed back through the assignments above it:
`hmac(secret, msg)` is read through `secret = config.get("clientSecret")` and
`msg = clientId + "," + ...`. Shared by the readers of code shapes (signing.py, dedupe.py)."""
from __future__ import annotations

from .values import snake
from ..regex_cache import cached_compile

LOOK_BACK = 80  # lines above a line where its names' assignments are looked for
MAX_DEPTH = 3  # assignments followed from a name

NAME = cached_compile(r"[A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*")
STRING = cached_compile(r"""(["'`])((?:\\.|(?!\1)[^\\\n]){0,300})\1""")
# `${payload.meeting_uuid}` in a template, `{p['session_id']}` in an f-string
PLACEHOLDER = cached_compile(r"\$\{[^}]*\}|\{[^{}]*\}")
# `name = expr`, `const name = expr`, `String name = expr`, `name := expr`, `let name: T = expr`
_ASSIGN = cached_compile(
    r"^\s*(?:(?:export\s+)?(?:const|let|var|final|val|auto|def|[A-Za-z_][\w.]*(?:<[^>=]*>)?(?:\[\])?\*?)\s+)?"
    r"(?P<name>[A-Za-z_$][\w$]*)\s*(?::\s*[\w.\[\]<> |]+)?\s*(?::=|=)(?![=>])\s*(?P<expr>.+)$")


def assignments(lines: list[str], index: int) -> dict[str, str]:
    """name -> the expression last assigned to it above line INDEX."""
    found: dict[str, str] = {}
    for line in lines[max(0, index - LOOK_BACK):index]:
        match = _ASSIGN.match(line)
        if match:
            found[match.group("name")] = match.group("expr")
    return found


def names(code: str) -> list[str]:
    """The dotted names in CODE and in its string literals (and their placeholders), in order."""
    found = [m.group(0).replace(" ", "") for m in NAME.finditer(STRING.sub(" ", code))]
    for literal in STRING.finditer(code):
        found += [m.group(0) for m in NAME.finditer(PLACEHOLDER.sub(" ", literal.group(2)))]
        for hole in PLACEHOLDER.finditer(literal.group(2)):
            inner = hole.group(0)[2:-1] if hole.group(0).startswith("$") else hole.group(0)[1:-1]
            if inner and "{" not in inner:
                found += names(inner)
    return found


def followed(start: list[str], assigned: dict[str, str]) -> list[str]:
    """The expressions assigned to the names in START, and to the names in those, MAX_DEPTH deep."""
    seen: set[str] = set()
    out: list[str] = []
    frontier = start
    for _ in range(MAX_DEPTH):
        step: list[str] = []
        for name in frontier:
            for part in name.split("."):
                if part in assigned and part not in seen:
                    seen.add(part)
                    out.append(assigned[part])
                    step += names(assigned[part])
        frontier = step
    return out


def words(name: str) -> list[str]:
    """A name's snake-case parts, each dotted part whole and word by word:
    process.env.ZOOM_CLIENT_SECRET -> process, env, zoom_client_secret, zoom, client, secret."""
    out: list[str] = []
    for part in name.split("."):
        part = snake(part)
        out.append(part)
        out += [w for w in part.split("_") if w]
    return out


def listed(key: str, table: dict[str, str]) -> str | None:
    """What the longest listed name that KEY (snake case) holds as whole words means
    (zoom_client_secret_dev holds client_secret; zoom_secret_token holds secret_token)."""
    padded = f"_{key}_"
    held = [name for name in table if f"_{name}_" in padded]
    return table[max(held, key=len)] if held else None
