"""text._raw_decode tries the decoder on a window of a big text first: its outcome (value and
end, or the kind of failure) must be what the decoder gives on the whole text."""
from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from rtms_doctor.ingest import text as text_module

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12)
NOISE = ["{", "[", "]", "}", ",", ":", '"', "\\", "\\u12", "\\ud83d", "\\ude00", "tru", "nul", "-Inf", "1.", "1e",
         " ", "\n", "x", "'a'", "a: 1", "\u2026", "9" * 30]


def outcome(call):  # type: ignore[no-untyped-def]
    try:
        return ("value", *call())
    except json.JSONDecodeError:
        return ("error", "decode")
    except (ValueError, RecursionError) as exc:
        return ("error", type(exc).__name__)


@settings(max_examples=600, deadline=None)
@given(values, st.lists(st.sampled_from(NOISE), max_size=6), st.integers(0, 400), st.integers(0, 400),
       st.sampled_from([1, 17, 18, 24, 40, 64]))
def test_window_decodes_as_the_whole_text(value, noise, cut, insert, window):
    body = json.dumps({"v": value, "w": [value]})
    body = body[:insert] + "".join(noise) + body[insert:]
    text = "[" + body[:len(body) - cut % (len(body) + 1)] + "] tail " + body
    decoder = json.JSONDecoder()
    old = text_module._WINDOW
    text_module._WINDOW = window
    try:
        # json_blocks decodes from an opening bracket only
        for start in [i for i, char in enumerate(text) if char in "{["][:6]:
            assert outcome(lambda: text_module._raw_decode(decoder, text, start)) == \
                outcome(lambda: decoder.raw_decode(text, start))
    finally:
        text_module._WINDOW = old
