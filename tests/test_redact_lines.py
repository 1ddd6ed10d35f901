"""The redactor's shortcuts for big texts must give what the plain passes give: the folded
text's run-length position map, the obfuscated-mark search by its words, and the outlet's
pass over a report's distinct lines."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rtms_doctor.ingest import redact

FOLD_PIECES = ["a", "Secret", " ", "\n", "\u2026", "\ufb01", "\u200b", "\u00ad", "\u0455", "\uff53", "\u00e9",
               "K", "\u0130", "x" * 20, "\u2192", "[at]", " dot ", "(dot)"]


def reference_where(text: str) -> list[int]:
    """One index per folded character (and the end), as fold built them before the runs."""
    where: list[int] = []
    for i, char in enumerate(text):
        where.extend([i] * len(redact._fold_char(char) if not char.isascii() else char.lower()))
    return where + [len(text)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FOLD_PIECES), max_size=40))
def test_fold_positions_are_each_characters_origin(pieces):
    text = "".join(pieces)
    folded, where = redact.fold(text)
    expected = reference_where(text)
    assert len(folded) + 1 == len(expected)
    got = list(range(len(text) + 1)) if where is None else [where[i] for i in range(len(folded) + 1)]
    assert got == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["x", " ", "\n", "\t", "at", "dot", "[", "]", "(", ")", "{", "}", "[at]",
                                 "(dot)", "ado", "dott", "a"]), max_size=30))
def test_spelled_mark_finds_what_the_pattern_finds(pieces):
    folded = "".join(pieces)
    assert redact.spelled_mark(folded) == bool(redact._SPELLED_MARK.search(folded))


LINES = ["plain words", "Authorization: Bearer abc123XYZ789=", "mail x@y.io now", "+1 415 555 0134",
         "see https://user:p4ss@host.example/x", "/v2/users?token=abc&x=1", "", "eyJhbGciOi.eyJzdWIiOjE.c2ln",
         "v0=0123456789abcdef0123", "0123456789abcdef" * 4, "caf\u00e9 \u2026", "x%40example.com"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(LINES), max_size=40))
def test_distinct_lines_give_the_whole_texts_result(lines):
    text = "\n".join(lines)
    redact.begin_case()
    whole = redact.shapes_apart(text), redact.case_secrets()
    redact.begin_case()
    apart = redact.shapes_apart_lines(text), redact.case_secrets()
    assert apart == whole


REGION_PIECES = ["bearer", "key", "sk", "api", "secret", " ", "x", "\n", "\n\n", "  \n", "\t", "token", "://", "?"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(REGION_PIECES), max_size=60), st.sampled_from([0, 1, 3, 13, 64]), st.booleans(),
       st.sampled_from([("bearer", "basic", "digest"), ("://",), redact._KEY_WORDS, ("secret", "api", "key", "sk", "x")]))
def test_regions_by_line_and_by_word_agree(pieces, after, blank_lines, words):
    text = "".join(pieces)
    assert redact._regions_by_line(text, words, after, blank_lines) == \
        redact._regions_by_word(text, words, after, blank_lines)


def test_a_word_inside_another_words_reach_has_its_own_reach():
    # the second Bearer's credential lies 12 line breaks after it, past the first one's reach
    text = "x" * (redact._BIG + 1) + "\nBearer\n\nBearer" + "\n" * 12 + "abc123XYZ789\nend"
    redact.begin_case()
    assert "abc123XYZ789" not in redact.redact_text(text)
    assert "abc123XYZ789" not in redact.redact_shapes(text)
    text = "x" * (redact._BIG + 1) + "\ntoken: !!str\n\nsecret: !!str\n\n\n Ab3dEf5gH7jK9mN1pQ\nend"
    assert "Ab3dEf5gH7jK9mN1pQ" not in redact.redact_text(text)


TOKEN_LINES = ["client_id: Ab3dEf5gH7jK9mN1pQ", "Ab3dEf5gH7jK9mN1pQ", "secret Ab3dEf5gH7jK9mN1pQ", "+1 415 555 0134",
               "call (415) 555-0134 now", "meetings/Ab3dEf5gH7jK9mN1pQ/x", "a%2Fb%3DAb3dEf5gH7jK9mN1pQxyz", "",
               "ts 2026-11-02 10:00:01.123", "/v2/x/Zx9Yw8Vu7Ts6Rq5Po4Nm", "plain words here", "00 44 20 7946 0958"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKEN_LINES), max_size=40), st.sampled_from(["_opaque_spans", "_phone_spans"]))
def test_spans_per_distinct_line_are_the_whole_texts(lines, finder):
    text = "\n".join(lines)
    spans_of = getattr(redact, finder)
    old = redact._BIG
    redact._BIG = 0
    try:
        assert redact._line_spans(text, spans_of) == spans_of(text)
    finally:
        redact._BIG = old


def test_a_kept_result_follows_the_case_secrets():
    redact.begin_case()
    assert redact.redact_text("ref XyZ12345abc") == "ref XyZ12345abc"
    assert "XyZ12345abc" not in redact.redact_text("password = XyZ12345abc")
    assert redact.redact_text("ref XyZ12345abc") == "ref [redacted]"  # masked since: not the kept result
    redact.begin_case()
    assert redact.redact_text("ref XyZ12345abc") == "ref XyZ12345abc"  # a new case forgets


MEMO_TEXTS = ["ref XyZ12345abc", "password = XyZ12345abc", "line 12", "token: Ab3dEf5gH7jK9mN1pQ",
              "client_id Ab3dEf5gH7jK9mN1pQ", "Ab3dEf5gH7jK9mN1pQ", "x@y.io", "Bearer abc123XYZ789", "plain"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(MEMO_TEXTS), st.booleans()), max_size=30))
def test_kept_results_are_what_redacting_again_gives(calls):
    def run(chars: int) -> tuple[list[str], frozenset[str]]:
        old = redact._MEMO_CHARS
        redact._MEMO_CHARS = chars
        try:
            redact.begin_case()
            return [redact.redact_text(text, opaque) for text, opaque in calls], redact.case_secrets()
        finally:
            redact._MEMO_CHARS = old
    assert run(4096) == run(-1)


URL_LINES = ["see https://user:p4ss@host.example/x?token=abc&y=2", "/v2/users?token=abc&x=1", "a=1&b=2&c=3",
             "v0=0123456789abcdef0123", "0123456789abcdef" * 4, "x" + "0123456789abcdef" * 4, "",
             "GET /api?access_token=Zx9Yw8Vu7Ts6Rq5Po4Nm", "plain", "ftp://a:b@c/d?e=f#g"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(URL_LINES), max_size=40))
def test_line_steps_on_distinct_lines_are_the_whole_texts(lines):
    text = "\n".join(lines)
    steps = [redact._pattern_step(index) for index in redact._LINE_LOCAL] + [redact._urls]

    def whole(text: str) -> str:
        for step in steps:
            text = step(text)
        return text

    redact.begin_case()
    expected = whole(text), redact.case_secrets()
    old = redact._BIG
    redact._BIG = 0
    try:
        redact.begin_case()
        assert (redact._per_distinct_line(text, steps), redact.case_secrets()) == expected
    finally:
        redact._BIG = old
