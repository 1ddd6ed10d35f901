"""Reads files and stdin, recognises each input by its content, merges them into one case.

Every input is redacted first. JSON is the tool's own case JSON (validated strictly against
the facts model) or Zoom's JSON (shapes recognised by content); anything else is read as
logs or prose, including the JSON blocks embedded in it.

Redaction happens at two points only: at read, here (the file name, the whole text, parsed
JSON, JSON found inside text, case JSON values, and the case-wide scrub once every input is
read; threads.py and fetch.py, which read threads and URLs for this module, redact a thread's
title and posts and a URL's label as they read them), and at emit (emit.Emitter.add: every
value and locator). text.py, shapes/, values.py and aggregate.py see only redacted input.
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from ..knowledge.case import FactSet, Observation, ResolvedFacts, Source, observations_from_case
from ..errors import InputError
from ..knowledge.load import KnowledgeBase
from .aggregate import webhook_aggregates
from .emit import Emitter, clean_text
from .shapes import is_case_json, recognise
from .redact import begin_case, case_secrets, redact_json, redact_text, scrub
from ..outlet import strip_controls
from .sections import blank_hypothetical
from .voices import blank_other_voices
from .signs import MAX_SIGN_CHARS, match_signs
from .values import compile_pairs
from ..regex_cache import cached_compile

MAX_INPUT_BYTES = 10 * 1024 * 1024
MAX_JSON_DEPTH = 200
_LOG_LINE = cached_compile(r"^\s*([a-z]+\s*\|[^|]+\|\s*(ERROR|WARN|INFO|DEBUG|TRACE)\s*\||\{\s*\"(timestamp|level)\")", re.I)


@dataclass
class InputReport:
    """What one input was understood as (for `rtms-doctor facts`)."""

    label: str
    kind: str
    shapes: list[str] = field(default_factory=list)
    facts: int = 0
    thread: dict[str, Any] | None = None  # a thread's title, author and posts read (threads.py)
    text: str = ""  # a pasted text as redacted (kept for the staff's redacted copy of the post)


def read_text(name: str) -> tuple[str, str]:
    """(display name, text) of a file path or '-' for stdin; clear errors for the rest."""
    if name == "-":
        stream = sys.stdin
        if stream is None or stream.closed:
            raise InputError("no standard input to read")
        data = stream.buffer.read(MAX_INPUT_BYTES + 1)
        label = "<stdin>"
    else:
        path = Path(name)
        if not path.exists():
            raise InputError(f"{name}: no such file")
        if path.is_dir():
            raise InputError(f"{name}: is a folder, not a file")
        if not path.is_file():  # a FIFO, a socket, a device: it could block forever or never end
            raise InputError(f"{name}: not a regular file (a pipe or a device); give a file, or - for standard input")
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_INPUT_BYTES + 1)
        except OSError as exc:
            raise InputError(f"{name}: cannot read: {exc.strerror}") from None
        label = redact_text(path.name)
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{label}: larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB; paste the relevant part")
    if _is_binary(data):
        raise InputError(f"{label}: binary data, not text (give the log, JSON or post as text)")
    text = strip_controls(data.decode("utf-8-sig", errors="replace").replace("\x00", ""))
    if not text.strip():
        raise InputError(f"{label}: empty input")
    return label, text


def _is_binary(data: bytes) -> bool:
    """NUL-heavy or mostly not text (an image, an archive, a core dump). Judged on the first
    8 KB: a few stray NULs or a bad byte in a text paste are still text."""
    head = data[:8192]
    if not head:
        return False
    if head.count(0) > max(8, len(head) // 100):
        return True
    text = head.decode("utf-8", errors="replace")
    odd = text.count("\ufffd") + sum(1 for c in text if c < " " and c not in "\n\r\t\f\x1b\x08\x07\x00")
    return odd > max(8, len(text) // 10)


@lru_cache(maxsize=4)
def text_reader(kb: KnowledgeBase):  # type: ignore[no-untyped-def]
    """The prose and log reader; a phrase pattern compiles only when a clause holds its words."""
    from .code_shapes import compile_code_shapes
    from .text import Cues, Phrase, TextReader

    phrases: list[Phrase] = []
    if kb.phrases is None:
        raise InputError("the knowledge base has no kb/ingest/phrases.yaml: text cannot be read")
    cues = Cues.from_data(kb.phrases)
    for entry in kb.phrases.phrases:
        affirmed = dict(entry.facts)
        negated: dict[str, Any] = {}
        if entry.fact and entry.affirmed is not None:
            affirmed[entry.fact] = entry.affirmed
        if entry.fact and entry.negated is not None:
            negated[entry.fact] = entry.negated
        phrases.append(Phrase(entry.pattern, affirmed, negated))
    sdk = kb.codes.get("sdk")
    sdk_texts = [(text, str(c.code)) for c in sdk.codes for text in c.text] if sdk else []
    rest = kb.codes.get("rest")
    rest_codes = {c.code for c in rest.codes if isinstance(c.code, int)} if rest else set()
    pairs = compile_pairs(kb.values) if kb.values is not None else {}
    code_shapes = compile_code_shapes(kb.values)
    status = kb.codes.get("status")
    status_names = {c.name: (c.code, c.reason or c.name.removeprefix("STATUS_").replace("_", " ").lower())
                    for c in status.codes if isinstance(c.code, int)} if status else {}
    index = getattr(kb, "phrase_index", None)
    programs = getattr(kb, "phrase_programs", None)
    if index is None or not programs or len(programs) != len(phrases):  # a KB from an older cache
        from ..knowledge.literals import program_parts
        from ..knowledge.phrase_index import PhraseIndex

        programs, literals, alternatives = zip(*(program_parts(entry.pattern) for entry in kb.phrases.phrases))
        index = PhraseIndex(range(len(phrases)), literals, alternatives)
    for phrase, data in zip(phrases, programs):
        phrase.program = data
    return TextReader(phrases, cues, sdk_texts, rest_codes, pairs, status_names, index, code_shapes)


def _depth(value: Any) -> int:
    depth, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        depth = max(depth, level)
        if isinstance(node, dict):
            stack.extend((v, level + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, level + 1) for v in node)
    return depth


TEXT_SUFFIXES = (".txt", ".log", ".md", ".eml", ".text")
# a log line's bracketed tag ("[ERROR] ...", "[2026-11-02 10:00:01] ...", "[nodemon] ..."): text, not JSON
_LOG_TAG = cached_compile(r"\[(?:[A-Za-z][\w .:/-]{0,40}|\d{2,4}[-/:][\d\-/: .,TZ+]{4,40})\]")


def _parse_json(label: str, text: str) -> Any:
    """The input as JSON, None when it is text (or JSON lines), or a clear error when it
    is meant as JSON but broken."""
    stripped = text.strip()
    if stripped[:1] not in "{[" or label.lower().endswith(TEXT_SUFFIXES) or _LOG_TAG.match(stripped):
        return None
    try:
        value = json.loads(stripped)
    except json.JSONDecodeError as exc:
        if exc.msg.startswith("Extra data"):
            return None  # several JSON values, e.g. an SDK log in JSON lines: read as text
        from .text import TYPOGRAPHIC_QUOTES

        try:  # a forum paste with typographic quotes
            value = json.loads(stripped.translate(TYPOGRAPHIC_QUOTES))
        except (json.JSONDecodeError, RecursionError):
            raise InputError(f"{label}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise InputError(f"{label}: JSON nested too deeply") from None
    except ValueError as exc:  # e.g. an integer literal longer than Python converts
        raise InputError(f"{label}: unreadable JSON value: {str(exc).splitlines()[0][:120]}") from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise InputError(f"{label}: JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return value


@lru_cache(maxsize=4)
def _check_declarations(kb: KnowledgeBase) -> None:
    """The facts each shape declares (@emits) must be in this KB's vocabulary: checked once per
    loaded KB (~25 µs), so a kb/facts edit that drops a fact a shape emits stops here, as a
    broken knowledge base, instead of failing on some input later."""
    from ..errors import KnowledgeError
    from .shapes import declaration_problems

    problems = declaration_problems(kb.schema)
    if problems:
        raise KnowledgeError(problems)


@dataclass
class Readers:
    """The case's one ingest dispatcher (the contract is dispatch.Dispatch), built by read_case
    and passed down: text.py and shapes/ call it for what the other reads, threads.py for each
    post, the webhook shape for the case's aggregates. What it reads it redacts (read)."""

    kb: KnowledgeBase
    events: list[dict[str, Any]] = field(default_factory=list)  # webhook bodies, for aggregate.py

    def __post_init__(self) -> None:
        _check_declarations(self.kb)

    def json(self, value: Any, em: Emitter, loc: str) -> bool:
        # parsing can turn escapes (\u0040) into what redaction looks for: redact the parsed value
        return recognise(redact_json(value), em, self, loc)

    def log_message(self, message: str, em: Emitter, loc: str) -> None:
        # the text reader is built only when a log message comes (an error body has none)
        text_reader(self.kb).log_message(message, em, loc)

    def webhook(self, event: dict[str, Any]) -> None:
        self.events.append(event)

    def prose(self, text: str, label: str) -> tuple[Emitter, str, list[Any]]:
        from .text import straighten_quotes

        kb = self.kb
        # redacted after the quotes are straightened: "password": "..." is then seen as a pair
        text = redact_text(straighten_quotes(text))
        if kb.signs is not None:  # an issue template's "Expected behavior" is not what happened
            text = blank_hypothetical(text, tuple(kb.signs.policy.hypothetical_sections))
            # a thread pasted as text: only the asker's posts are the case
            text = blank_other_voices(text, tuple(kb.signs.policy.thread_opening_headers),
                                      tuple(kb.signs.policy.thread_reply_headers))
        lines = [l for l in text.splitlines() if l.strip()]
        is_log = lines and sum(1 for l in lines if _LOG_LINE.match(l)) >= len(lines) / 2
        em = Emitter(kb.schema, label, "log" if is_log else "text")
        text_reader(kb).read(text, em, self)
        signs = _symptoms_that_happened(match_signs(text, kb.signs, label), text) if kb.signs is not None else []
        return em, text, signs


# a line of code, by its syntax: an equality or arrow operator, a line ending in ; or {, or a
# statement that opens like code (if (, const x =, def f(, return ...;). Prose that opens with
# "If", "From" or "Return" is none of these.
_CODE_STATEMENT = cached_compile(
    r"===?|=>|[;{]\s*$|^\s*(?:if|elif|while|for|switch)\s*\(|^\s*(?:const|let|var)\s+[\w${},\s]+=|"
    r"^\s*(?:def|function|async\s+function|class)\s+\w+\s*[(:{]|^\s*(?:return|await)\s+[\w.$]+\(|"
    r"^\s*case\s+[^:]{1,80}:\s*$|^\s*@\w+\(")
# a fenced block marked as code by its language (```java): every line of it is code
_CODE_FENCE = cached_compile(r"^\s*(?:```|~~~)\s*(?:java|kotlin|js|javascript|jsx|ts|typescript|tsx|py|python|go|golang|"
                             r"cs|csharp|c#|cpp|c\+\+|rb|ruby|php|rust|rs|swift|scala|node)\b", re.I)
_FENCE = cached_compile(r"^\s*(?:```|~~~)")


def _symptoms_that_happened(signs: list[Any], text: str) -> list[Any]:
    """The sign matches less the symptom words that stand in a line of code: code that handles
    endpoint.url_validation says nothing of a validation that failed."""
    if not any(m.sign.owner.startswith("symptom:") for m in signs):
        return signs
    lines = text[:MAX_SIGN_CHARS].splitlines()  # signs are read in this much of a text
    in_code = _code_fence_lines(lines)
    return [m for m in signs if not m.sign.owner.startswith("symptom:") or not 0 < m.line <= len(lines)
            or not (m.line in in_code or _CODE_STATEMENT.search(lines[m.line - 1]))]


def _code_fence_lines(lines: list[str]) -> set[int]:
    """The line numbers inside fenced blocks marked as code by their language (```java)."""
    found: set[int] = set()
    inside = code = False
    for number, line in enumerate(lines, start=1):
        if "`" in line or "~" in line:
            if _FENCE.match(line):
                if inside:
                    inside = code = False
                else:
                    inside, code = True, bool(_CODE_FENCE.match(line))
                continue
        if inside and code:
            found.add(number)
    return found


def read_one(name: str | tuple[str, str], kb: KnowledgeBase,
             readers: Readers) -> tuple[list, InputReport, list]:
    """(observations, what the input was understood as, the signs its text shows). NAME is a
    path, '-', or (label, text) already fetched (`--url`)."""
    label, text = name if isinstance(name, tuple) else read_text(name)
    value = _parse_json(label, text)
    if value is not None:
        from .threads import read_thread  # a Discourse topic or GitHub issue

        thread = read_thread(value, label, readers)
        if thread is not None:
            observations, shapes, signs, about = thread
            report = InputReport(label, about["kind"], shapes, len(observations))
            report.thread = about
            return observations, report, signs
        if isinstance(value, dict) and is_case_json(value, Emitter(kb.schema, label, "case"), "$"):
            # our own keys name facts, not secrets: redact the values' text only
            observations = [Observation(o.path, _redact_value(o.value, not _names_an_id(o.path)), o.source)
                            for o in observations_from_case(value, kb.schema, label)]
            return observations, InputReport(label, "case JSON", ["rtms-doctor case"], len(observations)), []
        value = redact_json(value)
        em = Emitter(kb.schema, label, "zoom_json")
        if not recognise(value, em, readers):
            if isinstance(value, dict) and not _looks_like_case(value, kb) and _PACKAGE_KEYS & value.keys():
                # a package.json or lockfile beside a post: its versions are read as text reads them
                em, text, signs = readers.prose(text, label)
                return em.observations, InputReport(label, "package manifest", em.shapes or ["package manifest"],
                                                    len(em.observations), text=text), signs
            if isinstance(value, dict) and _looks_like_case(value, kb):
                observations_from_case(value, kb.schema, label)  # raises the precise error
            raise InputError(f"{label}: JSON not recognised as a case or as one of Zoom's shapes "
                             f"(see `rtms-doctor facts --help`)")
        # Zoom's own JSON carries words too (reasons, messages, event names): read for signs
        signs = match_signs(redact_text(text[:MAX_SIGN_CHARS]), kb.signs, label) if kb.signs is not None else []
        return em.observations, InputReport(label, "Zoom JSON", em.shapes, len(em.observations)), signs
    em, text, signs = readers.prose(text, label)
    kind = em.kind
    return em.observations, InputReport(label, kind, em.shapes or [kind], len(em.observations), text=text), signs


def _redact_value(value: Any, opaque: bool = True) -> Any:
    if isinstance(value, str):
        return clean_text(value, opaque)
    if isinstance(value, list):
        return [clean_text(v, opaque) if isinstance(v, str) else v for v in value]
    return value


def _names_an_id(path: str) -> bool:
    """A fact that holds an identifier (app.client_id, meeting.uuid): its value is kept even
    when it looks random; free-text facts lose their long opaque tokens."""
    last = path.rsplit(".", 1)[-1]
    return last in ("id", "uuid") or last.endswith(("_id", "_ids", "_uuid"))


def _scrubbed(observation: Observation) -> Observation:
    value = observation.value
    if isinstance(value, str):
        value = scrub(value)
    elif isinstance(value, list):
        value = [scrub(v) if isinstance(v, str) else v for v in value]
    source = observation.source
    locator = scrub(source.locator) if isinstance(source.locator, str) else source.locator
    if value == observation.value and locator == source.locator:
        return observation
    return Observation(observation.path, value, Source(source.file, locator, source.kind))


# the keys of an npm package.json or lockfile (the SDK's and Node's versions stand in them)
_PACKAGE_KEYS = frozenset({"dependencies", "devDependencies", "engines", "lockfileVersion", "packages"})


def _looks_like_case(value: dict[str, Any], kb: KnowledgeBase) -> bool:
    return "case_version" in value or bool(set(value) & kb.schema.sections.keys())


def read_case(names: Iterable[str], kb: KnowledgeBase) -> tuple[ResolvedFacts, list[InputReport]]:
    begin_case()  # a value masked anywhere in this case is scrubbed everywhere in it
    facts = FactSet(kb.schema)
    reports: list[InputReport] = []
    readers = Readers(kb)
    read: list[tuple[list, list]] = []
    for name in names:
        observations, report, signs = read_one(name, kb, readers)
        read.append((observations, signs))
        reports.append(report)
    for observations, signs in read:  # scrubbed once every input has been read
        facts.extend([_scrubbed(o) for o in observations])
        facts.signs.extend(signs)
    if readers.events:
        em = Emitter(kb.schema, ", ".join(dict.fromkeys(e["file"] for e in readers.events)), "zoom_json")
        webhook_aggregates(readers.events, em)
        facts.extend(em.observations)
    resolved = facts.resolve()
    if case_secrets():  # the post held secrets: the reply asks to rotate them; staff get a clean copy
        resolved.secrets_found = True
        resolved.redacted_copies = [(r.label, scrub(r.text)) for r in reports if r.text]
    return resolved, reports


def read_inputs(names: Iterable[str], kb: KnowledgeBase) -> ResolvedFacts:
    return read_case(names, kb)[0]
