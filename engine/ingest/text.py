"""Facts from text: SDK logs, close lines, and whole forum posts or e-mails.

Structured tokens (JSON blocks, error and status codes, HTTP methods and paths, scopes, event
names, versions, close codes, SDK messages) are read by the patterns here; prose phrases
("auto-start is disabled", "every toggle is on") come from kb/ingest/phrases.yaml and respect
negation within their clause, so text that says a thing is NOT so never yields the opposite.
"""
from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator

from ..knowledge.literals import from_program
from ..knowledge.phrase_index import PhraseIndex
from .anchored import Anchored, lowered
from .emit import Emitter
from .products import product_of
from .code_shapes import CodeShapes, read_code_shapes
from .values import read_pairs
from ..regex_cache import cached_compile

if TYPE_CHECKING:
    from .dispatch import Dispatch

MAX_JSON_ATTEMPTS = 4000  # '{' or '[' positions tried per input (bounds work on huge pastes)
MAX_BLOCK_CHARS = 200_000  # a relaxed (JavaScript-style) block is looked for within this span
MAX_JSON_DEPTH = 200  # deeper blocks are read as text (a JSON file that deep is refused)
SCAN_BUDGET = 4_000_000  # characters the relaxed-block search may scan per input in all
MAX_PROSE_CHARS = 100_000  # prose read for phrases and tokens (log lines are read throughout)
MAX_CLAUSE_CHARS = 1_000  # a longer "clause" is no sentence: it is read in windows of this size

TYPOGRAPHIC_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"', "\u00ab": '"',
                         "\u00bb": '"', "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2032": "'"})


def straighten_quotes(text: str) -> str:
    """text.translate(TYPOGRAPHIC_QUOTES), one replace per quote: translate looks every
    character of a non-ASCII text up in the table (half a second on a 10 MB paste)."""
    if text.isascii():
        return text
    for quote, straight in TYPOGRAPHIC_QUOTES.items():
        if chr(quote) in text:
            text = text.replace(chr(quote), straight)
    return text

_PROGRESSIVE = cached_compile(r"^\s*([a-z]+)\s*\|\s*[^|]{4,40}\|\s*(ERROR|WARN|INFO|DEBUG|TRACE)\s*\|\s?(.*)$", re.I)
_CLOSE = [
    cached_compile(r"CloseStatus\[code=(\d{4}),\s*reason=([^\]]*)\]", re.I),
    cached_compile(r"\bclos(?:e|ed|ing)\b[^\n.]{0,40}?\bcode\b\s*[:=]?\s*(\d{4})\b(?:[^\n]{0,20}?reason\s*[:=]?\s*\"?([^\"\n,}]{2,60}))?", re.I),
    cached_compile(r"\bcode\s*[:=]\s*(\d{4})\b[^\n]{0,40}?\bclos", re.I),
    cached_compile(r"\bclosed\b[^\n.]{0,20}?\b(1\d{3}|4\d{3})\b", re.I),
]
# words (lowered) every match holds: "clos" of every _CLOSE pattern, and one more of each
_CLOSE_WORDS = ["closestatus[code=", "code", "code", "closed"]
_HTTP_STATUS = [
    cached_compile(r"\bHTTP(?:/\d(?:\.\d)?)?\s*:?\s*(\d{3})\b", re.I),
    cached_compile(r"\b([45]\d\d)\s+(?:Bad Request|Unauthorized|Forbidden|Not Found|Too Many Requests|Internal Server Error|Conflict)\b", re.I),
    cached_compile(r"\[(\d{3})/\d+\]"),  # rivet: [400/13262]: "..."
    cached_compile(r"\b(?:status|returns?|returned|got|gets|response)\s*(?:code)?\s*[:=]?\s*([245]\d\d)\b(?!\s*ms)", re.I),
    # "the response is 400", "Response is coming 400", "status code came back as 403"
    cached_compile(r"\b(?:status|response)(?:\s+code)?\s+(?:is|was|comes|came|is coming|was coming|coming)"
               r"(?:\s+back)?(?:\s+(?:as|with))?\s+([245]\d\d)\b(?!\s*ms)", re.I),
    # "getting a 400 response", "we got the 403 error" (what the caller gets: "our endpoint sends
    # a 200 response" is the webhook's answer, not the REST call's status)
    cached_compile(r"\b(?:get|gets|getting|got|receive[sd]?|receiving)\s+(?:an?\s+|the\s+)?(?:http\s+)?"
               r"([245]\d\d)\s+(?:response|status|error)\b", re.I),
]
_REST_CODE = [
    cached_compile(r"\[\d{3}/(\d+)\]"),
    cached_compile(r"\b(?:error|err|code|error code|error_code)\b\s*[:=#]?\s*\"?(\d{3,5})\b", re.I),
]
_STOP = cached_compile(r"\bstop[_ ]?reason\b\D{0,12}?(\d{1,2})\b|\breason code:?\s*(\d{1,2})\b(?=[^\n]*\bleft\b)", re.I)
_LEFT = cached_compile(r"\b(?:Left (?:meeting|webinar|session) with reason code|onLeave)\D{0,6}(\d{1,3})\b", re.I)
_STATUS = cached_compile(r"\bstatus[_ ]?code\b\s*[\"']?\s*[:=]?\s*(\d{1,2})\b"
                     r"|\bhandshake\b[^\n]{0,60}?\bstatus\b\s*[:=(]?\s*(\d{1,2})\b", re.I)
_STATUS_NAME = cached_compile(r"\bSTATUS_[A-Z][A-Z_]{3,60}\b")
_REASON = cached_compile(r"\breason\b\s*[\"']?\s*[:=]\s*[\"']([^\"'\n]{3,60})[\"']", re.I)
_JOIN_CONFIRM = cached_compile(r"(?:onJoinConfirm|Join confirmed with reason code)\D{0,6}(-?\d{1,4})\b", re.I)
_API_CALL = cached_compile(r"\b(GET|POST|PATCH|PUT|DELETE)\s+(?:https://api\.zoom\.us)?(/v2/[^\s\"'<>`]+)", re.I)
_API_PATH = cached_compile(r"(?:https://api\.zoom\.us)?(/v2/[A-Za-z0-9_{}/.:-]*(?:rtms_app/status|livestream)[A-Za-z0-9_{}/.-]*)", re.I)
_SCOPE = cached_compile(r"(?<![\w.:/-])((?:meeting|webinar|rtms|contact_center|zoomapp|user|session|videosdk|cloud_recording):[a-z_]+(?::[a-z_]+){0,2})(?![\w:])", re.I)
_EVENT = cached_compile(r"(?<![\w.])((?:meeting|webinar|session|contact_center|rtms|endpoint)\.[a-z_]+)\b")
_SDK_VERSION = [
    (cached_compile(r"@zoom/rtms\b\D{0,12}?(\d+\.\d+\.\d+)", re.I), "node"),
    # pip's own forms too: "Successfully installed rtms-1.0.2", a wheel "rtms-1.0.4-cp312-..."
    (cached_compile(r"\b(?:pip install |py)?rtms\s*(?:==|version\s*|v|-(?=\d))\s*(\d+\.\d+\.\d+)", re.I), "python"),
    (cached_compile(r"\brtms (?:sdk|package)\D{0,12}?(\d+\.\d+\.\d+)|\brtms\s+(\d+\.\d+\.\d+)\b", re.I), None),
]
_NODE = cached_compile(r"\bnode(?:\.?js)?\s*(?:version\s*|v(?=\d)|@)?\s*(?:is\s*)?v?(\d{1,2}(?:\.\d+){0,2})\b", re.I)
_PYTHON = cached_compile(r"\bpython\s*(?:version\s*)?(?:is\s*)?v?(3\.\d{1,2}(?:\.\d+)?)\b", re.I)
_APPSSDK = cached_compile(r"@zoom/appssdk\D{0,12}?(\d+\.\d+\.\d+)", re.I)
_DIGIT = cached_compile(r"\d")  # what the code and version patterns all need (any Unicode digit)
# ... and a sequence whose next step is nothing ("we get meeting.started, then nothing"): the
# negation is the next step's, not the first one's
_CLAUSE_SPLIT = cached_compile(r"(?<=[.!?])\s+|\n+|;|\bbut\b|\balthough\b|\bthough\b|\bhowever\b|\bwhereas\b|"
                               r"(?:,\s*|\band\s+)?\bthen\b(?=\s+(?:nothing|no|never|none)\b)", re.I)
_GUARDED = cached_compile(r"\^\(\?!(.*?)\)\.\*\?\(\?:(.*)\)", re.S)  # a phrase written ^(?!GUARD).*?(?:BODY)
_QUOTED = cached_compile(r"\"[^\"\n]{1,600}\"")  # a quoted span on one line (bounded: no backtracking)


def _mask_quoted_sentences(text: str) -> str:
    """Blank quoted sentences of 8 words or more (same length, so offsets keep their lines)."""
    return _QUOTED.sub(lambda m: " " * len(m.group(0)) if len(m.group(0).split()) >= 8 else m.group(0), text)
_CODE_READS = [(cached_compile(r"payload\??\.object\??\.|payload\.object\b"), "object"),
               (cached_compile(r"payload\??\.(meeting_uuid|rtms_stream_id|server_urls|webinar_uuid|session_id|engagement_id)\b"), "flat")]
_SDK_LANGUAGE = [
    (cached_compile(r"\b(?:pip3?|python3?\s+-m\s+pip|poetry|uv\s+pip)\s+(?:install|add)\s+(?:-U\s+|--upgrade\s+)?rtms\b"
                r"|^\s*(?:import rtms\b(?!\s+from\b)|from rtms import)", re.I | re.M), "python"),  # not JS's "import rtms from"
    (cached_compile(r"\b(?:npm\s+(?:i|install|add)|yarn\s+add|pnpm\s+add)\s+(?:-\S+\s+)*@zoom/rtms\b"
                r"|require\(\s*['\"]@zoom/rtms['\"]\s*\)|from\s+['\"]@zoom/rtms['\"]", re.I), "node"),
]
_INSTALL_FAILED = cached_compile(r"No matching distribution found for rtms|Could not find a version that satisfies the requirement rtms"
                             r"|npm ERR!.*@zoom/rtms|gyp ERR!|prebuild-install (?:warn|err)|EBADPLATFORM"
                             r"|Unsupported platform for @zoom/rtms", re.I)
_NODE_VERSION_LINE = cached_compile(r"\bnode(?:js)?\s+(?:--version|-v)\s*\n\s*v?(\d+\.\d+\.\d+)", re.I)
# the three whole-text scans above, tried only where a match can start (anchored.py): the words
# are the lowered literals each branch starts with ("^\s*import rtms": the line start before it)
_SDK_LANGUAGE_AT = [
    (Anchored(_SDK_LANGUAGE[0][0], ("pip", "python", "poetry", "uv"), ("import rtms", "from rtms import")), "python"),
    (Anchored(_SDK_LANGUAGE[1][0], ("npm", "yarn", "pnpm", "require(", "from")), "node"),
]
_INSTALL_FAILED_AT = Anchored(_INSTALL_FAILED, ("no matching distribution", "could not find a version", "npm err!",
                                                "gyp err!", "prebuild-install", "ebadplatform", "unsupported platform"))
_NODE_VERSION_LINE_AT = Anchored(_NODE_VERSION_LINE, ("node",))

# Where the code runs, in a sentence that sets a part saying it works against a part saying it
# fails ("On my M2 Mac it works, it crashes on linux x64", "works on my Mac but crashes on the
# Linux server"): the working part names the control machine. Its platform is not the failing
# one, and is not read. A version in the working part is the control only when the failing part
# names a version too ("works on Node 20, crashes on Node 18"); otherwise both parts share it.
_PLATFORM_FACTS = ("runtime.platform", "host.client_platform")
_VERSION_TOKENS = {"runtime.node_version": [_NODE], "runtime.python_version": [_PYTHON],
                   "sdk.version": [pattern for pattern, _ in _SDK_VERSION]}
_SENTENCE_SPLIT = cached_compile(r"(?<=[.!?])\s+|\n+")
_PART_SPLIT = cached_compile(r"[,;]|\b(?:but|although|though|however|whereas|while)\b", re.I)


_MEDIA_SIDE = cached_compile(r"\bmedia\b|\bdata hand|msg_type\W{0,3}4\b", re.I)  # holds "media", "data hand" or "msg_type"


class _EveryWord(str):
    """Stands for the lowered form of a line that has none: holds every word."""

    def __contains__(self, word: object) -> bool:
        return True


_EVERY_WORD = _EveryWord()

# A line _line reads anything from holds one of these (lowercased) or one of the KB's SDK texts:
# "|" a progressive log line; "clos" every close pattern; "status" the status code and name;
# "reason" the stop reason; "left"/"onleave" leaving; "join" joining and join results
_LINE_WORDS = ("|", "clos", "status", "reason", "left", "onleave", "join")
_CASE_ODD = ("\u0130", "\u0131", "\u017f")  # letters (?i) matches as i or s that lower() does not map so


class _Calls:
    """What reading one line told the emitter (_line depends on the line alone, and on the
    locator only to pass it on), to tell it again for the same line elsewhere."""

    __slots__ = ("calls",)

    def __init__(self) -> None:
        self.calls: list[tuple[str | None, Any]] = []  # (None, shape seen) or (path, value)

    def saw(self, shape: str) -> None:
        self.calls.append((None, shape))

    def add(self, path: str, value: Any, locator: str) -> None:
        self.calls.append((path, value))

    def replay(self, em: Emitter, locator: str) -> None:
        for path, value in self.calls:
            if path is None:
                em.saw(value)
            else:
                em.add(path, value, locator)  # em.add copies a list value: sharing it is safe


@dataclass
class _Ranges:
    """Spans of the text (sorted, not overlapping) where a fact is not read."""

    starts: list[int]
    ends: list[int]

    def holds(self, position: int) -> bool:
        i = bisect_right(self.starts, position) - 1
        return i >= 0 and position < self.ends[i]


@dataclass
class Phrase:
    source: str  # the pattern as written; compiled (case-insensitive) on first use
    facts_affirmed: dict[str, Any]
    facts_negated: dict[str, Any]
    program: Any = field(default=None, repr=False, compare=False)  # kept compiled code (literals.py)
    _compiled: re.Pattern[str] | None = field(default=None, repr=False, compare=False)

    _guarded: tuple[re.Pattern[str], re.Pattern[str]] | None | bool = field(default=False, repr=False, compare=False)

    @property
    def pattern(self) -> re.Pattern[str]:
        if self._compiled is None:  # most phrases never meet a clause holding their words
            self._compiled = from_program(self.source, self.program)
        return self._compiled

    @property
    def guarded(self) -> tuple[re.Pattern[str], re.Pattern[str]] | None:
        """(GUARD, BODY) of a pattern written ^(?!GUARD).*?(?:BODY), else None. On a clause
        without a line break the pattern matches where BODY is first found, when GUARD does not
        match at the start: the guard ("not a question") is then tested once per clause, not
        per phrase, and BODY is searched without the lazy .*? (~15% faster). Split only when
        both parts compile on their own (so the parentheses pair up as written) and GUARD holds
        no group (so BODY's groups keep their numbers)."""
        if self._guarded is False:
            self._guarded = None
            found = _GUARDED.fullmatch(self.source)
            if found:
                try:
                    guard, body = cached_compile(found.group(1), re.I), cached_compile(found.group(2), re.I)
                except re.error:
                    guard = None
                if guard is not None and not guard.groups:
                    self._guarded = (guard, body)
        return self._guarded  # type: ignore[return-value]


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
    splice: re.Pattern[str]  # a comma before a subject: maybe a comma splice
    finite: re.Pattern[str]
    subordinate: re.Pattern[str]  # matched at the start of the part before the comma
    stated: re.Pattern[str]  # a state word: the list item says its own state
    relative: re.Pattern[str]  # matched at the start of a part: a relative clause
    works: re.Pattern[str]
    fails: re.Pattern[str]

    @classmethod
    def from_data(cls, data: Any) -> "Cues":
        words = sorted((re.escape(c) for c in data.negation_cues if c != "n't"), key=len, reverse=True)
        flags = re.I
        return cls(
            negation=cached_compile(r"\b(" + "|".join(words) + r")\b|n't\b", flags),
            not_negations=cached_compile(data.not_negations, flags),
            # "not disabled", "isn't off": a negated negative word affirms
            double_negative=cached_compile(r"(\bnot\b|n't\b|\bnever\b)\s+(\w+\s+)?(" + data.double_negative_words + r")\b", flags),
            error_words=cached_compile(data.error_words, flags),
            subscribed=cached_compile(data.event_verbs.subscribed, flags),
            handled=cached_compile(data.event_verbs.handled, flags),
            received=cached_compile(data.event_verbs.received, flags),
            missing_scopes=cached_compile(data.missing_scopes, flags),
            splice=cached_compile(r",[ \t]{0,4}(?=(?:" + data.splice_subjects + r")\b(?!\.))", flags),
            finite=cached_compile(data.finite_verbs, flags),
            subordinate=cached_compile(r"[\s>*\u2022-]{0,8}(?:" + data.subordinators + r")\b", flags),
            stated=cached_compile(data.state_words, flags),
            relative=cached_compile(r"\s*(?:" + data.relative_openers + r")\b", flags),
            works=cached_compile(data.works_words, flags),
            fails=cached_compile(data.failure_words, flags),
        )


class TextReader:
    """Reads logs and prose with the knowledge base's phrases, cue words and SDK texts."""

    def __init__(self, phrases: list[Phrase], cues: Cues, sdk_texts: list[tuple[str, str]],
                 rest_codes: set[int], pairs: dict[str, Any] | None = None,
                 status_names: dict[str, tuple[int, str]] | None = None,
                 index: PhraseIndex[int] | None = None, code_shapes: CodeShapes | None = None):
        """INDEX: which phrases (by position) a clause may match (none given: every phrase)."""
        self.code_shapes = code_shapes or CodeShapes()  # what code and log lines show (code_shapes.py)
        self.index = index or PhraseIndex(range(len(phrases)), [None] * len(phrases))
        self.pairs = pairs or {}  # values.compile_pairs: key = value pairs the KB knows
        self.status_names = status_names or {}  # STATUS_INVALID_SIGNATURE -> (3, its reason text)
        self.phrases = phrases
        self.cues = cues
        self.sdk_texts = [(text.lower(), key) for text, key in sdk_texts]
        self.rest_codes = rest_codes
        # the codes read bare in a clause with an error word, in the set's order
        self.error_codes = [(code, str(code)) for code in rest_codes if code >= 2000]

    # -- entry point --------------------------------------------------------------------
    def read(self, text: str, em: Emitter, via: Dispatch) -> None:
        """TEXT as read (reader.Readers.prose: quotes straightened, redacted); the JSON blocks
        in it go to the dispatcher, which redacts what parsing them reveals."""
        blocks = list(json_blocks(text))
        for line_no, value, span in blocks:
            if _ready_ack_on_media(text, value, span[0]):
                em.add("handshake.client_ready_ack", "media", f"line {line_no} $.msg_type")
                continue
            via.json(value, em, f"line {line_no} $")
        prose = _blank_blocks(text, [span for _, _, span in blocks])
        self._lines(text, em)
        self._prose(prose, em)
        if self.pairs:  # after the prose: a pair never overrules what a sentence says more precisely
            read_pairs(text[:MAX_PROSE_CHARS], self.pairs, em)
        read_code_shapes(text[:MAX_PROSE_CHARS], prose[:MAX_PROSE_CHARS], self.code_shapes, em, via)

    # -- one line of log or text --------------------------------------------------------
    def _lines(self, text: str, em: Emitter) -> None:
        """Every line read as _line reads it, each distinct line once (a log repeats its lines)."""
        read: dict[str, _Calls] = {}
        words = _LINE_WORDS + tuple(text for text, _ in self.sdk_texts)
        for number, line in enumerate(text.splitlines(), start=1):
            calls = read.get(line)
            if calls is None:
                calls = read[line] = _Calls()
                lowered = line.lower()
                if any(word in lowered for word in words) or any(c in line for c in _CASE_ODD):
                    self._line(line, calls, "")  # type: ignore[arg-type]
            if calls.calls:
                calls.replay(em, f"line {number}")

    def _line(self, line: str, em: Emitter, loc: str) -> None:
        # a pattern is tried only on a line holding a word every match of it holds (on a log
        # with a timestamp per line each line is new, and most patterns have no literal prefix
        # to scan by): lowered, a (?i) match of an ASCII word stands there (anchored.lowered);
        # a line with a letter for which that fails is tried with every pattern
        low = lowered(line)
        if low is None:
            low = _EVERY_WORD
        match = _PROGRESSIVE.match(line) if "|" in line else None
        if match:
            em.saw("SDK log (progressive)")
            self.log_message(match.group(3), em, loc)
        else:
            self.log_message(line, em, loc, bare=True)
        for pattern, word in zip(_CLOSE, _CLOSE_WORDS) if "clos" in low else ():
            m = pattern.search(line) if word in low else None
            if m and 1000 <= int(m.group(1)) <= 4999:
                em.saw("WebSocket close line")
                em.add("ws.close_codes", [int(m.group(1))], loc)
                if m.lastindex and m.lastindex >= 2 and m.group(2):
                    em.add("ws.close_reason", m.group(2).strip().rstrip("]").strip(), loc)
                break  # the first (most specific) pattern that reads the line wins
        status = _STATUS.search(line) if "status" in low else None
        named = _STATUS_NAME.search(line) if self.status_names else None
        if status or named:
            media = ("media" in low or "data hand" in low or "msg_type" in low) and _MEDIA_SIDE.search(line)
            side = "media" if media else "signaling"
            if status:
                em.add(f"handshake.{side}.status_code", int(status.group(1) or status.group(2)), loc)
            reason = _REASON.search(line)
            if reason and any(c.isalnum() for c in reason.group(1)):  # not "..." pasted for it
                em.add(f"handshake.{side}.reason", reason.group(1), loc)
            elif named and named.group(0) in self.status_names:
                # a log that prints the status by name: the name is the reason text, and its number
                # in the current numbering (the name says which entry it is)
                code, text = self.status_names[named.group(0)]
                if not status:
                    em.add(f"handshake.{side}.status_code", code, loc)
                em.add(f"handshake.{side}.reason", text, loc)
        for m in _STOP.finditer(line) if "reason" in low else ():
            value = m.group(1) or m.group(2)
            if value and 0 <= int(value) <= 26:
                em.add("stream.stop_reasons", [int(value)], loc)
        for m in _LEFT.finditer(line) if "left" in low or "onleave" in low else ():
            if 0 <= int(m.group(1)) <= 26:
                em.add("stream.stop_reasons", [int(m.group(1))], loc)
        join = _JOIN_CONFIRM.search(line) if "join" in low else None
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
        lower = lowered(text)
        for anchored, language in _SDK_LANGUAGE_AT:
            match = anchored.search(text, lower)
            if match:
                em.add("sdk.language", language, f"line {_line_of(line_starts, match.start())}")
        match = _INSTALL_FAILED_AT.search(text, lower)
        if match:
            em.add("sdk.install_failed", True, f"line {_line_of(line_starts, match.start())}")
        for match in _NODE_VERSION_LINE_AT.finditer(text, lower):
            em.add("runtime.node_version", match.group(1), f"line {_line_of(line_starts, match.start(1))}")
        # code is found before lines are joined (a fence must start its line); same offsets
        code_spans = _code_lines(text[:MAX_PROSE_CHARS])
        text = _unwrap(text[:MAX_PROSE_CHARS])  # bounded time per case, whatever is pasted
        # quoted sentences (Zoom's own messages, someone else's words) do not trigger phrases
        masked = _mask_quoted_sentences(text)
        control = self._control_parts(text)
        started: list[tuple[frozenset[str], bool, list[Any]]] = []
        for clause, offset in _clauses(text, self.cues):
            loc = f"line {_line_of(line_starts, offset)}"
            negated = self.is_negated(clause)
            self._phrases(masked[offset:offset + len(clause)], negated, em, loc, offset, control,
                          self._negated_parts(clause) if negated else None)
            self._tokens(clause, negated, em, loc, offset, control, started, code_spans)
        _drop_control_product(started, em)
        _product_from_events(em)
        _subscription_on_from_events(em)

    def is_negated(self, clause: str) -> bool:
        """A clause with a negation cue says the thing is not so; a double negative such as
        "not disabled" affirms. ("no matter what" is not a negation.)"""
        clause = self.cues.not_negations.sub(" ", clause)
        clause = self.cues.double_negative.sub(" affirmed ", clause)
        return bool(self.cues.negation.search(clause))

    def _control_parts(self, text: str) -> dict[str, _Ranges]:
        """Per fact, the working parts of the sentences that set a working part against a failing
        one (see _PLATFORM_FACTS): what they name is the control, not the failing setup."""
        spans: dict[str, list[tuple[int, int]]] = {}
        for sentence, start in _sentences(text):
            if not self.cues.works.search(sentence):
                continue
            working, failing = [], []
            for part, offset in _parts(sentence, start):
                if self.cues.fails.search(part):
                    failing.append(part)
                elif self.cues.works.search(part):
                    working.append((offset, offset + len(part)))
            if not working or not failing:
                continue
            for fact in _PLATFORM_FACTS:
                spans.setdefault(fact, []).extend(working)
            for fact, patterns in _VERSION_TOKENS.items():
                if any(pattern.search(part) for part in failing for pattern in patterns):
                    spans.setdefault(fact, []).extend(working)
        return {fact: _Ranges([a for a, _ in found], [b for _, b in found]) for fact, found in spans.items()}

    def _negated_parts(self, clause: str) -> list[tuple[int, bool]] | None:
        """(end, negated) of each comma part of a negated clause, or None when it has one part.
        A part is negated by its own cue; a part without a verb of its own also by a cue in a
        later part ("share realtime content, the allow list and auto-start are off"); a part
        that continues a list ("..., or the events") by the part before it. So "sharing is on,
        not locked" keeps "sharing is on" affirmed."""
        commas = list(_PART_BREAK.finditer(clause))
        if not commas or self.cues.subordinate.match(clause):  # "if X is on, we never ...": a condition
            return None
        bounds = [0] + [m.end() for m in commas] + [len(clause) + 1]
        parts = [clause[a:b] for a, b in zip(bounds, bounds[1:])]
        own = [self.is_negated(part) for part in parts]
        # a part with a verb, a state word of its own ("encryption on", "app installed") or "works"
        verb = [bool(self.cues.finite.search(part) or self.cues.stated.search(part) or self.cues.works.search(part))
                for part in parts]  # ("works across the company, no warnings": the first part works)
        # a colon ends a statement ("fails on my Intel Mac: no prebuilt binary"): no list runs across it
        colon = [m.group(0).startswith(":") for m in commas]
        # "..., which we never saw": a relative clause's cue is its own, it passes nothing back
        relative = [bool(self.cues.relative.match(part)) for part in parts]
        final = list(own)
        for i in range(len(parts) - 2, -1, -1):  # backwards through verbless list items
            if not own[i] and not verb[i] and final[i + 1] and not colon[i] and not relative[i + 1]:
                final[i] = True
        for i in range(1, len(parts)):  # forwards into "..., or ..." continuations
            if not final[i] and final[i - 1] and _LIST_GOES_ON.match(parts[i]):
                final[i] = True
        return list(zip(bounds[1:], final))

    def _phrases(self, clause: str, negated: bool, em: Emitter, loc: str, offset: int = 0,
                 control: dict[str, _Ranges] | None = None,
                 parts: list[tuple[int, bool]] | None = None) -> None:
        guards: dict[str, bool] = {}  # whether each guard (by its source) matches this clause's start
        lines = "\n" in clause  # a guarded pattern's .*? stops at a line break: run it whole
        back = None
        if '"' in clause or "`" in clause:  # "meeting_audio" scope: a quoted name reads as the name
            clause, back = _unquoted_names(clause)
        for i in self.index.candidates(clause):
            phrase = self.phrases[i]
            split = None if lines else phrase.guarded
            if split:
                guard, body = split
                held = guards.get(guard.pattern)  # one guard is shared by most phrases
                if held is None:
                    held = guards[guard.pattern] = guard.match(clause) is not None
                match = None if held else body.search(clause)
                start = 0  # where the whole pattern's match starts
            else:
                match = phrase.pattern.search(clause)
                start = match.start() if match else 0
            if match:
                last = max(match.end() - 1, start)  # the phrase's last word
                if back is not None:
                    last = back[last]  # its place in the clause as written
                here = next((flag for end, flag in parts if last < end), negated) if parts else negated
                facts = phrase.facts_negated if here else phrase.facts_affirmed
                where = offset + last
                for path, value in facts.items():
                    if control and path in control and control[path].holds(where):
                        continue
                    em.add(path, value, loc)

    def _tokens(self, clause: str, negated: bool, em: Emitter, loc: str, offset: int = 0,
                control: dict[str, _Ranges] | None = None,
                started: list[tuple[frozenset[str], bool, list[Any]]] | None = None,
                code_spans: _Ranges | None = None) -> None:
        def first(pattern: re.Pattern[str], fact: str) -> re.Match[str] | None:
            ranges = (control or {}).get(fact)
            for m in pattern.finditer(clause):
                if ranges is None or not ranges.holds(offset + m.start(1)):
                    return m
            return None

        # every code, status, API path and version pattern below holds a digit (\d, as they do):
        # most clauses of a post have none, and skip them all
        digits = _DIGIT.search(clause) is not None
        if digits:
            for pattern in _REST_CODE:
                for m in pattern.finditer(clause):
                    code = int(m.group(1))
                    if code in self.rest_codes and code >= 100 and not _denied(clause, m.start()):
                        em.add("api.error_codes", [code], loc)
            if self.cues.error_words.search(clause):  # "port 3000", "2310 Example Avenue" are not errors
                for code, digits_of in self.error_codes:  # the regex only where its digits are
                    if digits_of not in clause:
                        continue
                    m = re.search(rf"(?<![\d.\w-]){code}(?!\d|\.\d|-\d)", clause)
                    if m and not _denied(clause, m.start()):
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
        scopes = list(dict.fromkeys(m.group(1) for m in _SCOPE.finditer(clause))) if ":" in clause else []
        # a question or a requirement ("Did you add ...?", "you need the ... scope") says
        # nothing about what the app holds or subscribes to
        asked = _ASKED.search(clause) is not None
        if scopes:
            if self.cues.missing_scopes.search(clause):
                em.add("api.missing_scopes", scopes, loc)
            elif not negated and not asked:
                em.add("app.scopes", scopes, loc)
        found = list(_EVENT.finditer(clause)) if "." in clause else []
        if code_spans is not None and code_spans.starts:
            # an event named in code (`if event == "meeting.rtms_started":`) is one the code
            # handles: it says nothing about what arrived or what is subscribed
            handled = list(dict.fromkeys(m.group(1) for m in found if code_spans.holds(offset + m.start())))
            if handled:
                em.add("webhook.handled_events", handled, loc)
                found = [m for m in found if not code_spans.holds(offset + m.start())]
        events = list(dict.fromkeys(m.group(1) for m in found))
        if asked and self.cues.subscribed.search(clause):
            events = []  # "Did you subscribe to meeting.rtms_started?"
        self._events(clause, events, negated, em, loc, started)
        if not digits:
            return
        for pattern, language in _SDK_VERSION:
            m = first(pattern, "sdk.version")
            if m:
                em.add("sdk.version", next(g for g in m.groups() if g), loc)
                if language:
                    em.add("sdk.language", language, loc)
                break
        node = first(_NODE, "runtime.node_version")
        if node and ("." in node.group(1) or re.search(r"\bnode(\.?js)?\s*(v|version)?\s*\d", clause, re.I)):
            em.add("runtime.node_version", node.group(1), loc)
        python = first(_PYTHON, "runtime.python_version")
        if python:
            em.add("runtime.python_version", python.group(1), loc)
        appssdk = _APPSSDK.search(clause)
        if appssdk:
            em.add("app.appssdk_version", appssdk.group(1), loc)

    def _events(self, clause: str, events: list[str], negated: bool, em: Emitter, loc: str,
                started: list[tuple[frozenset[str], bool, list[Any]]] | None = None) -> None:
        if not events:
            return
        products = frozenset(e.split(".", 1)[0] for e in events if e.endswith("rtms_started"))

        def started_received(value: bool) -> None:
            before = len(em.observations)
            em.add("stream.started_received", value, loc)
            if started is not None:
                started.append((products, value, em.observations[before:]))

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
                if products:
                    started_received(True)
                if "meeting.started" in events:
                    em.add("stream.meeting_started_received", True, loc)
            else:
                if products:
                    started_received(False)
                if "meeting.started" in events and len(events) == 1:
                    em.add("stream.meeting_started_received", False, loc)


def _drop_control_product(started: list[tuple[frozenset[str], bool, list[Any]]], em: Emitter) -> None:
    """A post where one product's rtms_started arrives and another's never does ("we get
    meeting.rtms_started; no webinar.rtms_started ever arrives") compares a working product with
    the failing one: the working product is the control and says nothing about the stream the
    case is about, so its 'started' is dropped. One product said to both arrive and not arrive
    stays a conflict."""
    arrived = frozenset().union(*(p for p, value, _ in started if value))
    missing = frozenset().union(*(p for p, value, _ in started if not value))
    if not arrived or not missing or arrived & missing:
        return
    drop = {id(o) for _, value, added in started if value for o in added}
    em.observations[:] = [o for o in em.observations if id(o) not in drop]


_EVENT_FACTS = ("app.events.types", "webhook.received_events", "webhook.handled_events")


def _product_from_events(em: Emitter) -> None:
    """The product the post's RTMS event names say, as a webhook body's prefix says it
    (meeting.rtms_started: a meeting), when they name one product and nothing else in the
    input named any (a word such as "webinar", or a pasted body)."""
    if any(o.path == "case.product" for o in em.observations):
        return
    found: dict[str, str] = {}
    for o in em.observations:
        if o.path in _EVENT_FACTS and isinstance(o.value, list):
            for event in o.value:
                product = product_of(str(event))
                if product:
                    found.setdefault(product, o.source.locator)
    if len(found) == 1:
        product, loc = next(iter(found.items()))
        em.add("case.product", product, loc)


def _subscription_on_from_events(em: Emitter) -> None:
    """Events listed as subscribed say the subscription is on, when the text says nothing of
    its switch itself ("App B has no Event Subscription, the toggle is off" keeps its word)."""
    if any(o.path == "app.events.enabled" for o in em.observations):
        return
    listed = next((o for o in em.observations if o.path == "app.events.types" and o.value), None)
    if listed is not None:
        em.add("app.events.enabled", True, listed.source.locator)


# a name in quotes or backticks: up to three words ("rtms", `meeting_audio`, "Realtime Media
# Streams"); a longer quote is someone's sentence and stays as it is
_QUOTED_NAME = cached_compile(r"([\"`])([^\"`\n]{1,60})\1")


def _unquoted_names(clause: str) -> tuple[str, list[int]]:
    """The clause with the quotes around short names taken out, and for each of its characters
    its place in the clause as written."""
    out: list[str] = []
    back: list[int] = []
    last = 0
    for m in _QUOTED_NAME.finditer(clause):
        if len(m.group(2).split()) > 3:
            continue
        out.append(clause[last:m.start()])
        back.extend(range(last, m.start()))
        out.append(m.group(2))
        back.extend(range(m.start(2), m.end(2)))
        last = m.end()
    out.append(clause[last:])
    back.extend(range(last, len(clause)))
    return "".join(out), back


def _split(text: str, separator: re.Pattern[str],
           pieces: Callable[[str, int], Iterator[tuple[str, int]]]) -> Iterator[tuple[str, int]]:
    """(piece, offset) of the text between separators, each further cut by ``pieces``."""
    position = 0
    for match in separator.finditer(text):
        yield from pieces(text[position:match.start()], position)
        position = match.end()
    yield from pieces(text[position:], position)


def _sentences(text: str) -> Iterator[tuple[str, int]]:
    return _split(text, _SENTENCE_SPLIT, _windows)


def _parts(sentence: str, offset: int) -> Iterator[tuple[str, int]]:
    """A sentence split at its commas, semicolons and contrasting conjunctions, outside brackets
    ("On my Mac (Apple Silicon, M2) it works, it crashes on linux" has two parts)."""
    position, depth, scanned = 0, 0, 0
    for match in _PART_SPLIT.finditer(sentence):
        between = sentence[scanned:match.start()]
        depth = max(0, depth + between.count("(") - between.count(")"))
        scanned = match.start()
        if depth == 0:
            yield sentence[position:match.start()], offset + position
            position = match.end()
    yield sentence[position:], offset + position


_WRAP = cached_compile(r"(?<=[^\n.!?:;])\n(?=[ \t]*[^\s\-*•>#|0-9])")


# code: the lines of a fenced block (``` or ~~~) that are not log lines, and any line with
# code's own operators; a log line starts with a time, a date or a level
_FENCE = cached_compile(r"(?m)^[ \t]*(?:```|~~~)")
_LOG_LINE = cached_compile(r"[ \t]*\[?(?:\d{1,4}[-/:.]\d|(?:TRACE|DEBUG|INFO|WARN|WARNING|ERROR)\b)")
_CODE_LINE = cached_compile(r"(?m)^.*?(?:[=!]==?[ \t]*['\"]|['\"][ \t]*[=!]==?|=>|\bcase[ \t]+['\"]).*$")


# a clause that asks, or states a requirement rather than the setup
_ASKED = cached_compile(r"\?\s*$|\b(?:you|we|i|it|app|one)\s+(?:will\s+|would\s+|also\s+)?(?:need|needs|must|should|have to|has to)\b"
                        r"|\b(?:is|are)\s+(?:required|needed)\b|\brequires?\b", re.I)

# a log line's socket, before the message it prints: "MEDIA>> {...}", "[media] -> {...}"
_MEDIA_PREFIX = cached_compile(r"\bmedia\b", re.I)
_SIGNALING_PREFIX = cached_compile(r"\bsig(?:nal(?:ing|ling)?)?\b", re.I)


def _ready_ack_on_media(text: str, value: Any, start: int) -> bool:
    """A CLIENT_READY_ACK (msg_type 7) that its log line shows going out on the media socket
    (the ack belongs on the signaling socket: the JSON alone would say signaling)."""
    if not isinstance(value, dict) or value.get("msg_type") != 7:
        return False
    prefix = text[text.rfind("\n", 0, start) + 1:start]
    return bool(_MEDIA_PREFIX.search(prefix)) and not _SIGNALING_PREFIX.search(prefix)


# "(not 13262)", "we don't get 2310", "other than 2310": the code named is not the one seen
_DENIED_BEFORE = cached_compile(r"(?:\b(?:not|never|no|except|other than|instead of|rather than)|n't)"
                                r"(?:\s+(?:get|gets|getting|got|see|saw|seeing|receive|received|an?|the|any|error|code|http))*"
                                r"[\s(:#]*$", re.I)


def _denied(clause: str, start: int) -> bool:
    """Whether a negation stands right before the code that starts at START."""
    return _DENIED_BEFORE.search(clause, max(0, start - 40), start) is not None


def _fence_pairs(text: str) -> list[tuple[int, int]]:
    """(opening, closing) positions of each fenced block's fences."""
    if "``" not in text and "~~" not in text:
        return []
    fences = [m.start() for m in _FENCE.finditer(text)]
    return list(zip(fences[::2], fences[1::2]))


def _code_lines(text: str) -> _Ranges:
    """Spans of the text that are code (see _FENCE, _CODE_LINE), sorted and disjoint."""
    spans: list[tuple[int, int]] = []
    for opening, closing in _fence_pairs(text):
        start = text.find("\n", opening) + 1
        while 0 < start < closing:
            end = text.find("\n", start)
            end = closing if end < 0 or end > closing else end
            if not _LOG_LINE.match(text, start):
                spans.append((start, end))
            start = end + 1
    if "=" in text or "case" in text:
        spans.extend(m.span() for m in _CODE_LINE.finditer(text))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return _Ranges([a for a, _ in merged], [b for _, b in merged])


def _unwrap(text: str) -> str:
    """Join hard-wrapped lines of a paragraph (same length, so offsets keep their lines); the
    lines of a fenced code block, its fences included, stay lines of their own."""
    fenced = _fenced(text)
    if not fenced:
        return _WRAP.sub(" ", text)
    return _WRAP.sub(lambda m: "\n" if fenced.holds(m.start()) else " ", text)


def _fenced(text: str) -> _Ranges | None:
    """From each opening fence's line start to the end of its closing fence's line."""
    pairs = _fence_pairs(text)
    if not pairs:
        return None
    starts, ends = [], []
    for opening, closing in pairs:
        end = text.find("\n", closing)
        starts.append(max(0, text.rfind("\n", 0, opening)))  # the line break before the fence too
        ends.append(len(text) if end < 0 else end + 1)
    return _Ranges(starts, ends)


def _clauses(text: str, cues: Cues) -> Iterator[tuple[str, int]]:
    return _split(text, _CLAUSE_SPLIT, lambda clause, offset: _spliced(clause, offset, cues))


def _spliced(clause: str, offset: int, cues: Cues) -> Iterator[tuple[str, int]]:
    """The clause split at its comma splices: two full clauses joined by a comma, each with
    its own negation (the cue words are in kb/ingest/phrases.yaml)."""
    position = 0
    for match, negated in _comma_ends(clause, cues):
        part = clause[position:match.start()]
        if (negated or cues.finite.search(part)) and not cues.subordinate.match(part):
            yield from _windows(part, offset + position)
            position = match.end()
    yield from _windows(clause[position:], offset + position)


_COMMA = cached_compile(r",[ \t]{0,4}")
_PART_BREAK = cached_compile(r"(?:,|:(?=\s))[ \t]{0,4}")  # comma parts, and a colon before white space
_LIST_GOES_ON = cached_compile(r"\s*(?:and|or|nor)\b|[^,]{0,200}?\b(?:or|nor)\b", re.I)


def _comma_ends(clause: str, cues: Cues) -> list[tuple[re.Match[str], bool]]:
    """Commas that may end a clause: before a new subject (a comma splice), or after a negated
    clause when what follows is not the rest of its list ("rtms_started never arrives, General
    app, webhook validated": the "never" stays in its own clause)."""
    found = {m.start(): (m, False) for m in cues.splice.finditer(clause)}
    if cues.negation.search(clause):
        previous = 0
        for m in _COMMA.finditer(clause):  # pos/endpos, not slices: linear on a huge clause
            if m.start() not in found and cues.negation.search(clause, previous, m.start()) \
                    and not _LIST_GOES_ON.match(clause, m.end()):
                found[m.start()] = (m, True)
            previous = m.end()
    return [found[k] for k in sorted(found)]


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


_BARE_KEY = cached_compile(r"([{,]\s*)([A-Za-z_][A-Za-z0-9_]*)\s*:")


def json_blocks(text: str) -> Iterator[tuple[int, Any, tuple[int, int]]]:
    """Every top-level JSON object or array embedded in text, with the line it starts on and
    its span. Also reads JavaScript console objects ({ msg_type: 2, reason: 'x' })."""
    decoder = json.JSONDecoder()
    position, attempts = 0, 0
    budget = [SCAN_BUDGET]
    line_starts: list[int] | None = None  # worked out once, at the first block (linear, not per block)
    # the next '{' and '[' at or after POSITION (which only grows): each looked for again only
    # once passed, not at every attempt (one bracket rare and far off: a scan to it per attempt)
    ahead = {opener: text.find(opener) for opener in "{["}
    while attempts < MAX_JSON_ATTEMPTS:
        for opener, at in ahead.items():
            if 0 <= at < position:
                ahead[opener] = text.find(opener, position)
        starts = [i for i in ahead.values() if i != -1]
        if not starts:
            break
        start = min(starts)
        attempts += 1
        value, end = _decode_at(decoder, text, start, budget)
        if value is not None and _deeper_than(value, MAX_JSON_DEPTH):
            position = end  # what reads a value recurses into it
            continue
        if value is not None and isinstance(value, (dict, list)) and value:
            if isinstance(value, list) and not any(isinstance(v, (dict, list)) for v in value):
                position = start + 1
                continue
            if line_starts is None:
                line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
            yield bisect_right(line_starts, start), value, (start, end)
            position = end
        else:
            position = max(start + 1, end)


def _deeper_than(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        node, level = stack.pop()
        if level > limit:
            return True
        if isinstance(node, dict):
            stack.extend((v, level + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, level + 1) for v in node)
    return False


_OPENERS = cached_compile(r"[\[{\s]*")


def _decode_at(decoder: json.JSONDecoder, text: str, start: int, budget: list[int]) -> tuple[Any, int]:
    """The value starting at start and where it ends; else None and where to look next."""
    try:
        return _raw_decode(decoder, text, start)
    except RecursionError:  # deeper than json goes: ~1,000 levels up to 3.12, ~8,000 on 3.13, where
        # trying each start inside this run of openers again costs seconds: skip the run
        return None, _OPENERS.match(text, start).end()
    except (json.JSONDecodeError, ValueError):  # ValueError: > 4,300-digit ints
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


_WINDOW = 4096  # characters first given to the decoder (grown while a failure may be the cut's)


def _raw_decode(decoder: json.JSONDecoder, text: str, start: int) -> tuple[Any, int]:
    """decoder.raw_decode(text, start) for a START at an opening bracket, raising what that
    raises when it fails, tried on a window from START: a failure on a big text costs the decoder a count of every line before
    it (the error's line number). A value decoded within the window decodes the same from the
    whole text (it ends with its bracket inside; the decoder looks ahead of a position only
    within the value). A failure is the whole text's too unless the cut may have caused it: an
    unterminated string, or an error in the last characters (a cut literal, number or escape)."""
    size = _WINDOW
    while start + size < len(text):
        try:
            value, end = decoder.raw_decode(text[start:start + size])
            return value, start + end
        except json.JSONDecodeError as exc:
            if exc.pos < size - 16 and not exc.msg.startswith("Unterminated string"):
                raise
        size *= 8
    return decoder.raw_decode(text, start)


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
