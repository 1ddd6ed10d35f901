"""Removes secrets and personal data at ingest, before anything is parsed or stored.

Redaction by design, not by keyword: every piece of text (raw input, JSON strings, fact values,
locators, labels, and again everything that leaves through engine/outlet.py) is untrusted.

- Keyed values: JSON values under secret-looking keys are replaced wholesale, and `name = value`
  pairs whose name is a secret word. Names are compared folded (NFKC, lookalike letters mapped to
  Latin, zero-width characters and soft hyphens gone, leetspeak accepted), so `ｓｅｃｒｅｔ`,
  `сlient_secret` (Cyrillic) and `s3cret` count.
- Shapes that are secret whatever their name: PEM blocks, JWTs, Bearer/Basic/Digest credentials,
  URL userinfo and every query value (parameter names are kept), and long opaque tokens
  (high-entropy runs, base64 and hex blobs, percent-encoded forms of them) wherever they stand,
  unless a label names them as an identifier (client id, app id, meeting uuid, stream id...),
  which the diagnosis needs and which are not secret.
- Personal data: e-mail addresses, also obfuscated (`at`/`dot`, `[at]`, `(at)`, `%40`, `＠`,
  IDN, `@localhost`, `@[IP]`), and phone numbers.
- Case-wide: a value masked anywhere in a case is remembered (`begin_case` starts a case) and
  scrubbed everywhere else in that case, at ingest and again at the outlet.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from itertools import accumulate
from contextvars import ContextVar
from typing import Any, Callable, Iterator
from urllib.parse import unquote

from ..regex_cache import cached_compile

REDACTED = "[redacted]"
EMAIL = "[email]"
PHONE = "[phone]"

# JSON keys whose values are secrets (compared lowercased, without - and _).
_SECRET_KEYS = cached_compile(
    r"(secret|password|passwd|pwd|token|signature|authorization|apikey|credential|"
    r"privatekey|customheadervalue|cookie|sessionkey|encryptedtoken|plaintoken|^sig$)"
)
_NOT_SECRET_KEYS = {"tokentype", "nextpagetoken", "custom_header_type", "customheadertype",
                    "secretsource", "signatureinput", "signaturesecret", "validationkey",
                    "tokenscopes", "tokenfromrtmsapp", "maxtokens"}

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # PEM blocks
    (cached_compile(r"-----BEGIN [A-Z ]+-----.*?-----END [A-Z ]+-----", re.S), REDACTED),
    # JWTs and bearer/basic credentials
    (cached_compile(r"eyJ(?<!\weyJ)[A-Za-z0-9_-]{5,8192}\.[A-Za-z0-9_-]{5,8192}\.[A-Za-z0-9_-]{0,8192}"), REDACTED),
    # (the credential holds a digit or a base64 sign: "Basic Information" is a portal page)
    (cached_compile(r"(?i)\b(bearer|basic|digest)(?:\s{1,12}|:\s{0,12}|%20)(?=[A-Za-z0-9._~+/=-]{0,8192}[0-9+/=])"
                r"[A-Za-z0-9._~+/=%-]{8,8192}"), r"\1 " + REDACTED),
    # name = value / name: value / "name": "value" for secret-looking names
    (cached_compile(r"""(?ix)
        (\b[\w.-]{0,40}(?:secret|password|passwd|token|signature|api[_-]?key|authorization|
              credential|private[_-]?key|x-zm-signature)[\w.-]{0,40}["']?\s{0,5}(?:[:=]|\bis\b|\bwas\b)\s{0,5}["']?)
        (?!\[redacted\])(?!(?:base64|hex|sha256|hmac|hmac-sha256|utf-8|invalid|correct|wrong|missing|empty|rs256|hs256)\b)
        (?![A-Za-z_$][\w$]{0,60}(?:\.[A-Za-z_$][\w$]{0,60}){0,8}\()  # a call: make_signature(...)
        (?![A-Za-z_$][\w$]{0,60}(?:\.[A-Za-z_$][\w$]{0,60}){1,8}(?![\w$.]))  # code: config.app.clientSecret
        ([^\s"',;)}\]]{6,4096})"""), r"\1" + REDACTED),
    # tokens in URL query strings
    (cached_compile(r"(?i)([?&](?:access_token|token|code|signature|sig|secret|key|api_key|password|auth)=)[^&#\s\"']+"), r"\1" + REDACTED),
    # user:password@ in URLs
    (cached_compile(r"(?i)(\b[a-z][a-z0-9+.-]{0,20}://)[^/\s:@]{1,128}:[^/\s@]{1,256}@"), r"\1" + REDACTED + "@"),
    # v0= webhook signatures and bare 64-hex HMAC digests
    (cached_compile(r"v0=(?<!\wv0=)[0-9a-fA-F]{16,512}"), "v0=" + REDACTED),
    (cached_compile(r"[0-9a-fA-F]{64}(?<!\w[0-9a-fA-F]{64})\b"), REDACTED),
    # e-mail addresses
    (cached_compile(r"\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}\b"), EMAIL),
]


_NAME_VALUE = 3  # index of the name = value pattern above

# secret words followed, a few words later, by an opaque value ("our secret token is now
# Ab3...", "password:\n hunter22x"): only values that look random (letters and digits) go.
_LOOSE = cached_compile(r"(?i)\b(secret(?:\s{0,3}token)?|password|passwd|access\s{0,3}token|refresh\s{0,3}token|api\s{0,3}key)"
                    r"\b([^.!?]{0,60}?)([A-Za-z0-9_\-+/=]{12,4096})")


def _loose(match: re.Match[str]) -> str:
    value = match.group(3)
    if any(c.isdigit() for c in value) and any(c.isalpha() for c in value):
        _remember(value)
        return match.group(1) + match.group(2) + REDACTED
    return match.group(0)


_KEYWORDS = cached_compile(r"(?i)secret|passw|token|signature|api[_-]?key|authorization|credential|private[_-]?key")
_KEYWORD_WORDS = ("secret", "passw", "token", "signature", "api", "authorization", "credential", "private")


def _near_keywords(pattern: re.Pattern[str], replacement: str, text: str) -> str:
    """Apply a pattern to each line holding a keyword together with the next line (a value
    may follow its name on the next line), leaving every other line as it is."""
    lines = text.split("\n")
    # a big paste that repeats its lines: whether a line holds a keyword, and what a pair of
    # lines becomes (and remembers), is worked out once per distinct line and pair; one whose
    # lines are mostly distinct (a log with timestamps): only the lines where a keyword's word
    # stands are looked at (the regex, with no literal to look for, is slow on every line)
    lowered = _lowered(text) if len(text) > _BIG and len(set(lines)) * 2 > len(lines) else None
    holds: dict[str, bool] = {}
    done: dict[tuple[str, str | None], list[str]] = {}
    sub = _recording(pattern, replacement)
    last = len(lines) - 1
    for i in range(len(lines)) if lowered is None else _keyword_lines(lowered):
        line = lines[i]  # as the pair before it left it
        held = holds.get(line)
        if held is None:
            held = holds[line] = _KEYWORDS.search(line) is not None
        if not held:
            continue
        following = lines[i + 1] if i < last else None
        out = done.get((line, following))
        if out is None:
            pair = line if following is None else line + "\n" + following
            out = done[(line, following)] = pattern.sub(sub, pair).split("\n", 1)
        lines[i] = out[0]
        if len(out) == 2:
            lines[i + 1] = out[1]
    return "\n".join(lines)


def _keyword_lines(lowered: str) -> list[int]:
    """The indexes, in order, of the lines of a big lowered text that hold a keyword word
    (a _KEYWORDS match holds one), found by searching the whole text for each word."""
    starts = [0] + [m.end() for m in _NEWLINE.finditer(lowered)]
    found: set[int] = set()
    for word in _KEYWORD_WORDS:
        i = lowered.find(word)
        while i >= 0:
            line = bisect_right(starts, i) - 1
            found.add(line)
            i = lowered.find(word, starts[line + 1] if line + 1 < len(starts) else len(lowered))
    return sorted(found)


_NEWLINE = cached_compile("\n")


# -- the case-wide secret set -------------------------------------------------------------------

_CASE: ContextVar[tuple[set[str], set[str]] | None] = ContextVar("rtms_doctor_case_secrets", default=None)
MIN_REMEMBERED = 8  # shorter masked values are not scrubbed case-wide (they may be ordinary words)


def begin_case() -> None:
    """Start a case: forget the secrets of the previous one."""
    _CASE.set((set(), set()))


def _sets() -> tuple[set[str], set[str]]:
    """(values scrubbed case-wide, every secret value masked in this case)."""
    found = _CASE.get()
    if found is None:
        found = (set(), set())
        _CASE.set(found)
    return found


def case_secrets() -> frozenset[str]:
    """The secret values masked in this case so far because something marked them secret (a
    key, a credential shape, a URL); empty: the case held none. Long opaque tokens masked
    only for their look (a meeting uuid in a log line) are not counted."""
    found = _CASE.get()
    return frozenset(found[0]) if found else frozenset()


def _remember(value: str, scrub_everywhere: bool = True) -> None:
    scrubbed, masked = _sets()
    for form in {value.strip(" \t\n\"'`,;"), unquote(value).strip(" \t\n\"'`,;")}:
        if len(form) >= MIN_REMEMBERED and "[redacted]" not in form and "\n" not in form and _opaque_enough(form):
            masked.add(form)
            if scrub_everywhere:
                scrubbed.add(form)


# a code reference: a dotted name (config.app.clientSecret), or a call, dotted or not, and what
# follows it (make_signature(...), Hex.encodeHexString(hmacSha256(secret, msg)))
_CODE_REF = cached_compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+\(?|[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*\(.*")


def _opaque_enough(value: str) -> bool:
    """A remembered value must look like a secret, not an ordinary word ('invalid'), a code
    reference (config.app.clientSecret, make_signature(...)) or a placeholder (********)."""
    if any(c.isspace() for c in value) or _CODE_REF.fullmatch(value):
        return False
    digits = any(c.isdigit() for c in value)
    letters = any(c.isalpha() for c in value)
    mixed = any(c.isupper() for c in value[1:]) and any(c.islower() for c in value)
    return (digits and letters) or (mixed and len(value) >= 12) or (letters and len(value) >= 20)


def scrub(text: str) -> str:
    """Every value remembered in this case, masked wherever it appears."""
    found = _CASE.get()
    if not found or not found[0]:
        return text
    for value in sorted(found[0], key=len, reverse=True):
        if value in text:
            text = text.replace(value, REDACTED)
    return text


def _recording(pattern: re.Pattern[str], replacement: str):  # type: ignore[no-untyped-def]
    """re.sub replacement that also remembers what it removed."""
    def sub(match: re.Match[str]) -> str:
        whole = match.group(0)
        out = match.expand(replacement)
        head = 0
        while head < min(len(whole), len(out)) and whole[head] == out[head]:
            head += 1
        tail = 0
        while tail < min(len(whole), len(out)) - head and whole[-1 - tail] == out[-1 - tail]:
            tail += 1
        _remember(whole[head:len(whole) - tail])
        return out
    return sub


# -- folding: what a name looks like, whatever letters it is written in ----------------------------

INVISIBLE = cached_compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u061c]")
# lookalike letters (Cyrillic, Greek) that NFKC leaves alone, mapped to the Latin letter they mimic
_CONFUSABLES = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j",
    "ԁ": "d", "ɡ": "g", "һ": "h", "к": "k", "м": "m", "н": "h", "т": "t", "в": "b", "ԛ": "q", "ԝ": "w",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "Х": "X", "У": "Y", "Ѕ": "S", "І": "I", "Ј": "J",
    "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
})


_NON_ASCII = cached_compile(r"[^\x00-\x7f]")


_FOLDED: dict[str, str] = {}


def _fold_char(char: str) -> str:
    folded = _FOLDED.get(char)
    if folded is None:
        folded = "" if INVISIBLE.match(char) else \
            unicodedata.normalize("NFKC", char).translate(_CONFUSABLES).lower()
        if len(_FOLDED) < 4096:
            _FOLDED[char] = folded
    return folded


class Where:
    """The index in the original text of each character of a folded one, kept as runs (one int
    per character of a big paste is what it saves): runs of ASCII keep their length, and the
    characters a non-ASCII one folds into all point to it. where[len(folded)] == len(text)."""

    __slots__ = ("starts", "origins", "steps")

    def __init__(self) -> None:
        self.starts: list[int] = []  # where each run starts in the folded text
        self.origins: list[int] = []  # ... and in the original
        self.steps: list[int] = []  # 1: one for one; 0: every character of the run from one

    def run(self, start: int, origin: int, step: int) -> None:
        self.starts.append(start)
        self.origins.append(origin)
        self.steps.append(step)

    def __getitem__(self, index: int) -> int:
        if index < 0:
            raise IndexError(index)
        k = bisect_right(self.starts, index) - 1
        return self.origins[k] + (index - self.starts[k]) * self.steps[k]


def fold(text: str) -> tuple[str, Where | None]:
    """(folded text, index of each folded character in the original; None = the same index).
    Folded: NFKC, lookalikes mapped to Latin, invisible characters removed, lowercased."""
    if text.isascii():
        return text.lower(), None
    # most non-ASCII text (typographic quotes, dashes, accents) folds one character to one; the
    # ASCII runs between keep their length when lowered: then every index stays where it was
    pieces = [(match.start(), _fold_char(match.group())) for match in _NON_ASCII.finditer(text)]
    out: list[str] = []
    last = 0
    for i, folded in pieces:
        out.append(text[last:i].lower())
        out.append(folded)
        last = i + 1
    out.append(text[last:].lower())
    if all(len(folded) == 1 for _, folded in pieces):
        return "".join(out), None
    where = Where()
    position = 0  # in the folded text
    last = 0
    for i, folded in pieces:
        if i > last:
            where.run(position, last, 1)
            position += i - last
        if folded:
            where.run(position, i, 0)
            position += len(folded)
        last = i + 1
    where.run(position, last, 1)  # the rest, and its end
    return "".join(out), where


def _spans_to_original(spans: list[tuple[int, int]], where: Where | None) -> list[tuple[int, int]]:
    if where is None:
        return spans
    return [(where[a], where[b - 1] + 1) for a, b in spans if b > a]


def _apply(text: str, spans: list[tuple[int, int]], replacement: str, remember: bool = True) -> str:
    """Replace the (merged) spans of text, remembering each value removed."""
    if not spans:
        return text
    out, last = [], 0
    for a, b in sorted(spans):
        if a < last:
            if b <= last:
                continue
            a = last
        out.append(text[last:a])
        if replacement != EMAIL and replacement != PHONE:
            _remember(text[a:b], scrub_everywhere=remember)
        out.append(replacement)
        last = b
    out.append(text[last:])
    return "".join(out)


# -- keyed values, names folded ------------------------------------------------------------------

_STRONG = ["secret", "password", "passwd", "passwort", "token", "signature", "passcode", "credential",
           "apikey", "api_key", "api-key", "authkey", "auth_key", "privatekey", "private_key", "cookie",
           "hmac", "zak", "whsec", "encryptedtoken", "sessionkey"]
_WEAK = ["pwd", "pass", "sig", "hash", "key", "sk", "tk", "auth", "salt", "nonce", "digest", "response"]
_NAME_CHARS = r"[\w.\[\]-]"
_FOLDED_KEY = cached_compile(
    r"(?<![\w])(?P<name>" + _NAME_CHARS + r"{0,40}?(?P<word>" + "|".join(_STRONG + _WEAK) + r")"
    + _NAME_CHARS + r"{0,40}?)"
    r"""(?P<sep>["'\]]?[ \t]{0,12}(?:[:=]>?|=>|->|→|\.{3,}|[ \t])[ \t]{0,12}(?:!!str\s+|&\w+\s+|b?["'`]{1,3})?)"""
    r"""(?P<value>[^\s"'`,;)}\]<>]{6,4096})""")
_KEY_WORDS = tuple(_STRONG + _WEAK)
_NOT_VALUES = cached_compile(r"(?i)^(?:base64|hex|sha256|sha1|md5|hmac|hmac-sha256|utf-?8|invalid|correct|wrong|missing|"
                         r"empty|rs256|hs256|none|null|true|false|required|expired|mismatch|failed|error|"
                         r"undefined|string|\[redacted.*|\[email.*|\[phone.*|\$\{?[\w:.-]+\}?|process\.env\.\w+|"
                         r"os\.environ.*|env\(.*|getenv.*|%[\w]+%)$")


_LEET = str.maketrans("431057$@", "aeiostsa")  # leetspeak undone, one character for one: indexes stay


def _keyed(text: str) -> str:
    folded, where = fold(text)
    leet = folded.translate(_LEET)  # leetspeak undone
    if where is not None or len(text) <= _BIG:
        spans = _keyed_spans(text, where, _finditer_near(_FOLDED_KEY, leet, _KEY_WORDS, blank_lines=True))
    else:  # a big paste repeats its lines: each distinct region (see _finditer_near) is judged once
        spans = []
        judged: dict[str, list[tuple[int, int]]] = {}
        for start, end in _regions(leet, _KEY_WORDS, 0, blank_lines=True):
            region = text[start:end]  # folded one for one: it decides the folded region too
            found = judged.get(region)
            if found is None:
                matches = _FOLDED_KEY.finditer(leet, start, end)
                found = judged[region] = [(a - start, b - start) for a, b in _keyed_spans(text, None, matches)]
            spans.extend([(start + a, start + b) for a, b in found])
    return _apply(text, _spans_to_original(spans, where), REDACTED)


def _keyed_spans(text: str, where: Where | None, matches: Iterator[re.Match[str]]) -> list[tuple[int, int]]:
    """The (folded) spans of the values of MATCHES (of _FOLDED_KEY in the folded TEXT) that are secret."""
    spans = []
    for match in matches:
        a, b = match.span("value")
        value = text[where[a]:where[b - 1] + 1] if where else text[a:b]
        strong = match.group("word").replace("4", "a").replace("3", "e").replace("0", "o").replace("1", "i") \
            .replace("5", "s").replace("7", "t").replace("$", "s").replace("@", "a")
        name = match.group("name")
        if _NOT_VALUES.match(value) or value.lower() in _ID_VALUES or _is_id_name(name) or _CODE_REF.fullmatch(value):
            continue
        weak = not any(w in strong for w in ("secre", "passw", "passc", "token", "signa", "credent", "apikey", "api_key",
                                              "authkey", "auth_key", "privat", "cookie", "hmac", "zak", "whsec"))
        if match.group("sep").strip() == "" or match.group("sep").strip() in (",",) or weak:
            if not (_looks_opaque(value.strip("=")) or (re.fullmatch(r"[A-Za-z0-9_+=-]{8,}", value)
                                                         and any(c.isdigit() for c in value)
                                                         and any(c.isalpha() for c in value))):
                continue
        spans.append((a, b))
    return spans


_ID_VALUES = {"client_credentials", "authorization_code", "account_credentials", "refresh_token"}


def _is_id_name(name: str) -> bool:
    return bool(re.search(r"(?:^|[^a-z])(?:id|uuid|type|name|url|uri|path|file|expires?_in|length|count|header_type|"
                          r"source|scopes?)$", name)) or name in ("nextpagetoken", "next_page_token", "token_type")


# -- URLs: userinfo and every query value go -------------------------------------------------------

_URL = cached_compile(r"(?i)\b([a-z][a-z0-9+.-]{1,20}://)([^\s/?#@\"'<>`]{1,256}@)?([^\s?#\"'<>`]*)(\?[^\s#\"'<>`]*)?")
_PATH_QUERY = cached_compile(r"(?<![\w?&=])(/[\w./%-]*)(\?[^\s#\"'<>`]*)")
_FORM = cached_compile(r"(?<![\w/?&=%.-])((?:[\w.\[\]-]{1,64}=[^\s&=\"'<>`]*&){1,40}[\w.\[\]-]{1,64}=[^\s&\"'<>`]*)")
_PAIR = cached_compile(r"([?&;]?)([^=&;]*)(=?)([^&;]*)")


def _query(query: str) -> str:
    """'?a=1&b=2' -> '?a=[redacted]&b=[redacted]' (names kept, values gone)."""
    out = []
    for lead, name, eq, value in _PAIR.findall(query):
        if not (lead or name or eq or value):
            continue
        if eq and value and value != REDACTED:
            _remember(value)
            value = REDACTED
        out.append(f"{lead}{name}{eq}{value}")
    return "".join(out)


def _url(match: re.Match[str]) -> str:
    scheme, userinfo, rest, query = match.group(1), match.group(2), match.group(3), match.group(4)
    if userinfo:
        _remember(userinfo[:-1].split(":", 1)[-1])
        userinfo = REDACTED + "@"
    return scheme + (userinfo or "") + rest + (_query(query) if query else "")


def _urls(text: str) -> str:
    if "://" in text:
        text = _sub_near(_URL, _url, text, ("://",))
    if "?" in text:
        text = _sub_near(_PATH_QUERY, lambda m: m.group(1) + _query(m.group(2)), text, ("?",))
    if "&" in text:
        text = _sub_near(_FORM, lambda m: _query(m.group(1)), text, ("&",))
    return text


# -- opaque tokens wherever they stand -------------------------------------------------------------

_CANDIDATE = cached_compile(r"(?<![A-Za-z0-9+/_%~-])[A-Za-z0-9+/_%~-]{14,8192}={0,3}")
_HEX = cached_compile(r"[0-9a-fA-F]{32,}")
_UUID = cached_compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_ID_LABEL = cached_compile(
    r"(?:\b(?:client|app|sdk|account|acct|user|meeting|webinar|session|stream|rtms[\s_-]?stream|engagement|request|"
    r"trace|tracking|correlation|operator|host|participant|device|message|msg|event|instance|installation|"
    r"subscription|channel|topic|room|conference|zoom|bot|recording|registrant|contact|org|tenant|workspace)"
    r"[\s_-]?(?:id|uuid|ids|key|number|num|no)"
    r"|\b(?:uuid|meeting|stream|app|client|account|user|webinar|engagement|sdkkey|appkey|clientid|accountid|userid|"
    r"meetingid|streamid|meetinguuid|appid)"
    r"|id)\s{0,3}[\"'`]?\s{0,3}(?:[:=]|is|:=|=>|\s)?\s{0,3}[\"'`(\[]?\s{0,2}$", re.I)


_ID_PATH = cached_compile(r"(?:meetings|webinars|users|sessions|streams|apps|accounts|past_meetings|recordings|"
                      r"registrants|participants|rooms)/$")


def _classes(value: str) -> int:
    return (any(c.islower() for c in value) + any(c.isupper() for c in value) + any(c.isdigit() for c in value))


def _transitions(value: str) -> int:
    kinds = ["d" if c.isdigit() else "u" if c.isupper() else "l" if c.islower() else "o" for c in value]
    return sum(1 for a, b in zip(kinds, kinds[1:]) if a != b)


def _looks_opaque(value: str) -> bool:
    """High-entropy: random letters and digits, not a word, an identifier name or a number."""
    core = value.strip("=_-~")
    if len(core) < 14 or _UUID.fullmatch(core):
        return False
    if _HEX.fullmatch(core):
        return any(c.isdigit() for c in core) and any(c.isalpha() for c in core)
    letters_digits = re.sub(r"[^A-Za-z0-9]", "", core)
    if len(letters_digits) < 14:
        return False
    # identifier-like: words joined by _ or - (snake_case, kebab-case, CONSTANT_CASE)
    parts = [p for p in re.split(r"[_\-/+.~]", core) if p]
    if all(p.islower() or p.isupper() or p.isdigit() or (p[:1].isupper() and p[1:].islower()) for p in parts) \
            and len(parts) > 1:
        return False
    n = len(letters_digits)
    upper = sum(c.isupper() for c in letters_digits)
    lower = sum(c.islower() for c in letters_digits)
    digits = n - upper - lower
    turns = _transitions(letters_digits)
    if digits == n or (upper == 0 and digits == 0) or (lower == 0 and digits == 0):
        return False
    if _classes(letters_digits) == 3:
        return turns >= max(5, n // 5)
    if digits and (lower or upper):  # one case of letters and digits (base32, lowercase tokens)
        return n >= 20 and turns >= max(6, n // 4)
    # letters only, mixed case: camelCase has a capital per word (under a quarter of the
    # letters), random text about as many capitals as small letters
    if n < 20 or min(upper, lower) < n * 0.2:
        return False
    if min(upper, lower) >= n * 0.3 and turns >= n // 3:
        return True
    runs = re.findall(r"[a-z]+", letters_digits)
    if len(re.findall(r"[A-Z](?=[A-Z])", letters_digits)) >= 2 and sum(map(len, runs)) / len(runs) <= 4:
        return True
    # a quarter capitals but never two in a row ("NdHndalNlCnkcfsuFsUoaqh"): words have vowels
    # (camelCase names about 40 %, "XMLHttpRequestHandler" 20 % but no one-letter word), random
    # letters few, and lone small letters between capitals
    vowels = sum(c in "aeiouAEIOU" for c in letters_digits)
    return vowels < n * 0.3 and sum(len(run) == 1 for run in runs) >= 2


def _opaque_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    # a big paste repeats its tokens and their labels: each distinct one is judged once
    judged: dict[str, tuple[list[tuple[int, int]], bool]] = {}
    labelled: dict[str, bool] = {}
    for match in _CANDIDATE.finditer(text):
        value = match.group(0)
        found = judged.get(value)
        if found is None:
            found = judged[value] = _opaque_parts(value)
        parts, by_label = found
        for a, b in parts:
            start, end = match.start() + a, match.start() + b
            if by_label:
                line_start = text.rfind("\n", 0, start) + 1
                before = text[max(line_start, start - 48):start]
                is_id = labelled.get(before)
                if is_id is None:
                    is_id = labelled[before] = _labelled_id(before)
                if is_id:
                    continue
            spans.append((start, end))
    return spans


def _opaque_parts(value: str) -> tuple[list[tuple[int, int]], bool]:
    """The parts of a candidate token (offsets in it) that look opaque, and whether a label
    before each may still name it an identifier (not so for a percent-encoded token)."""
    if "%" in value:
        decoded = unquote(value)
        pieces = re.split(r"[\s.]+", decoded)
        if any(_looks_opaque(p) for p in pieces) or _looks_opaque(decoded.replace(".", "")):
            return [(0, len(value))], False
        return [], False
    if "/" not in value or ("+" in value and value.endswith("=")) or _looks_opaque(value.replace("/", "")) \
            and not re.search(r"/[a-z_]{3,}/", value):
        parts = [(0, len(value))]  # one token (base64 holds '/')
    else:  # a path: judge each segment
        parts, offset = [], 0
        for segment in value.split("/"):
            parts.append((offset, offset + len(segment)))
            offset += len(segment) + 1
    return [(a, b) for a, b in parts if b - a >= 14 and _looks_opaque(value[a:b])], True


def _labelled_id(before: str) -> bool:
    """Whether the text before a token (on its line) labels it an identifier, not a secret."""
    folded, _ = fold(before)
    return bool(_ID_LABEL.search(folded) or _ID_PATH.search(folded)) and \
        not re.search(r"(?i)(?:secret|token|password|signature)\W{0,4}$", folded)


def _opaque(text: str) -> str:
    # not remembered: the same token after an identifier label elsewhere is an identifier
    return _apply(text, _line_spans(text, _opaque_spans), REDACTED, remember=False)


def _repeated_lines(text: str) -> tuple[list[str], list[str]] | None:
    """(its lines, its distinct lines) for a big text that repeats at least half of its lines,
    where working on each distinct line once pays; else None."""
    if len(text) <= _BIG:
        return None
    lines = text.split("\n")
    distinct = list(dict.fromkeys(lines))
    return (lines, distinct) if len(distinct) * 2 <= len(lines) else None


def _line_spans(text: str, spans_of: Callable[[str], list[tuple[int, int]]]) -> list[tuple[int, int]]:
    """spans_of(text) for a finder whose spans each lie within a line and depend on that line
    alone (a line break reads as the start or end of the text): on a big text, worked out once
    per distinct line (a big paste repeats its lines) and placed at every line that holds them."""
    repeated = _repeated_lines(text)
    if repeated is None:
        return spans_of(text)
    lines, distinct = repeated
    found = spans_of("\n".join(distinct))
    if not found:
        return []
    starts = list(accumulate((len(line) + 1 for line in distinct), initial=0))
    in_line: dict[str, list[tuple[int, int]]] = {}
    for a, b in found:
        k = bisect_right(starts, a) - 1
        in_line.setdefault(distinct[k], []).append((a - starts[k], b - starts[k]))
    spans = []
    offset = 0
    for line in lines:
        relative = in_line.get(line)
        if relative:
            spans += [(offset + a, offset + b) for a, b in relative]
        offset += len(line) + 1
    return spans


# -- personal data ---------------------------------------------------------------------------------

_EMAIL_PLAIN = cached_compile(
    r"(?<![\w.%+-])(?:mailto:)?[\w.%+-]{1,64}(?:@|%40)"
    r"(?:localhost\b|\[[0-9a-f.:]{3,45}\]|[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}\.[^\W\d_]{2,24}\b)")
_EMAIL_SPELLED = cached_compile(
    r"(?<![\w.+-])[\w.+-]{1,64}(?:\s?\[at\]\s?|\s?\(at\)\s?|\s?\{at\}\s?|\s+at\s+)"
    r"[\w-]{1,63}(?:(?:\.|\s?\[dot\]\s?|\s?\(dot\)\s?|\s+dot\s+)[\w-]{1,63}){0,8}"
    r"(?:\.|\s?\[dot\]\s?|\s?\(dot\)\s?|\s+dot\s+)[^\W\d_]{2,24}\b")
_PHONE_RUN = cached_compile(r"[+(]?\d[\d ().+-]{7,30}")
_SPELLED_MARK = cached_compile(r"\[at\]|\(at\)|\{at\}|\sdot\s|\[dot\]|\(dot\)")
_SPELLED_WORDS = ("[at]", "(at)", "{at}", "dot")  # every _SPELLED_MARK match holds one


def spelled_mark(folded: str) -> bool:
    """Whether folded text holds an obfuscated e-mail's mark ([at], (at), {at}, dot), looked
    for where its words stand, as the pattern has no literal prefix to search a big text by."""
    for word in _SPELLED_WORDS:
        i = folded.find(word)
        while i >= 0:
            # a match holds the word with at most one character either side (the pattern has no
            # anchors, so a window around each occurrence finds what a whole-text search finds)
            if _SPELLED_MARK.search(folded, max(0, i - 1), i + len(word) + 1):
                return True
            i = folded.find(word, i + 1)
    return False


_PHONES = cached_compile(
    r"(?<![\w+.-])(?:\+\d{1,3}[\s.-]?(?:\(0\)[\s.-]?)?\(?\d{1,4}\)?(?:[\s.-]\d{2,5})+"
    r"|00\d{1,3}\s\d{1,4}(?:\s\d{2,8})+"
    r"|\(\d{3}\)\s?\d{3}[\s.-]\d{4}"
    r"|\d{3}\.\d{3}\.\d{4}"
    r"|\d{3}-\d{3}-\d{4})(?![\w.-]*\d)")


def _personal(text: str) -> str:
    folded, where = fold(text)
    spans = _spans_near(_EMAIL_PLAIN, folded, ("@", "%40")) if "@" in folded or "%40" in folded else []
    if spelled_mark(folded):
        for match in _EMAIL_SPELLED.finditer(folded):
            found = match.group(0)
            # "x at y.com" in prose needs a bracketed at or a spelled-out dot to count
            if any(mark in found for mark in ("[at]", "(at)", "{at}", " dot ", "[dot]", "(dot)")):
                spans.append(match.span())
    if spans:
        text = _apply(text, _spans_to_original(spans, where), EMAIL)
    return _apply(text, _line_spans(text, _phone_spans), PHONE)


def _phone_spans(text: str) -> list[tuple[int, int]]:
    """Phone numbers; each within a line (a run holds no line break, and the lookbehind reads
    a line break as the start of the text)."""
    spans = []
    for run in _PHONE_RUN.finditer(text):  # cheap: runs of digits and phone punctuation first
        spans += [m.span() for m in _PHONES.finditer(text, run.start(), run.end())
                  if sum(c.isdigit() for c in m.group(0)) >= 9]
    return spans


_MEMO: ContextVar[tuple[Any, dict[tuple[str, bool], tuple[str, int, int]]] | None] = \
    ContextVar("rtms_doctor_redacted", default=None)
_MEMO_CHARS = 4096  # longer texts are not looked up (a whole paste comes once)
# entries per case: once full, nothing more is added. A 10 MB paste uses ~3,000; batch cleans
# its summary rows as one case, whose distinct case names would otherwise hold 50,000 entries
# (~10 MB) at the end of a long run, against batch's flat-memory target
_MEMO_MAX = 4_096


# "line 123", the locator of each value read from a text's line (one per line of a big paste):
# nothing in it is secret or personal. It holds no keyword, no URL, query, '@', '=' or spelled
# mark, no run of 14 token characters and at most 8 digits (a phone number has 9 or more); and
# no remembered value lies in it, as one has no white space and 8 characters or more, so would
# be digits alone, which _opaque_enough never lets in (tests/test_redact_big.py checks both)
_LINE_LOCATOR = cached_compile(r"line [0-9]{1,8}")


def redact_text(text: str, opaque: bool = True) -> str:
    """Text with every secret and personal datum masked (opaque=False keeps long tokens: a
    value the input labels as an identifier, such as a client id).

    The same short text (a value, a locator) comes again and again in a case: its result is
    kept for the case and given again while the case's secret sets have not grown since. The
    result depends on the text and the set scrubbed at the end, and sets only grow within a
    case: the same sizes are the same sets, and a second run would remember nothing new."""
    if len(text) > _MEMO_CHARS:
        return _redact_text(text, opaque)
    if len(text) <= 13 and _LINE_LOCATOR.fullmatch(text):
        return text
    scrubbed, masked = _sets()
    case = _CASE.get()
    memo = _MEMO.get()
    if memo is None or memo[0] is not case:  # a new case: its own memo (holding the case keeps its identity)
        memo = (case, {})
        _MEMO.set(memo)
    kept = memo[1].get((text, opaque))
    if kept is not None and kept[1] == len(scrubbed) and kept[2] == len(masked):
        return kept[0]
    out = _redact_text(text, opaque)
    if len(memo[1]) < _MEMO_MAX or kept is not None:
        memo[1][(text, opaque)] = (out, len(scrubbed), len(masked))
    return out


def _redact_text(text: str, opaque: bool) -> str:
    for index, (pattern, replacement) in enumerate(_PATTERNS):
        if index == _NAME_VALUE:  # costly per position: only on lines that hold a keyword
            text = _near_keywords(pattern, replacement, text)
        elif index in _LINE_LOCAL or index == len(_PATTERNS) - 1:
            continue  # line by line, next; e-mail addresses: with the obfuscated forms below
        else:
            text = _sub(index, pattern, _recording(pattern, replacement), text)
    text = _per_distinct_line(text, [_pattern_step(index) for index in _LINE_LOCAL])
    text = _sub_at_words(_LOOSE, _loose, text, ("secret", "passw", "access", "refresh", "api"))
    text = _keyed(text)
    text = _per_distinct_line(text, [_urls])
    if opaque:
        text = _opaque(text)
    text = _personal(text)
    return scrub(text)


# the last patterns before the e-mail pattern, which change each line on its own (query tokens,
# URL userinfo, webhook signatures, HMAC digests): a match holds no line break, its lookarounds
# read one as the start or end of the text, and its replacement holds none
_LINE_LOCAL = (4, 5, 6, 7)


def _pattern_step(index: int) -> Callable[[str], str]:
    pattern, replacement = _PATTERNS[index]
    return lambda text: _sub(index, pattern, _recording(pattern, replacement), text)


def _per_distinct_line(text: str, steps: list[Callable[[str], str]]) -> str:
    """STEPS applied in turn to TEXT, for steps that change each line on its own and remember
    what its matches alone tell: on a big text, applied once to its distinct lines (a big paste
    repeats its lines), each line then given what its first occurrence became."""
    def run(text: str) -> str:
        for step in steps:
            text = step(text)
        return text

    repeated = _repeated_lines(text)
    if repeated is None:
        return run(text)
    lines, distinct = repeated
    out = run("\n".join(distinct)).split("\n")
    if len(out) != len(distinct):  # never: no replacement holds a line break
        return run(text)
    done = dict(zip(distinct, out))
    return "\n".join([done[line] for line in lines])


def redact_shapes(text: str) -> str:
    """The outlet's pass over what the tool writes, which mixes the knowledge base's own text
    (commands such as `-H "Authorization: Bearer $TOKEN"`, URLs with `?grant_type=...`) with
    values read from the input, already redacted at ingest: only what is secret by its shape
    (PEM, JWT, credentials after Bearer/Basic, known token parameters, URL userinfo, webhook
    signatures, HMAC digests), personal data, and every value masked anywhere in this case."""
    return scrub(_shapes_and_personal(text))


def _shapes_and_personal(text: str) -> str:
    """redact_shapes without its final scrub."""
    for index, (pattern, replacement) in enumerate(_PATTERNS):
        if index != _NAME_VALUE and index != len(_PATTERNS) - 1:
            text = _sub(index, pattern, _recording(pattern, replacement), text)
    return _personal(text)


def shapes_apart(text: str) -> tuple[str, bool]:
    """(redact_shapes(text) without its final scrub, whether it remembered any value). The
    values it masks are added to this case's secret set, as redact_shapes adds them; the flag
    tells the outlet whether a line it saw unchanged is clean in any case (outlet._by_line)."""
    token = _CASE.set((set(), set()))
    try:
        done = _shapes_and_personal(text)
        scrubbed, masked = _CASE.get()  # type: ignore[misc]
    finally:
        _CASE.reset(token)
    if scrubbed or masked:
        case_scrubbed, case_masked = _sets()
        case_scrubbed |= scrubbed
        case_masked |= masked
    return done, bool(scrubbed or masked)


def shapes_apart_lines(text: str) -> tuple[str, bool]:
    """shapes_apart(text) for a text whose lines the patterns read apart (the caller has
    checked that no match can run across a line break: outlet._by_line), each distinct line
    worked out once. A big report repeats its lines (the redacted copy of a pasted log); each
    line comes out as it would alone, and a repeated line's matches, so the values they
    remember, are those of its first occurrence."""
    lines = text.split("\n")
    distinct = list(dict.fromkeys(lines))
    if len(distinct) == len(lines):
        return shapes_apart(text)
    done, remembered = shapes_apart("\n".join(distinct))
    out = done.split("\n")
    if len(out) != len(distinct):  # never: no replacement holds a line break
        return shapes_apart(text)
    cleaned = dict(zip(distinct, out))
    return "\n".join([cleaned[line] for line in lines]), remembered


# -- big texts: a pattern runs only on the lines where it can match --------------------------------
# Exact: each pattern below needs one of its words in every match, and a match reaches at most
# AFTER lines past the line of that word (blank_lines: any blank lines, then one line), so the
# regions hold every match whole; a region starts and ends at a line break, which the patterns'
# edge assertions (\b, (?<![...])) read as they read the start and end of a text.

_BIG = 1 << 14  # smaller texts are matched whole
# the pattern index in _PATTERNS -> (words, lines after): URL userinfo stays on its line (the
# credential after Bearer, which may follow up to 12 line breaks, is matched where its word starts)
_PATTERN_WORDS = {5: (("://",), 0)}


def _lowered(text: str) -> str | None:
    """text.lower(), index for index, in which an ASCII word occurs wherever a case-insensitive
    pattern can match it; None when the text holds a letter that (?i) matches but lower() does
    not map (\u0130 and \u0131 for i, \u017f for s; \u0130 also changes the length)."""
    if "\u0130" in text or "\u0131" in text or "\u017f" in text:
        return None
    return text.lower()


def _regions(lowered: str, words: tuple[str, ...], after: int = 0, blank_lines: bool = False) -> list[tuple[int, int]]:
    """Merged (start, end) spans of whole lines (without the last line break): every line that
    holds one of WORDS, with the lines after it that a match may reach (each such line its own
    reach, also one inside another's reach). Two ways to the same spans: many words (most lines
    hold one) are looked for line by line, a few by searching the text for each."""
    if len(words) > 4:
        return _regions_by_line(lowered, words, after, blank_lines)
    return _regions_by_word(lowered, words, after, blank_lines)


def _regions_by_line(lowered: str, words: tuple[str, ...], after: int, blank_lines: bool) -> list[tuple[int, int]]:
    """_regions asking each distinct line once whether it holds a word (a big paste repeats its lines)."""
    lines = lowered.split("\n")
    before = list(accumulate(map(len, lines), initial=0))  # line i starts at before[i] + i
    last = len(lines) - 1
    holds: dict[str, bool] = {}
    found: list[tuple[int, int]] = []
    for i, line in enumerate(lines):
        hit = holds.get(line)
        if hit is None:
            hit = holds[line] = any(word in line for word in words)
        if not hit:
            continue
        j = i + min(after, last - i)  # the last line a match may reach
        if blank_lines:  # then any blank lines and the line after them
            while j < last:
                j += 1
                if lines[j].strip():
                    break
        found.append((before[i] + i, before[j + 1] + j))
    return _merged(found)


def _regions_by_word(lowered: str, words: tuple[str, ...], after: int, blank_lines: bool) -> list[tuple[int, int]]:
    """_regions searching the text for each word, once per line that holds it."""
    found: list[tuple[int, int]] = []
    for word in words:
        i = lowered.find(word)
        while i >= 0:
            start = lowered.rfind("\n", 0, i) + 1
            line_end = end = lowered.find("\n", i)
            lines = after
            while end >= 0 and (lines > 0 or blank_lines):
                following = lowered.find("\n", end + 1)
                if blank_lines and lines <= 0:
                    line = lowered[end + 1:following if following >= 0 else len(lowered)]
                    end = following
                    if line.strip():
                        break
                    continue
                end = following
                lines -= 1
            found.append((start, len(lowered) if end < 0 else end))
            i = -1 if line_end < 0 else lowered.find(word, line_end)  # the next line that holds it
    found.sort()
    return _merged(found)


def _merged(found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans merged where they overlap."""
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _sub(index: int, pattern: re.Pattern[str], replacement: Any, text: str) -> str:
    if index == _CREDENTIAL:
        return _sub_at_words(pattern, replacement, text, ("bearer", "basic", "digest"))
    if index in _PATTERN_WORDS and len(text) > _BIG:
        words, after = _PATTERN_WORDS[index]
        return _sub_near(pattern, replacement, text, words, after)
    return pattern.sub(replacement, text)


_CREDENTIAL = 2  # index of the Bearer/Basic/Digest pattern in _PATTERNS


def _sub_at_words(pattern: re.Pattern[str], replacement: Callable[[re.Match[str]], str], text: str,
                  words: tuple[str, ...]) -> str:
    """pattern.sub(replacement, text) for a case-insensitive pattern whose every match starts
    with one of WORDS: on a big text, tried only where a word starts (in order, each from the
    end of the last match, as sub goes), however far a match then reaches."""
    lowered = _lowered(text) if len(text) > _BIG else None
    if lowered is None:
        return pattern.sub(replacement, text)
    starts = set()
    for word in words:
        i = lowered.find(word)
        while i >= 0:
            starts.add(i)
            i = lowered.find(word, i + 1)
    out, last = [], 0
    for i in sorted(starts):
        if i < last:
            continue
        match = pattern.match(text, i)
        if match:
            out.append(text[last:i])
            out.append(replacement(match))
            last = match.end()
    out.append(text[last:])
    return "".join(out)


def _sub_near(pattern: re.Pattern[str], replacement: Any, text: str, words: tuple[str, ...], after: int = 0) -> str:
    """pattern.sub(replacement, text), run on a big text only where WORDS stand."""
    lowered = _lowered(text) if len(text) > _BIG else None
    if lowered is None:
        return pattern.sub(replacement, text)
    out, last = [], 0
    for start, end in _regions(lowered, words, after):
        out.append(text[last:start])
        out.append(pattern.sub(replacement, text[start:end]))
        last = end
    out.append(text[last:])
    return "".join(out)


def _spans_near(pattern: re.Pattern[str], text: str, words: tuple[str, ...]) -> list[tuple[int, int]]:
    """[m.span() for m in pattern.finditer(text)] for a pattern that stays on one line, on a big
    lowercase TEXT only where WORDS stand."""
    return [m.span() for m in _finditer_near(pattern, text, words)]


def _finditer_near(pattern: re.Pattern[str], text: str, words: tuple[str, ...],
                   blank_lines: bool = False) -> Iterator[re.Match[str]]:
    """pattern.finditer(text) on an already lowercase TEXT, on a big one only where WORDS stand
    (the matches keep their positions in TEXT)."""
    if len(text) <= _BIG:
        yield from pattern.finditer(text)
        return
    for start, end in _regions(text, words, 0, blank_lines):
        yield from pattern.finditer(text, start, end)


def _is_secret_key(key: str) -> bool:
    folded = fold(key)[0].replace("-", "").replace("_", "")
    if folded in _NOT_SECRET_KEYS or key.lower() in _NOT_SECRET_KEYS:
        return False
    return bool(_SECRET_KEYS.search(folded))


def _is_id_key(key: str) -> bool:
    folded = fold(key)[0]
    return bool(re.search(r"(?:^|_|-)(?:id|uuid|ids)$|[a-z]Id$|^(?:sdk_?key|app_?key|client_?key)$", key)) or \
        folded in ("uuid", "id", "clientid", "appid", "sdkkey", "appkey", "meetinguuid", "streamid", "accountid",
                   "userid", "meetingid", "rtmsstreamid", "operatorid", "engagementid", "sessionid")


def redact_json(value: Any) -> Any:
    """A copy of parsed JSON with secret values replaced and every string pattern-redacted.
    Two passes: the values under secret keys are remembered first, so that the same value
    elsewhere in the document (a URL, a message) is scrubbed too."""
    _collect(value)
    return _redact_json(value)


def _collect(value: Any) -> None:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, item in node.items():
                if isinstance(item, str) and item and _is_secret_key(str(key)):
                    _remember(item)
                elif isinstance(item, (dict, list)):
                    stack.append(item)
        elif isinstance(node, list):
            stack.extend(n for n in node if isinstance(n, (dict, list)))


def _redact_json(value: Any, opaque: bool = True) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            key_text = redact_text(str(key))
            if _is_secret_key(str(key)) and isinstance(item, str) and item:
                out[key_text] = REDACTED
            elif _is_secret_key(str(key)) and isinstance(item, list):
                out[key_text] = [REDACTED if isinstance(v, str) and v else _redact_json(v) for v in item]
            else:
                out[key_text] = _redact_json(item, not _is_id_key(str(key)))
        return out
    if isinstance(value, list):
        return [_redact_json(item, opaque) for item in value]
    if isinstance(value, str):
        return redact_text(value, opaque)
    return value
