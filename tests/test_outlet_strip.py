"""outlet.strip_controls returns a text that holds no control character and no carriage return
as it is, without running its substitutions: it must be what the substitutions give."""
from __future__ import annotations

import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from rtms_doctor import outlet


def _substituted(text: str) -> str:
    """strip_controls as it was: the substitutions on every text."""
    if text.isascii() and text.isprintable():
        return text
    text = outlet._SEQUENCES.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return outlet._CONTROLS.sub("", text)


def test_every_sequence_starts_with_a_control_character():
    # what the shortcut rests on: a character that is no control starts no sequence
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if outlet._CONTROLS.match(char) is None:
            assert outlet._SEQUENCES.match(char + "[0m]P\x07\\") is None, hex(code)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \n\t\r[]0;m\\é—\u00a0\u2028\x1b\x9b\x90\x9d\x07\x9c\x00\x7f\u202e\u200f")),
               max_size=60))
def test_strip_controls_is_the_substitutions(text):
    assert outlet.strip_controls(text) == _substituted(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_strip_controls_on_any_text(text):
    assert outlet.strip_controls(text) == _substituted(text)
