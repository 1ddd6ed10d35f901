"""On a big paste the redactor runs some patterns only on the lines that hold their words
(engine/ingest/redact.py, "big texts"): what it masks must be exactly what the patterns masked
on the whole text."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rtms_doctor.ingest import redact

ROOT = Path(__file__).resolve().parents[1]

# pieces near what the patterns match, their words split over lines too
PIECES = ["Bearer", "basic", "DIGEST", ":", " ", "\n", "\n\n", "\t", "abc123XYZ789", "Ab3dEf5gH7jK9mN1pQ", "=",
          "https://", "user:p4ss@host.example", "/v2/users?token=abc&x=1", "a=1&b=2", "?", "&", "://",
          "secret", "Secret Token", "password", "access\ntoken", "refresh token", "api key", "API_KEY",
          "client_secret", "token", "sk", "key", "pass", "!!str", "&anchor", "'", '"', "x@y.io", "x%40y.io",
          "\u0131", "\u017f", "\u0130", "K", "\u0455ecret", "s3cr3t", "eyJhbGciOi.eyJzdWIiOjE.c2ln", "weyJx",
          "v0=0123456789abcdef0123", "0123456789abcdef" * 4, "private_key", "signature", "is", "was", "was:",
          "0x", "+1 415 555 0134", "é", "…", "config.app.clientSecret"]


def both(text: str) -> tuple[tuple[str, frozenset[str]], tuple[str, frozenset[str]]]:
    out = []
    for big in (1 << 40, 0):  # matched whole; matched by regions
        old = redact._BIG
        redact._BIG = big
        try:
            redact.begin_case()
            masked = redact.redact_text(text)
            shapes = redact.redact_shapes(text)
            out.append((masked + "\x00" + shapes, redact.case_secrets()))
        finally:
            redact._BIG = old
    return out[0], out[1]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=80))
def test_regions_mask_what_the_whole_text_masks(pieces):
    whole, regions = both("".join(pieces))
    assert regions == whole


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "tests/fixtures/secrets").glob("*.*")))
def test_regions_on_the_secret_corpus(name):
    text = (ROOT / "tests/fixtures/secrets" / name).read_text(encoding="utf-8")
    whole, regions = both(text + "\n" + text)
    assert regions == whole


@pytest.mark.parametrize("text", [
    "intro\nAuthorization: Bearer\n\n\nabc123XYZ789\nend",  # the credential lines after its name
    "Digest:\n  Ab3dEf5gH7jK9mN1pQ=",
    "client_secret: !!str\n\n   Ab3dEf5gH7jK9mN1pQ\n",  # a YAML value lines after its key
    "token: &anchor\n\n\n Ab3dEf5gH7jK9mN1pQ\n",
    "our secret token\n\n\nwas changed to Ab3dEf5gH7jK9mN1pQ yesterday",
    "see https://user:p4ssw0rd@proxy.example:3128 and /api?token=abc&x=1 and a=1&b=2",
    "write to x (at) example dot com or x%40example.com",
    "\u017fecret = Ab3dEf5gH7jK9mN1pQ\nBEARER abc123XYZ789\u0131",
])
def test_regions_on_values_away_from_their_names(text):
    whole, regions = both(text)
    assert regions == whole
    assert regions[0] != text + "\x00" + text  # something was masked


def _near_keywords_each_line(pattern, replacement, text):  # type: ignore[no-untyped-def]
    """redact._near_keywords as it reads: every line, each pair of lines worked out anew."""
    lines = text.split("\n")
    sub = redact._recording(pattern, replacement)
    for i in range(len(lines)):
        if redact._KEYWORDS.search(lines[i]):
            pair = lines[i] + "\n" + lines[i + 1] if i + 1 < len(lines) else lines[i]
            out = pattern.sub(sub, pair).split("\n", 1)
            lines[i] = out[0]
            if len(out) == 2:
                lines[i + 1] = out[1]
    return "\n".join(lines)


def _near_keywords_both(text: str) -> tuple[tuple[str, frozenset[str]], tuple[str, frozenset[str]]]:
    """(every line, each pair once), the latter also as on a big text (lines mostly distinct:
    only the lines where a keyword's word stands), which must give the same."""
    pattern, replacement = redact._PATTERNS[redact._NAME_VALUE]
    out = []
    for near, big in ((_near_keywords_each_line, 1 << 40), (redact._near_keywords, 1 << 40), (redact._near_keywords, 0)):
        old = redact._BIG
        redact._BIG = big
        try:
            redact.begin_case()
            out.append((near(pattern, replacement, text), frozenset(redact._sets()[1])))
        finally:
            redact._BIG = old
    assert out[2] == out[1]
    return out[0], out[1]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=10).map("".join), min_size=1, max_size=8),
       st.lists(st.integers(0, 7), max_size=30))
def test_near_keywords_once_per_distinct_pair(lines, order):
    # lines that repeat, a value on the line after its name, a pair whose second line is
    # itself a keyword line that the first pair changed
    text = "\n".join(lines + [lines[i % len(lines)] for i in order])
    each, once = _near_keywords_both(text)
    assert once == each


@pytest.mark.parametrize("text", [
    "secret:\nAb3dEf5gH7jK9mN1pQ\nsecret:\nAb3dEf5gH7jK9mN1pQ",
    "password =\ntoken = Ab3dEf5gH7jK9mN1pQ\npassword =\ntoken = Zx9Qw8Er7Ty6Ui5Op",
    "api_key:\n\u017fecret = Ab3dEf5gH7jK9mN1pQ\napi_key:\n\u017fecret = Ab3dEf5gH7jK9mN1pQ\n",
    "TOKEN is\nTOKEN is\nTOKEN is\nabc123XYZ789", "x\n" * 3 + "client_secret=abc123XYZ789\n" * 3,
    "a secret:\nb token:\nc password =\nAb3dEf5gH7jK9mN1pQ\nd", "\u017fecret = Ab3dEf5gH7jK9mN1pQ\nx",
])
def test_near_keywords_on_chained_pairs(text):
    each, once = _near_keywords_both(text)
    assert once == each


@pytest.mark.parametrize("opaque", [True, False])
def test_line_locators_are_what_redaction_makes_of_them(opaque):
    # redact_text gives a "line N" locator back as it is, without running the patterns
    redact.begin_case()
    for name in sorted(p.name for p in (ROOT / "tests/fixtures/secrets").glob("*.*")):  # a case full of secrets
        redact.redact_text((ROOT / "tests/fixtures/secrets" / name).read_text(encoding="utf-8"))
    redact.redact_text("id 12345678 secret=12345678 token: 1234567890123 password 99999999")
    assert redact.case_secrets()
    numbers = list(range(0, 2000)) + [10 ** k - 1 for k in range(1, 9)] + [4155550134, 12345678]
    numbers += [int("".join(str((i * 7 + k) % 10) for k in range(8))) for i in range(200)]
    for n in numbers:
        text = f"line {n}"
        assert redact._redact_text(text, opaque) == text
        assert redact.redact_text(text, opaque) == text
    for digits in ("12345678", "00000000", "99999999", "1234567890"):  # what no case can remember
        assert not redact._opaque_enough(digits)
