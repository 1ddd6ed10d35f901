"""Removes secrets and personal data at ingest, before anything is parsed or stored.

Two layers: JSON values under secret-looking keys are replaced wholesale, and every piece of
text (raw input, JSON strings, fact values) goes through pattern redaction. What is removed
never reaches a fact, a source label or an output.
"""
from __future__ import annotations

import re
from typing import Any

REDACTED = "[redacted]"
EMAIL = "[email]"

# JSON keys whose values are secrets (compared lowercased, without - and _).
_SECRET_KEYS = re.compile(
    r"(secret|password|passwd|pwd|token|signature|authorization|apikey|credential|"
    r"privatekey|customheadervalue|cookie|sessionkey|encryptedtoken|plaintoken|^sig$)"
)
_NOT_SECRET_KEYS = {"tokentype", "nextpagetoken", "custom_header_type", "customheadertype",
                    "secretsource", "signatureinput", "signaturesecret", "validationkey",
                    "tokenscopes", "tokenfromrtmsapp", "maxtokens"}

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # PEM blocks
    (re.compile(r"-----BEGIN [A-Z ]+-----.*?-----END [A-Z ]+-----", re.S), REDACTED),
    # JWTs and bearer/basic credentials
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,8192}\.[A-Za-z0-9_-]{5,8192}\.[A-Za-z0-9_-]{0,8192}"), REDACTED),
    (re.compile(r"(?i)\b(bearer|basic)\s{1,5}[A-Za-z0-9._~+/=-]{8,8192}"), r"\1 " + REDACTED),
    # name = value / name: value / "name": "value" for secret-looking names
    (re.compile(r"""(?ix)
        (\b[\w.-]{0,40}(?:secret|password|passwd|token|signature|api[_-]?key|authorization|
              credential|private[_-]?key|x-zm-signature)[\w.-]{0,40}["']?\s{0,5}(?:[:=]|\bis\b|\bwas\b)\s{0,5}["']?)
        (?!\[redacted\])(?!(?:base64|hex|sha256|hmac|hmac-sha256|utf-8|invalid|correct|wrong|missing|empty|rs256|hs256)\b)
        ([^\s"',;)}\]]{6,4096})"""), r"\1" + REDACTED),
    # tokens in URL query strings
    (re.compile(r"(?i)([?&](?:access_token|token|code|signature|sig|secret|key|api_key|password|auth)=)[^&#\s\"']+"), r"\1" + REDACTED),
    # user:password@ in URLs
    (re.compile(r"(?i)(\b[a-z][a-z0-9+.-]{0,20}://)[^/\s:@]{1,128}:[^/\s@]{1,256}@"), r"\1" + REDACTED + "@"),
    # v0= webhook signatures and bare 64-hex HMAC digests
    (re.compile(r"\bv0=[0-9a-fA-F]{16,512}"), "v0=" + REDACTED),
    (re.compile(r"\b[0-9a-fA-F]{64}\b"), REDACTED),
    # e-mail addresses
    (re.compile(r"\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}\b"), EMAIL),
]


_NAME_VALUE = 3  # index of the name = value pattern above

# secret words followed, a few words later, by an opaque value ("our secret token is now
# Ab3...", "password:\n hunter22x"): only values that look random (letters and digits) go.
_LOOSE = re.compile(r"(?i)\b(secret(?:\s{0,3}token)?|password|passwd|access\s{0,3}token|refresh\s{0,3}token|api\s{0,3}key)"
                    r"\b([^.!?]{0,60}?)([A-Za-z0-9_\-+/=]{12,4096})")


def _loose(match: re.Match[str]) -> str:
    value = match.group(3)
    if any(c.isdigit() for c in value) and any(c.isalpha() for c in value):
        return match.group(1) + match.group(2) + REDACTED
    return match.group(0)


_KEYWORDS = re.compile(r"(?i)secret|passw|token|signature|api[_-]?key|authorization|credential|private[_-]?key")


def _near_keywords(pattern: re.Pattern[str], replacement: str, text: str) -> str:
    """Apply a pattern to each line holding a keyword together with the next line (a value
    may follow its name on the next line), leaving every other line as it is."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if _KEYWORDS.search(line):
            pair = line + "\n" + lines[i + 1] if i + 1 < len(lines) else line
            done = pattern.sub(replacement, pair).split("\n", 1)
            lines[i] = done[0]
            if len(done) == 2:
                lines[i + 1] = done[1]
    return "\n".join(lines)


def redact_text(text: str) -> str:
    for index, (pattern, replacement) in enumerate(_PATTERNS):
        if index == _NAME_VALUE:  # costly per position: only on lines that hold a keyword
            text = _near_keywords(pattern, replacement, text)
        else:
            text = pattern.sub(replacement, text)
    return _LOOSE.sub(_loose, text)


def _is_secret_key(key: str) -> bool:
    folded = key.lower().replace("-", "").replace("_", "")
    if folded in _NOT_SECRET_KEYS or key.lower() in _NOT_SECRET_KEYS:
        return False
    return bool(_SECRET_KEYS.search(folded))


def redact_json(value: Any) -> Any:
    """A copy of parsed JSON with secret values replaced and every string pattern-redacted."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            key_text = redact_text(str(key))
            if _is_secret_key(str(key)) and isinstance(item, str) and item:
                out[key_text] = REDACTED
            elif _is_secret_key(str(key)) and isinstance(item, list):
                out[key_text] = [REDACTED if isinstance(v, str) and v else redact_json(v) for v in item]
            else:
                out[key_text] = redact_json(item)
        return out
    if isinstance(value, list):
        return [redact_json(item) for item in value]
    if isinstance(value, str):
        return redact_text(value)
    return value
