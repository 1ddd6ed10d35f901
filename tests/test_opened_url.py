"""The URL an app opened, read whole from its error or connect line (opened_url.py)."""
from __future__ import annotations

import pytest

from helpers import read_post


def _url(tmp_path, kb, text: str):
    resolved = read_post(tmp_path, kb, text)
    return resolved.values.get("stream.server_url_used")


@pytest.mark.parametrize("text, url", [
    ("SyntaxError: Invalid URL: wss://a.zoom.example:443,wss://b.zoom.example:443\n",
     "wss://a.zoom.example:443,wss://b.zoom.example:443"),
    ("Error: getaddrinfo ENOTFOUND wss://a.zoom.example,https://a.zoom.example/signal\n",
     "wss://a.zoom.example,https://a.zoom.example/signal"),
    ("[rtms] connecting to https://sg01.rtms.zoom.example/signal ...\n", "https://sg01.rtms.zoom.example/signal"),
])
def test_the_url_opened_is_read_whole(tmp_path, kb, text, url):
    assert _url(tmp_path, kb, text) == url


def test_a_url_in_prose_is_not_the_one_opened(tmp_path, kb):
    assert _url(tmp_path, kb, "The docs at https://developers.zoom.us/docs/rtms/ say to use wss.\n") is None
