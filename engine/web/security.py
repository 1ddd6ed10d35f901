"""What keeps the page safe by default: response headers, the request body limit, the host
check on loopback and the token when the server is reachable from elsewhere.

All three are plain ASGI middleware, so they also cover errors and the static files.
"""
from __future__ import annotations

import hmac
import ipaddress
import json
import secrets
from http.cookies import SimpleCookie
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qsl, urlencode

from ..ingest.reader import MAX_INPUT_BYTES

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY_BYTES = MAX_INPUT_BYTES  # the CLI's 10 MB, for the whole request
TOKEN_COOKIE = "rtms_doctor_token"
TOKEN_HEADER = "x-rtms-doctor-token"
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}

# No inline script or style, nothing from another origin, never framed, forms post here only.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cache-control", b"no-store"),  # a diagnosis is kept by no cache either
]


def is_loopback(host: str) -> bool:
    name = host.strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_name(host: str) -> str:
    """The name in a Host header, without the port: '[::1]:8765' -> '::1'."""
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def new_token() -> str:
    return secrets.token_urlsafe(24)


async def _plain(send: Send, status: int, text: str, api: bool, extra: list[tuple[bytes, bytes]] = ()) -> None:
    """A short error answer (HTML-free: nothing to escape), JSON under /api."""
    if api:
        body, kind = json.dumps({"error": text}).encode(), b"application/json"
    else:
        body, kind = (text + "\n").encode(), b"text/plain; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()), *extra]})
    await send({"type": "http.response.body", "body": body})


def _is_api(scope: Scope) -> bool:
    return str(scope.get("path", "")).startswith("/api/")


class SecurityHeaders:
    """Adds the security headers to every response."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in HEADERS}
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": kept + HEADERS}
            await send(message)

        await self.app(scope, receive, with_headers)


class BodyLimit:
    """Refuses a request body over the limit with 413, before the app reads any of it: the
    body is read here (at most limit + 1 bytes) and handed on whole."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        too_big = f"request body larger than {self.limit // (1024 * 1024)} MB; send the relevant part"
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            return await _plain(send, 413 if declared.isdigit() else 400,
                                too_big if declared.isdigit() else "bad Content-Length", _is_api(scope))
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                return await _plain(send, 413, too_big, _is_api(scope))
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body, delivered = b"".join(chunks), False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class HostCheck:
    """On loopback, answers only requests addressed to a loopback name: a web page elsewhere
    cannot reach the tool by pointing its own domain at 127.0.0.1 (DNS rebinding)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            name = host_name(dict(scope.get("headers", [])).get(b"host", b"").decode("latin-1"))
            if not is_loopback(name):
                return await _plain(send, 400, "this server answers on its loopback address only", _is_api(scope))
        await self.app(scope, receive, send)


class TokenGate:
    """Every request must carry the token: the X-RTMS-Doctor-Token header, `Authorization:
    Bearer`, or the cookie set by a first visit to ?token=... (then redirected without it,
    so the token stays out of the address bar and the history)."""

    def __init__(self, app: ASGIApp, token: str):
        self.app = app
        self.token = token.encode()

    def _matches(self, given: str | bytes | None) -> bool:
        if given is None:
            return False
        value = given.encode("latin-1", "replace") if isinstance(given, str) else given
        return hmac.compare_digest(value, self.token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers", []))
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        given = dict(query).get("token")
        if given is not None and self._matches(given):
            rest = urlencode([(k, v) for k, v in query if k != "token"])
            location = scope.get("path", "/") + (f"?{rest}" if rest else "")
            cookie = f"{TOKEN_COOKIE}={self.token.decode()}; Path=/; HttpOnly; SameSite=Strict"
            await send({"type": "http.response.start", "status": 303,
                        "headers": [(b"location", location.encode("latin-1", "replace")),
                                    (b"set-cookie", cookie.encode()), (b"content-length", b"0")]})
            return await send({"type": "http.response.body", "body": b""})
        bearer = headers.get(b"authorization", b"")
        cookies = SimpleCookie()
        try:
            cookies.load(headers.get(b"cookie", b"").decode("latin-1"))
        except Exception:  # a malformed cookie header is simply no token
            cookies = SimpleCookie()
        cookie = cookies.get(TOKEN_COOKIE)
        if not (self._matches(headers.get(TOKEN_HEADER.encode()))
                or (bearer[:7].lower() == b"bearer " and self._matches(bearer[7:].strip()))
                or (cookie is not None and self._matches(cookie.value))):
            return await _plain(send, 401, "token required: open the URL rtms-doctor serve printed "
                                           "(it ends in ?token=...), or send the X-RTMS-Doctor-Token header",
                                _is_api(scope))
        await self.app(scope, receive, send)
