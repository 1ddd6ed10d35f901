"""Fetches a thread for `--url`: a Discourse topic (/t/<slug>/<id>, read as its .json) or a
GitHub issue (github.com/o/r/issues/N or api.github.com/repos/o/r/issues/N, plus its comments).

HTTPS only (plain http is allowed for 127.0.0.1 and localhost, where the tests serve fixtures),
redirects included; 10 s for the whole fetch of each document, 5 MB at most; every failure is
one clear InputError line. The result is (label, JSON text), handed to the reader like a file.
"""
from __future__ import annotations

import json
import re
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from .. import __version__
from ..errors import InputError
from .redact import redact_text
from .threads import thread_kind
from ..regex_cache import cached_compile

TIMEOUT_S = 10.0
MAX_BYTES = 5 * 1024 * 1024
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
GITHUB_API = "https://api.github.com"
_GITHUB_WEB = cached_compile(r"^/([\w.-]+)/([\w.-]+)/issues/(\d+)/?$")
_GITHUB_API_PATH = cached_compile(r"^(.*?)/repos/([\w.-]+)/([\w.-]+)/issues/(\d+)/?$")
_DISCOURSE = cached_compile(r"^(.*?/t/(?:[^/]+/)?\d+)(?:/\d+)?(?:\.json)?/?$")
_CONTROL = cached_compile(r"[\x00-\x1f\x7f-\x9f]")


def _shown(url: str) -> str:
    """A URL as an error or a label may show it: no query (tokens hide there), no control
    characters, redacted."""
    parts = urllib.parse.urlsplit(_CONTROL.sub("", url))
    host = parts.hostname or ""
    port = f":{parts.port}" if _port(parts) else ""
    return redact_text(f"{host}{port}{parts.path}")[:200]


def _port(parts: urllib.parse.SplitResult) -> int | None:
    try:
        return parts.port
    except ValueError:
        raise InputError(f"--url: bad port in {_CONTROL.sub('', parts.netloc)[:80]}") from None


def check_url(url: str) -> urllib.parse.SplitResult:
    """The URL, when it may be fetched: https anywhere, http only on this machine."""
    parts = urllib.parse.urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if not host:
        raise InputError(f"--url: not a web address: {_CONTROL.sub('', url)[:120]}")
    _port(parts)
    if parts.scheme == "https" or (parts.scheme == "http" and host in LOCAL_HOSTS):
        return parts
    raise InputError(f"--url: only https:// addresses are fetched ({_shown(url)})")


def thread_urls(url: str) -> tuple[str, str | None]:
    """(URL of the thread's JSON, URL of its comments or None) for a topic or issue address."""
    parts = check_url(url)
    base = f"{parts.scheme}://{parts.netloc}"
    path = parts.path
    if parts.hostname and parts.hostname.lower() == "github.com":
        web = _GITHUB_WEB.match(path)
        if not web:
            raise InputError(f"--url: not a GitHub issue address (github.com/OWNER/REPO/issues/N): {_shown(url)}")
        api = f"{GITHUB_API}/repos/{web.group(1)}/{web.group(2)}/issues/{web.group(3)}"
        return api, api + "/comments?per_page=100"
    api = _GITHUB_API_PATH.match(path)
    if api:
        issue = f"{base}{api.group(1)}/repos/{api.group(2)}/{api.group(3)}/issues/{api.group(4)}"
        return issue, issue + "/comments?per_page=100"
    topic = _DISCOURSE.match(path)
    if topic:
        return f"{base}{topic.group(1)}.json", None
    raise InputError(f"--url: not a Discourse topic (/t/...) or a GitHub issue address: {_shown(url)}")


class _CheckedRedirect(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to an address that may be fetched itself."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        check_url(urllib.parse.urljoin(req.full_url, newurl))
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def get_json(url: str) -> Any:
    """One JSON document, within the time and size bounds; InputError on any failure."""
    shown = _shown(url)
    request = urllib.request.Request(url, headers={
        "Accept": "application/vnd.github+json, application/json",
        "User-Agent": f"rtms-doctor/{__version__}",
    })
    opener = urllib.request.build_opener(_CheckedRedirect)
    deadline = time.monotonic() + TIMEOUT_S
    try:
        with opener.open(request, timeout=TIMEOUT_S) as response:
            chunks: list[bytes] = []
            size = 0
            while True:  # the socket timeout bounds each read; the deadline bounds them all
                chunk = response.read(64 * 1024)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_BYTES:
                    raise InputError(f"--url {shown}: larger than {MAX_BYTES // (1024 * 1024)} MB")
                if time.monotonic() > deadline:
                    raise InputError(f"--url {shown}: no complete answer within {TIMEOUT_S:.0f} s")
                chunks.append(chunk)
    except urllib.error.HTTPError as exc:
        raise InputError(f"--url {shown}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise InputError(f"--url {shown}: no answer within {TIMEOUT_S:.0f} s") from None
        text = reason.strerror if isinstance(reason, OSError) and reason.strerror else str(reason)
        raise InputError(f"--url {shown}: cannot reach the server (offline?): {text}") from None
    except (socket.timeout, TimeoutError):
        raise InputError(f"--url {shown}: no answer within {TIMEOUT_S:.0f} s") from None
    except (ssl.SSLError, OSError, ValueError) as exc:  # e.g. a certificate or a reset connection
        raise InputError(f"--url {shown}: fetch failed: {type(exc).__name__}: {exc}") from None
    try:
        return json.loads(b"".join(chunks).decode("utf-8-sig", errors="replace"))
    except (json.JSONDecodeError, RecursionError, ValueError):
        raise InputError(f"--url {shown}: the answer is not JSON") from None


def fetch_thread(url: str) -> tuple[str, str]:
    """(label, JSON text) of the thread at URL, comments included for a GitHub issue."""
    thread_url, comments_url = thread_urls(url)
    value = get_json(thread_url)
    if comments_url and isinstance(value, dict) and value.get("comments"):  # a count in the REST issue
        comments = get_json(comments_url)
        if not isinstance(comments, list):
            raise InputError(f"--url {_shown(comments_url)}: the comments are not a JSON list")
        value["comments"] = comments
    if thread_kind(value) is None:
        raise InputError(f"--url {_shown(thread_url)}: the answer is not a Discourse topic or a GitHub issue")
    return _shown(thread_url), json.dumps(value, ensure_ascii=False)
