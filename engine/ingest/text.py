"""Facts from text: SDK logs, close lines, and whole forum posts or e-mails.

Structured tokens (JSON blocks, error and status codes, HTTP methods and paths, scopes, event
names, versions, close codes, SDK messages) are read by the patterns here; prose phrases
("auto-start is disabled", "every toggle is on") come from kb/ingest/phrases.yaml and respect
negation within their clause, so text that says a thing is NOT so never yields the opposite.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterator

from .emit import Emitter
from .redact import redact_json

MAX_JSON_ATTEMPTS = 4000  # '{' or '[' positions tried per input (bounds work on huge pastes)
MAX_BLOCK_CHARS = 200_000  # a relaxed (JavaScript-style) block is looked for within this span
SCAN_BUDGET = 4_000_000  # characters the relaxed-block search may scan per input in all
MAX_PROSE_CHARS = 100_000  # prose read for phrases and tokens (log lines are read throughout)
MAX_CLAUSE_CHARS = 1_000  # a longer "clause" is no sentence: it is read in windows of this size

TYPOGRAPHIC_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"', "\u00ab": '"',
                         "\u00bb": '"', "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2032": "'"})

_PROGRESSIVE = re.compile(r"^\s*([a-z]+)\s*\|\s*[^|]{4,40}\|\s*(ERROR|WARN|INFO|DEBUG|TRACE)\s*\|\s?(.*)$", re.I)
_CLOSE = [
    re.compile(r"CloseStatus\[code=(\d{4}),\s*reason=([^\]]*)\]", re.I),
    re.compile(r"\bclos(?:e|ed|ing)\b[^\n.]{0,40}?\bcode\b\s*[:=]?\s*(\d{4})\b(?:[^\n]{0,20}?reason\s*[:=]?\s*\"?([^\"\n,}]{2,60}))?", re.I),
    re.compile(r"\bcode\s*[:=]\s*(\d{4})\b[^\n]{0,40}?\bclos", re.I),
    re.compile(r"\bclosed\b[^\n.]{0,20}?\b(1\d{3}|4\d{3})\b", re.I),
]
_HTTP_STATUS = [
    re.compile(r"\bHTTP(?:/\d(?:\.\d)?)?\s*:?\s*(\d{3})\b", re.I),
    re.compile(r"\b([45]\d\d)\s+(?:Bad Request|Unauthorized|Forbidden|Not Found|Too Many Requests|Internal Server Error|Conflict)\b", re.I),
    re.compile(r"\[(\d{3})/\d+\]"),  # rivet: [400/13262]: "..."
    re.compile(r"\b(?:status|returns?|returned|got|gets|response)\s*(?:code)?\s*[:=]?\s*([245]\d\d)\b(?!\s*ms)", re.I),
]
_REST_CODE = [
    re.compile(r"\[\d{3}/(\d+)\]"),
    re.compile(r"\b(?:error|err|code|error code|error_code)\b\s*[:=#]?\s*\"?(\d{3,5})\b", re.I),
]
_STOP = re.compile(r"\bstop[_ ]?reason\b\D{0,12}?(\d{1,2})\b|\breason code:?\s*(\d{1,2})\b(?=[^\n]*\bleft\b)", re.I)
_LEFT = re.compile(r"\b(?:Left (?:meeting|webinar|session) with reason code|onLeave)\D{0,6}(\d{1,3})\b", re.I)
_STATUS = re.compile(r"\bstatus[_ ]?code\b\s*[\"']?\s*[:=]?\s*(\d{1,2})\b", re.I)
_REASON = re.compile(r"\breason\b\s*[\"']?\s*[:=]\s*[\"']([^\"'\n]{3,60})[\"']", re.I)
_JOIN_CONFIRM = re.compile(r"(?:onJoinConfirm|Join confirmed with reason code)\D{0,6}(-?\d{1,4})\b", re.I)
_API_CALL = re.compile(r"\b(GET|POST|PATCH|PUT|DELETE)\s+(?:https://api\.zoom\.us)?(/v2/[^\s\"'<>`]+)", re.I)
_API_PATH = re.compile(r"(?:https://api\.zoom\.us)?(/v2/[A-Za-z0-9_{}/.:-]*(?:rtms_app/status|livestream)[A-Za-z0-9_{}/.-]*)", re.I)
_SCOPE = re.compile(r"(?<![\w.:/-])((?:meeting|webinar|rtms|contact_center|zoomapp|user|session|videosdk|cloud_recording):[a-z_]+(?::[a-z_]+){0,2})(?![\w:])", re.I)
_EVENT = re.compile(r"(?<![\w.])((?:meeting|webinar|session|contact_center|rtms|endpoint)\.[a-z_]+)\b")
_SDK_VERSION = [
    (re.compile(r"@zoom/rtms\b\D{0,12}?(\d+\.\d+\.\d+)", re.I), "node"),
    (re.compile(r"\b(?:pip install |py)?rtms\s*(?:==|version\s*|v)\s*(\d+\.\d+\.\d+)", re.I), "python"),
    (re.compile(r"\brtms (?:sdk|package)\D{0,12}?(\d+\.\d+\.\d+)", re.I), None),
]
_NODE = re.compile(r"\bnode(?:\.?js)?\s*(?:version\s*|v(?=\d)|@)?\s*(?:is\s*)?v?(\d{1,2}(?:\.\d+){0,2})\b", re.I)
_PYTHON = re.compile(r"\bpython\s*(?:version\s*)?(?:is\s*)?v?(3\.\d{1,2}(?:\.\d+)?)\b", re.I)
_APPSSDK = re.compile(r"@zoom/appssdk\D{0,12}?(\d+\.\d+\.\d+)", re.I)
_CLAUSE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+|;|\bbut\b|\balthough\b|\bthough\b|\bhowever\b|\bwhereas\b", re.I)

_QUOTED = re.compile(r"\"[^\"\n]{1,600}\"")  # a quoted span on one line (bounded: no backtracking)


def _mask_quoted_sentences(text: str) -> str:
    """Blank quoted sentences of 8 words or more (same length, so offsets keep their lines)."""
    return _QUOTED.sub(lambda m: " " * len(m.group(0)) if len(m.group(0).split()) >= 8 else m.group(0), text)
_CODE_READS = [(re.compile(r"payload\??\.object\??\.|payload\.object\b"), "object"),
               (re.compile(r"payload\??\.(meeting_uuid|rtms_stream_id|server_urls|webinar_uuid|session_id|engagement_id)\b"), "flat")]
_SDK_LANGUAGE = [
    (re.compile(r"\b(?:pip3?|python3?\s+-m\s+pip|poetry|uv\s+pip)\s+(?:install|add)\s+(?:-U\s+|--upgrade\s+)?rtms\b"
                r"|^\s*(?:import rtms\b|from rtms import)", re.I | re.M), "python"),
    (re.compile(r"\b(?:npm\s+(?:i|install|add)|yarn\s+add|pnpm\s+add)\s+(?:-\S+\s+)*@zoom/rtms\b"
                r"|require\(\s*['\"]@zoom/rtms['\"]\s*\)|from\s+['\"]@zoom/rtms['\"]", re.I), "node"),
]
_INSTALL_FAILED = re.compile(r"No matching distribution found for rtms|Could not find a version that satisfies the requirement rtms"
                             r"|npm ERR!.*@zoom/rtms|gyp ERR!|prebuild-install (?:warn|err)|EBADPLATFORM"
                             r"|Unsupported platform for @zoom/rtms", re.I)
_NODE_VERSION_LINE = re.compile(r"\bnode(?:js)?\s+(?:--version|-v)\s*\n\s*v?(\d+\.\d+\.\d+)", re.I)


@dataclass(frozen=True)
class Phrase:
    pattern: re.Pattern[str]
    facts_affirmed: dict[str, Any]
    facts_negated: dict[str, Any]


@dataclass(frozen=True)
class Cues:
    """The language around structured tokens (kb/ingest/phrases.yaml), compiled."""

    negation: re.Pattern[str]
    not_negations: re.Pattern[str]
    double_negative: re.Pattern[str]
    error_words: re.Pattern[str]
    subscribed: re.Pattern[str]
    handled: re.Pattern[str]
    received: re.Pattern[str]
    missing_scopes: re.Pattern[str]

    @classmethod
    def from_data(cls, data: Any) -> "Cues":
        words = sorted((re.escape(c) for c in data.negation_cues if c != "n't"), key=len, reverse=True)
        flags = re.I
        return cls(
            negation=re.compile(r"\b(" + "|".join(words) + r")\b|n't\b", flags),
            not_negations=re.compile(data.not_negations, flags),
            # "not disabled", "isn't off": a negated negative word affirms
            double_negative=re.compile(r"(\bnot\b|n't\b|\bnever\b)\s+(\w+\s+)?(" + data.double_negative_words + r")\b", flags),
            error_words=re.compile(data.error_words, flags),
            subscribed=re.compile(data.event_verbs.subscribed, flags),
            handled=re.compile(data.event_verbs.handled, flags),
            received=re.compile(data.event_verbs.received, flags),
            missing_scopes=re.compile(data.missing_scopes, flags),
        )


class TextReader:
    """Reads logs and prose with the knowledge base's phrases, cue words and SDK texts."""

    def __init__(self, phrases: list[Phrase], cues: Cues, sdk_texts: list[tuple[str, str]],
                 rest_codes: set[int]):
        self.phrases = phrases
        self.cues = cues
        self.sdk_texts = [(text.lower(), key) for text, key in sdk_texts]
        self.rest_codes = rest_codes

    # -- entry point --------------------------------------------------------------------
    def read(self, text: str, em: Emitter, recognise) -> None:  # type: ignore[no-untyped-def]
        text = text.translate(TYPOGRAPHIC_QUOTES)
        blocks = list(json_blocks(text))
        for line_no, value, _ in blocks:
            # parsing can turn escapes (\u0040) into what redaction looks for: redact again
            recognise(redact_json(value), em, f"line {line_no} $")
        prose = _blank_blocks(text, [span for _, _, span in blocks])
        for number, line in enumerate(text.splitlines(), start=1):
            self._line(line, em, f"line {number}")
        self._prose(prose, em)

    # -- one line of log or text --------------------------------------------------------
    def _line(self, line: str, em: Emitter, loc: str) -> None:
        match = _PROGRESSIVE.match(line)
        if match:
            em.saw("SDK log (progressive)")
            self.log_message(match.group(3), em, loc)
        else:
            self.log_message(line, em, loc, bare=True)
        for pattern in _CLOSE:
            m = pattern.search(line)
            if m and 1000 <= int(m.group(1)) <= 4999:
                em.saw("WebSocket close line")
                em.add("ws.close_codes", [int(m.group(1))], loc)
                if m.lastindex and m.lastindex >= 2 and m.group(2):
                    em.add("ws.close_reason", m.group(2).strip().rstrip("]").strip(), loc)
                break  # the first (most specific) pattern that reads the line wins
        status = _STATUS.search(line)
        if status:
            side = "media" if re.search(r"\bmedia\b|\bdata hand|msg_type\W{0,3}4\b", line, re.I) else "signaling"
            em.add(f"handshake.{side}.status_code", int(status.group(1)), loc)
            reason = _REASON.search(line)
            if reason:
                em.add(f"handshake.{side}.reason", reason.group(1), loc)
        for m in _STOP.finditer(line):
            value = m.group(1) or m.group(2)
            if value and 0 <= int(value) <= 26:
                em.add("stream.stop_reasons", [int(value)], loc)
        for m in _LEFT.finditer(line):
            if 0 <= int(m.group(1)) <= 26:
                em.add("stream.stop_reasons", [int(m.group(1))], loc)
        join = _JOIN_CONFIRM.search(line)
        if join:
            em.add("sdk.join_confirm_reason", int(join.group(1)), loc)

    def log_message(self, message: str, em: Emitter, loc: str, bare: bool = False) -> None:
        lowered = message.lower()
        for text, key in self.sdk_texts:
            if text in lowered:
                em.add("sdk.messages", [key], loc)
        if not bare or "joined" in lowered or "join" in lowered:
            if "successfully joined" in lowered:
                em.add("sdk.join_result", "success", loc)
            elif "failed to join" in lowered:
                em.add("sdk.join_result", "failed", loc)
            elif "error joining" in lowered:
                em.add("sdk.join_result", "error", loc)

    # -- prose --------------------------------------------------------------------------
    def _prose(self, text: str, em: Emitter) -> None:
        line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
        # quoted e-mail replies are someone else's words
        text = re.sub(r"(?m)^[ \t]*>.*$", lambda m: " " * len(m.group(0)), text)
        for match in _CODE_READS[0][0].finditer(text):
            em.add("webhook.code_reads", "object", f"line {_line_of(line_starts, match.start())}")
            break
        else:
            for match in _CODE_READS[1][0].finditer(text):
                em.add("webhook.code_reads", "flat", f"line {_line_of(line_starts, match.start())}")
                break
        for pattern, language in _SDK_LANGUAGE:
            match = pattern.search(text)
            if match:
                em.add("sdk.language", language, f"line {_line_of(line_starts, match.start())}")
        match = _INSTALL_FAILED.search(text)
        if match:
            em.add("sdk.install_failed", True, f"line {_line_of(line_starts, match.start())}")
        for match in _NODE_VERSION_LINE.finditer(text):
            em.add("runtime.node_version", match.group(1), f"line {_line_of(line_starts, match.start(1))}")
        text = _unwrap(text[:MAX_PROSE_CHARS])  # bounded time per case, whatever is pasted
        # quoted sentences (Zoom's own messages, someone else's words) do not trigger phrases
        masked = _mask_quoted_sentences(text)
        for clause, offset in _clauses(text):
            loc = f"line {_line_of(line_starts, offset)}"
            negated = self.is_negated(clause)
            self._phrases(masked[offset:offset + len(clause)], negated, em, loc)
            self._tokens(clause, negated, em, loc)

    def is_negated(self, clause: str) -> bool:
        """A clause with a negation cue says the thing is not so; a double negative such as
        "not disabled" affirms. ("no matter what" is not a negation.)"""
        clause = self.cues.not_negations.sub(" ", clause)
        clause = self.cues.double_negative.sub(" affirmed ", clause)
        return bool(self.cues.negation.search(clause))

    def _phrases(self, clause: str, negated: bool, em: Emitter, loc: str) -> None:
        for phrase in self.phrases:
            if phrase.pattern.search(clause):
                facts = phrase.facts_negated if negated else phrase.facts_affirmed
                for path, value in facts.items():
                    em.add(path, value, loc)

    def _tokens(self, clause: str, negated: bool, em: Emitter, loc: str) -> None:
        for pattern in _REST_CODE:
            for m in pattern.finditer(clause):
                code = int(m.group(1))
                if code in self.rest_codes and code >= 100:
                    em.add("api.error_codes", [code], loc)
        if self.cues.error_words.search(clause):  # "port 3000", "2310 Example Avenue" are not errors
            for code in self.rest_codes:
                if code >= 2000 and re.search(rf"(?<![\d.\w-]){code}(?!\d|\.\d|-\d)", clause):
                    em.add("api.error_codes", [code], loc)
        for pattern in _HTTP_STATUS:
            for m in pattern.finditer(clause):
                status = int(m.group(1))
                if 200 <= status < 600:
                    em.add("api.http_statuses", [status], loc)
        call = _API_CALL.search(clause)
        path = call.group(2) if call else None
        if call:
            em.add("api.method", call.group(1).upper(), loc)
        if not path:
            found = _API_PATH.search(clause)
            path = found.group(1) if found else None
        if path:
            path = path.rstrip(".,;:)")
            em.add("api.path", path, loc)
            endpoint = ("videosdk_rtms_app_status" if "videosdk" in path else
                        "rtms_app_status" if "rtms_app/status" in path else
                        "livestream" if "livestream" in path else "other")
            em.add("api.endpoint", endpoint, loc)
        scopes = list(dict.fromkeys(m.group(1) for m in _SCOPE.finditer(clause)))
        if scopes:
            if self.cues.missing_scopes.search(clause):
                em.add("api.missing_scopes", scopes, loc)
            elif not negated:
                em.add("app.scopes", scopes, loc)
        events = list(dict.fromkeys(m.group(1) for m in _EVENT.finditer(clause)))
        self._events(clause, events, negated, em, loc)
        for pattern, language in _SDK_VERSION:
            m = pattern.search(clause)
            if m:
                em.add("sdk.version", m.group(1), loc)
                if language:
                    em.add("sdk.language", language, loc)
                break
        node = _NODE.search(clause)
        if node and ("." in node.group(1) or re.search(r"\bnode(\.?js)?\s*(v|version)?\s*\d", clause, re.I)):
            em.add("runtime.node_version", node.group(1), loc)
        python = _PYTHON.search(clause)
        if python:
            em.add("runtime.python_version", python.group(1), loc)
        appssdk = _APPSSDK.search(clause)
        if appssdk:
            em.add("app.appssdk_version", appssdk.group(1), loc)

    def _events(self, clause: str, events: list[str], negated: bool, em: Emitter, loc: str) -> None:
        if not events:
            return
        if self.cues.subscribed.search(clause):
            if not negated:
                em.add("app.events.types", events, loc)
            return
        if self.cues.handled.search(clause) and not negated:
            em.add("webhook.handled_events", events, loc)
            return
        if self.cues.received.search(clause):
            if not negated:
                em.add("webhook.received_events", events, loc)
                if any(e.endswith("rtms_started") for e in events):
                    em.add("stream.started_received", True, loc)
                if "meeting.started" in events:
                    em.add("stream.meeting_started_received", True, loc)
            else:
                if any(e.endswith("rtms_started") for e in events):
                    em.add("stream.started_received", False, loc)
                if "meeting.started" in events and len(events) == 1:
                    em.add("stream.meeting_started_received", False, loc)


_WRAP = re.compile(r"(?<=[^\n.!?:;])\n(?=[ \t]*[^\s\-*•>#|0-9])")


def _unwrap(text: str) -> str:
    """Join hard-wrapped lines of a paragraph (same length, so offsets keep their lines)."""
    return _WRAP.sub(" ", text)


def _clauses(text: str) -> Iterator[tuple[str, int]]:
    position = 0
    for match in _CLAUSE_SPLIT.finditer(text):
        yield from _windows(text[position:match.start()], position)
        position = match.end()
    yield from _windows(text[position:], position)


def _windows(clause: str, offset: int) -> Iterator[tuple[str, int]]:
    for start in range(0, max(len(clause), 1), MAX_CLAUSE_CHARS):
        yield clause[start:start + MAX_CLAUSE_CHARS], offset + start


def _line_of(starts: list[int], offset: int) -> int:
    low, high = 0, len(starts) - 1
    while low < high:
        mid = (low + high + 1) // 2
        if starts[mid] <= offset:
            low = mid
        else:
            high = mid - 1
    return low + 1


def _blank_blocks(text: str, spans: list[tuple[int, int]]) -> str:
    """The prose with JSON blocks removed (their keys are not sentences)."""
    out, position = [], 0
    for start, end in spans:
        out.append(text[position:start])
        out.append("\n" * text[start:end].count("\n"))
        position = end
    out.append(text[position:])
    return "".join(out)


_BARE_KEY = re.compile(r"([{,]\s*)([A-Za-z_][A-Za-z0-9_]*)\s*:")


def json_blocks(text: str) -> Iterator[tuple[int, Any, tuple[int, int]]]:
    """Every top-level JSON object or array embedded in text, with the line it starts on and
    its span. Also reads JavaScript console objects ({ msg_type: 2, reason: 'x' })."""
    decoder = json.JSONDecoder()
    position, attempts = 0, 0
    budget = [SCAN_BUDGET]
    while attempts < MAX_JSON_ATTEMPTS:
        starts = [i for i in (text.find("{", position), text.find("[", position)) if i != -1]
        if not starts:
            break
        start = min(starts)
        attempts += 1
        value, end = _decode_at(decoder, text, start, budget)
        if value is not None and isinstance(value, (dict, list)) and value:
            if isinstance(value, list) and not any(isinstance(v, (dict, list)) for v in value):
                position = start + 1
                continue
            yield text.count("\n", 0, start) + 1, value, (start, end)
            position = end
        else:
            position = start + 1


def _decode_at(decoder: json.JSONDecoder, text: str, start: int, budget: list[int]) -> tuple[Any, int]:
    try:
        return decoder.raw_decode(text, start)
    except (json.JSONDecodeError, RecursionError, ValueError):  # ValueError: > 4,300-digit ints
        pass
    if budget[0] <= 0:
        return None, start
    closing = _matching_bracket(text, start)
    budget[0] -= (closing if closing is not None else min(len(text), start + MAX_BLOCK_CHARS)) - start
    if closing is None:
        return None, start
    chunk = text[start:closing + 1]
    relaxed = _BARE_KEY.sub(r'\1"\2":', chunk.replace("'", '"'))
    relaxed = re.sub(r",\s*([}\]])", r"\1", relaxed)
    try:
        return json.loads(relaxed), closing + 1
    except (json.JSONDecodeError, RecursionError, ValueError):
        return None, start


def _matching_bracket(text: str, start: int) -> int | None:
    pairs = {"{": "}", "[": "]"}
    stack = []
    limit = min(len(text), start + MAX_BLOCK_CHARS)
    quote = None
    for i in range(start, limit):
        ch = text[i]
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch in pairs:
            stack.append(pairs[ch])
        elif ch in "}]":
            if not stack or stack.pop() != ch:
                return None
            if not stack:
                return i
    return None
