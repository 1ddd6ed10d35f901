"""The outlet's line-by-line pass (outlet._by_line, with its cache of lines known clean) gives
exactly what the whole-text pass gives: the same text and the same values remembered in the
case's secret set, on the secrets corpora, the post and shape fixtures, texts that put a
secret's parts on two lines, and random texts; a second pass over the same text (its clean
lines now cached) too."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rtms_doctor import outlet
from rtms_doctor.ingest import redact

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TEXTS = sorted(p for kind in ("secrets", "secrets_independent", "posts", "shapes")
               for p in (FIXTURES / kind).rglob("*") if p.is_file())
ACROSS_LINES = [
    "Authorization: Bearer\nabcdef12345678", "Basic \n dXNlcjpwYXNzd29yZDEyMw==", "use digest:\n\tQWxhZGRpbjEyMzQ1",
    "write to bob\nat example dot com", "bob [at] example.com", "bob at example\ndot com",
    "x\x1b]0;title\nmore\x07y", "a\r\nb", "-----BEGIN PRIVATE KEY-----\nMIIEv12345\n-----END PRIVATE KEY-----",
    "call +1 415 555 0100\nnow", "?token=abc123def\nnext", "https://user:pa55word@example.com/x\nhttps://ok",
    "plain line\nanother plain line\n", "café — naïve ＠ line\nｓｅｃｒｅｔ=Ab3dEf9hIj2kLm",
]
# a secret's parts in two table cells, or a bar inside a value
ACROSS_CELLS = [
    "| `x` | Bearer | abcdef12345678 |", "| a | ?token=abc123|def456 | b |", "?token=abc123 | def456",
    "| https://user | pa55word@example.com |", "https://us|er:pa55word@example.com | x", "bob | [at] example.com",
    "bob [at] example | dot com", "| +1 415 | 555 0100 |", "+1 415 555 0100 | 2", "| eyJabcdef.ghijkl | .mnopqr |",
    "v0= | " + "a" * 64, "| " + "f" * 64 + " | " + "e" * 64 + " |", "Basic: | dXNlcjpwYXNzd29yZDEyMw==",
    "bob@ | example.com", "| bob@example.com | x |", "a |  | b | | c", " | ", "|||", "x | y\ny | x",
    "-----BEGIN KEY----- | abc | -----END KEY-----", "| mail bob at example\u00a0|\u00a0dot com |",
]


def _whole(text: str) -> tuple[str, frozenset[str], frozenset[str]]:
    redact.begin_case()
    out = redact.redact_shapes(outlet.strip_controls(text)).encode("utf-8", "replace").decode("utf-8")
    return out, redact.case_secrets(), frozenset(redact._sets()[1])


def _lines(text: str) -> tuple[str, frozenset[str], frozenset[str]]:
    redact.begin_case()
    out = outlet.clean(text)
    return out, redact.case_secrets(), frozenset(redact._sets()[1])


def _same(text: str) -> None:
    expected = _whole(text)
    assert _lines(text) == expected
    assert _lines(text) == expected  # again, its clean lines now cached


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_cleaned_as_a_whole(path: Path) -> None:
    _same(path.read_text(encoding="utf-8", errors="replace"))


@pytest.mark.parametrize("text", ACROSS_LINES)
def test_values_split_across_lines(text: str) -> None:
    _same(text)


@pytest.mark.parametrize("text", ACROSS_CELLS)
def test_values_split_across_table_cells(text: str) -> None:
    _same(text)
    for cell in text.replace("\n", " | ").split(" | "):  # each cell already seen (and cached) alone
        outlet.clean(cell)
    _same(text)


@pytest.mark.parametrize("text", ACROSS_LINES)
def test_secret_known_to_the_case_is_scrubbed_from_cached_lines(text: str) -> None:
    line = "the value Zx9Qw8Er7Ty6 came back"
    outlet.clean(line)  # cached as clean while no case knows it
    redact.begin_case()
    redact._remember("Zx9Qw8Er7Ty6")
    assert "Zx9Qw8Er7Ty6" not in outlet.clean(text + "\n" + line)


_PIECES = st.sampled_from(["Bearer", "basic", "Digest", ":", " ", "\n", "\t", "at", "dot", "[at]", "(dot)", "@",
                           "example.com", "bob", "token=", "?", "&", "https://", "u:p@", "v0=", "eyJ", ".",
                           "Ab3dEf9hIj2kLm0pQ", "a" * 64, "f" * 64, "+1 415 555 0100", "\x1b[31m", "\r", "ＡＢ", "ı",
                           "-----BEGIN KEY-----", "-----END KEY-----", "secret", "=", "%40", "Kelvin\u212a",
                           " | ", "|", "| `", "` |"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_random_texts_cleaned_as_a_whole(text: str) -> None:
    _same(text)


_CREDENTIAL_PIECES = st.sampled_from(["Bearer", "BASIC", "dIgEsT", "bearer", "basic", "digest", ":", "::", " ", "\t",
                                      "\n", "\u00a0", "\u2028", "\u3000", "\x0b", "x", "Basics", "ſ", "ı", "İ", "K"])


@settings(max_examples=500, deadline=None)
@given(st.lists(_CREDENTIAL_PIECES, max_size=12).map("".join))
def test_credential_word_at_a_line_end_is_found_as_the_regex_finds_it(text: str) -> None:
    lowered = redact._lowered(text)
    if lowered is not None:  # _by_line uses the regex itself when there is no lowered form
        assert outlet._ends_in_credential_word(lowered) == bool(outlet._JOINT_CREDENTIAL.search(text))


@pytest.mark.parametrize("text", ACROSS_CELLS + ACROSS_LINES)
def test_repeated_lines_cleaned_as_a_whole(text: str) -> None:
    # _by_line works out each distinct line once: a line that comes again, after others and
    # in another order, comes out as it does from the whole-text pass
    lines = text.split("\n")
    _same("\n".join(lines + ["| x | y |"] + lines[::-1] + lines))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_PIECES, max_size=8).map("".join), min_size=1, max_size=6),
       st.lists(st.integers(0, 5), max_size=20))
def test_random_repeated_lines_cleaned_as_a_whole(lines: list[str], order: list[int]) -> None:
    _same("\n".join(lines + [lines[i % len(lines)] for i in order]))
