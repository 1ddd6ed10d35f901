"""text.json_blocks looks for the next '{' and '[' again only once its position has passed
them: the blocks it yields must be those of looking for both at every attempt."""
from __future__ import annotations

import json
import re
from bisect import bisect_right

from hypothesis import given, settings
from hypothesis import strategies as st

from rtms_doctor.ingest import text as T


def _blocks_each_attempt(text: str):  # type: ignore[no-untyped-def]
    """json_blocks as it reads, with both brackets looked for at every attempt."""
    decoder = json.JSONDecoder()
    position, attempts = 0, 0
    budget = [T.SCAN_BUDGET]
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    while attempts < T.MAX_JSON_ATTEMPTS:
        starts = [i for i in (text.find("{", position), text.find("[", position)) if i != -1]
        if not starts:
            break
        start = min(starts)
        attempts += 1
        value, end = T._decode_at(decoder, text, start, budget)
        if value is not None and T._deeper_than(value, T.MAX_JSON_DEPTH):
            position = end
            continue
        if value is not None and isinstance(value, (dict, list)) and value:
            if isinstance(value, list) and not any(isinstance(v, (dict, list)) for v in value):
                position = start + 1
                continue
            yield bisect_right(line_starts, start), value, (start, end)
            position = end
        else:
            position = max(start + 1, end)


PIECES = ["{", "}", "[", "]", '{"a": 1}', "[1, 2]", '[{"b": [3]}]', "{ msg_type: 2, reason: 'x' }", "{a: [1, 2,]}",
          '"', "'", ":", ",", " ", "\n", "x", "[[", "]]", "{{", "}}", '{"c": {"d": null}}', "[]", "{}", "\\"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=60))
def test_blocks_as_when_both_brackets_are_looked_for_each_time(pieces):
    text = "".join(pieces)
    assert list(T.json_blocks(text)) == list(_blocks_each_attempt(text))


def test_one_bracket_far_off():
    text = "{x " * 300 + "y" * 5000 + '[{"a": 1}] and {"b": [2]} then [' + "z" * 3000 + '{"c": 3}'
    assert list(T.json_blocks(text)) == list(_blocks_each_attempt(text))
    assert [value for _, value, _ in T.json_blocks(text)] == [[{"a": 1}], {"b": [2]}, {"c": 3}]
