"""The prose scans searched through their anchor words (engine/ingest/anchored.py) must find
exactly what the patterns find on the whole text: the same spans and groups, first match and
every match, on text built to trip them (words across line ends, runs of white space before a
line start, mixed case, letters (?i) folds onto ASCII ones)."""
from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rtms_doctor.ingest import text as T
from rtms_doctor.ingest import anchored as anchored_module
from rtms_doctor.ingest.anchored import Anchored, lowered

SCANS = [anchored for anchored, _ in T._SDK_LANGUAGE_AT] + [T._INSTALL_FAILED_AT, T._NODE_VERSION_LINE_AT]

PIECES = ["pip", "PIP", "pip3", "Pip install", "install", "add", "-U", "--upgrade", "rtms", "RTMS", "rtmsx",
          "python", "Python3", "-m", "poetry", "uv", "UV", "import rtms", "IMPORT RTMS", "from rtms import",
          "From", "from", "npm", "NPM", "i", "yarn", "pnpm", "@zoom/rtms", "@ZOOM/RTMS", "require(", "require (",
          "'", '"', ")", "-g", "--save", "No matching distribution found for rtms", "Could not find a version "
          "that satisfies the requirement rtms", "npm ERR!", "gyp ERR!", "prebuild-install warn",
          "prebuild-install err", "EBADPLATFORM", "Unsupported platform for @zoom/rtms", "node", "nodejs",
          "Node", "--version", "-v", "v18.17.1", "20.1.0", "x", "_", ".", " ", "  ", "\t", "\n", "\n\n", " \n ",
          "\r\n", "\u00a0", "\u2028", "\u0130", "\u0131", "\u017f", "\u212a", "n\u0131", "\u017fatisfies", "é"]


def same(anchored: Anchored, text: str) -> None:
    lower = lowered(text)
    def key(m):  # type: ignore[no-untyped-def]
        return None if m is None else (m.span(), m.groups())
    assert key(anchored.search(text, lower)) == key(anchored.pattern.search(text))
    assert [key(m) for m in anchored.finditer(text, lower)] == [key(m) for m in anchored.pattern.finditer(text)]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=60))
def test_anchored_scans_find_what_the_patterns_find(pieces):
    text = "".join(pieces)
    for anchored in SCANS:
        same(anchored, text)


def test_anchored_scans_on_random_joins():
    rng = random.Random(14)
    for _ in range(3000):
        pieces = [rng.choice(PIECES) for _ in range(rng.randint(0, 40))]
        for sep in ("", " ", "\n"):
            text = sep.join(pieces)
            for anchored in SCANS:
                same(anchored, text)


@pytest.mark.parametrize("text", [
    "pip\ninstall\n  rtms",  # a match across line ends
    "  \n\n \t import rtms\nok",  # the line start the ^\s* branch starts at, white space before it
    "x  \n \nimport rtms", "x import rtms", "x\n   from rtms import y", "\u00a0\nimport rtms",
    "then uv pip install rtms", "then UV  pip add -U rtms", "python3 -m pip install rtms", "poetry add rtms",
    "pip3 install --upgrade rtms", "yarn add @zoom/rtms", "pnpm add @zoom/rtms", "npm i @zoom/rtms",
    "No matching distribution found for rtms", "gyp ERR! x", "EBADPLATFORM", "prebuild-install err",
    "npm   install -g  --save @zoom/rtms", "const r = require( '@zoom/rtms' )", "import x from '@zoom/rtms'",
    "NODE -V\n  v18.2.0 and node --version\nv20.1.1", "nodenode -v\n1.2.3", "node -v\nv1.2.3node -v\n4.5.6",
    "\u212aeep: npm ERR! x @zoom/rtms", "npm ERR! x\n@zoom/rtms gyp ERR!",
    "\u0131mport rtms", "P\u0130P install rtms", "\u017fatisfies", "pip in\u017ftall rtms",  # searched whole
])
def test_anchored_scans_on_edges(text):
    for anchored in SCANS:
        same(anchored, text)
        same(anchored, "prefix " * 3000 + "\n" + text)  # far into a big text


def test_lowered_refuses_letters_lower_does_not_map():
    assert lowered("ABC\u212a") == "abck"
    for odd in ("\u0130", "\u0131", "\u017f"):
        assert lowered("x" + odd) is None


@pytest.mark.parametrize("text", ["from '@zoom/rtms' " * 200, "node -v\nv18.1.2\n" * 200, "pip install rtms\n" * 200,
                                  "x " * 50 + "import rtms"])
def test_dense_words_searched_by_the_regex(monkeypatch, text):
    # words standing closer than one per WORD_SPACING characters: the regex scans the text
    for spacing in (100, 10 ** 9):  # the words tried; too many of them to try
        monkeypatch.setattr(anchored_module, "WORD_SPACING", spacing)
        for anchored in SCANS:
            same(anchored, text)


def test_finditer_goes_on_from_within_a_line_words_run():
    # the first match ends inside the white space before a line word: finditer goes on from
    # there, and the next match starts at a later line start of that run
    anchored = Anchored(re.compile(r"ab[ \n]{2}|^\s*cd", re.I | re.M), ("ab",), ("cd",))
    for text in ("ab\n\n\ncd", "xab\n\n \n cd ab\n\ncd", "ab  \n\ncd", "\n\n  cd"):
        same(anchored, text)
    assert [m.span() for m in anchored.finditer("ab\n\n\ncd", lowered("ab\n\n\ncd"))] == [(0, 4), (4, 7)]
