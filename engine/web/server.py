"""Binds the socket and runs uvicorn. Binding here first turns "address in use" into one
clear line, and lets --port 0 pick a free port whose URL is then printed."""
from __future__ import annotations

import socket
import sys

from ..errors import InputError
from ..knowledge.load import KnowledgeBase
from .security import is_loopback, new_token


def url_of(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def bind(host: str, port: int) -> socket.socket:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise InputError(f"cannot serve on {host}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise InputError(f"cannot listen on {url_of(host, port)}: {exc.strerror}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve(kb: KnowledgeBase, host: str, port: int, token: str | None) -> None:
    """Serve until interrupted. Off loopback a token is required (generated when not given)."""
    import uvicorn

    from .app import create_app

    loopback = is_loopback(host)
    if not loopback and not token:
        token = new_token()
    from ..reasoning.diagnosis import Doctor

    sock = bind(host, port)
    app = create_app(kb, Doctor(kb, eager=True), token=token, loopback_only=loopback, warm_up=True)
    url = url_of(host, sock.getsockname()[1])
    print(f"rtms-doctor: serving on {url}{f'?token={token}' if token else ''}", flush=True)
    if not loopback:
        print("rtms-doctor: reachable from other machines; every request needs the token above "
              "(the first visit sets a cookie)", flush=True)
    print("rtms-doctor: press Ctrl+C to stop", flush=True)
    # no access log: it would print tokens and explain queries; no Server header
    config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False,
                            lifespan="off", h11_max_incomplete_event_size=64 * 1024)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
        sys.stdout.flush()
