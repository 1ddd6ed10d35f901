"""The routes of `rtms-doctor serve`: the page, explain, the KB browser, lint, and a JSON API
under /api that answers what the CLI prints as JSON.

Engine work runs on the event loop itself, one request at a time: durable_rules is driven
serially everywhere in this tool, and a diagnosis takes milliseconds. The server keeps
nothing: uploads live in a temporary folder only while they are read, and a case travels
between requests inside the page (state.py).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ..errors import InputError
from ..knowledge.load import KnowledgeBase
from ..output.render import Renderer
from ..reasoning.diagnosis import Doctor
from ..reasoning.questionnaire import AnswerError
from . import state, views
from .security import MAX_BODY_BYTES, BodyLimit, HostCheck, SecurityHeaders, TokenGate

STATIC = Path(__file__).resolve().parent / "static"
STATIC_TYPES = {"page.js": "text/javascript; charset=utf-8", "page.css": "text/css; charset=utf-8"}
MAX_FILES = 50
MAX_QUERY = 200  # an explain query is a code and maybe its kind
WARM_UP_POST = ("General app, user-managed. PATCH /v2/live_meetings/{meetingId}/rtms_app/status returns "
                'HTTP 400 {"code": 13262, "message": "not authorized"}; meeting.rtms_started never arrives.')


class Site:
    """The loaded KB, one engine and the templates, shared by every request."""

    def __init__(self, kb: KnowledgeBase, doctor: Doctor | None = None):
        self.kb = kb
        self.doctor = doctor or Doctor(kb)
        self.renderer = Renderer(kb)
        self.env = views.html_env(self.renderer)
        self.static = {name: (STATIC / name).read_bytes() for name in STATIC_TYPES}
        self._lint: dict[str, Any] | None = None

    def page(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        body = self.env.get_template(f"web/{name}.html.j2").render({"kb_version": self.kb.version, **context})
        return HTMLResponse(views.outgoing(body), status_code=status)

    def warm_up(self) -> None:
        """Everything a first diagnosis would load (the text reader's patterns, the stemmer,
        the templates), done once before the server says it is ready: the first person to
        paste a post does not wait for it. Nothing of it is kept but compiled code."""
        parts: list[tuple[str | None, bytes]] = [(views.PASTED, WARM_UP_POST.encode())]
        facts, reports = views.read_uploads(parts, self.kb)
        self.page("index", result=views.page_view(self.renderer, state.start(self.doctor, facts), reports), error="")
        for name in ("explain", "kb", "cause", "lint", "error"):
            self.env.get_template(f"web/{name}.html.j2")

    def lint(self) -> dict[str, Any]:
        if self._lint is None:
            self._lint = views.lint_state(self.kb)
        return self._lint


def _site(request: Request) -> Site:
    return request.app.state.site


# -- reading a request's inputs ----------------------------------------------------------------
async def _inputs(request: Request, pasted_label: str) -> tuple[list[tuple[str | None, bytes]], dict[str, str]]:
    """(name, bytes) of the pasted text and every uploaded file, and the other form fields.
    A body that is not a form is one input in itself."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        body = await request.body()
        return ([(pasted_label, body)] if body.strip() else []), {}
    parts: list[tuple[str | None, bytes]] = []
    fields: dict[str, str] = {}
    async with request.form(max_files=MAX_FILES, max_fields=MAX_FILES, max_part_size=MAX_BODY_BYTES) as form:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read()
                if value.filename or data:  # an empty file input sends an empty part
                    parts.append((value.filename, data))
            elif key == "text":
                if value.strip():
                    parts.insert(0, (pasted_label, value.encode("utf-8")))
            else:
                fields[key] = value
    return parts, fields


# -- the page ----------------------------------------------------------------------------------
async def index(request: Request) -> HTMLResponse:
    return _site(request).page("index", result=None, error="")


async def diagnose_page(request: Request) -> HTMLResponse:
    """One form does it all: a new case (pasted text and files), an answer, or taking one back."""
    site = _site(request)
    parts, fields = await _inputs(request, views.PASTED)
    action = fields.get("action", "diagnose")
    if action == "diagnose":
        if not parts:
            raise InputError("paste a post, an e-mail, a log or JSON, or add files, then press Diagnose")
        facts, reports = views.read_uploads(parts, site.kb)
        session = state.start(site.doctor, facts)
        return site.page("index", result=views.page_view(site.renderer, session, reports), error="")
    session, reports = state.decode(fields.get("state", ""), site.doctor)
    error = ""
    if action == "back":
        session.back()
    elif action == "answer":
        path = fields.get("path", "")
        if path not in site.kb.schema.specs:
            raise InputError("the answer names no question of this page")
        try:
            # a choice button sends `answer`; the free-text box `answer_text`
            session.answer(path, fields["answer"] if "answer" in fields else fields.get("answer_text", ""))
        except AnswerError as exc:
            error = f"{site.kb.schema[path].ask} {exc}"
    else:
        raise InputError("unknown action; use the page's buttons")
    return site.page("index", status=400 if error else 200,
                     result=views.page_view(site.renderer, session, reports), error=error)


async def download(request: Request) -> Response:
    """The JSON report or the case JSON (`ask --save`) of the case the page carries."""
    site = _site(request)
    _, fields = await _inputs(request, views.PASTED)
    session, _ = state.decode(fields.get("state", ""), site.doctor)
    what = request.path_params["what"]
    if what not in ("report", "case"):
        raise HTTPException(404, "only report.json and case.json can be downloaded")
    if what == "report":
        body = site.renderer.json(views.page_diagnosis(session)) + "\n"
    else:
        body = json.dumps(session.case_json(), indent=2, ensure_ascii=False) + "\n"
    name = f"rtms-doctor-{what}.json"
    return Response(views.outgoing(body), media_type="application/json",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


async def confirm_page(request: Request) -> HTMLResponse:
    """Staff confirm which cause it really was: the case (redacted facts, the ranking the tool
    gave) goes into the casebook ($RTMS_DOCTOR_CASEBOOK or the user's data folder)."""
    from ..casebook import confirm

    site = _site(request)
    _, fields = await _inputs(request, views.PASTED)
    session, reports = state.decode(fields.get("state", ""), site.doctor)
    cause = fields.get("cause", "")
    if cause not in site.kb.causes and cause not in site.kb.aliases:
        raise InputError("choose one of the causes in the list to confirm")
    diagnosis = views.page_diagnosis(session)
    case_id = confirm(site.kb, diagnosis.facts, diagnosis.causes, cause, fields.get("note", "")[:2000])
    result = views.page_view(site.renderer, session, reports)
    result["confirmed"] = {"id": case_id, "title": site.kb.causes[cause].title if cause in site.kb.causes else cause}
    return site.page("index", result=result, error="")


async def explain_page(request: Request) -> HTMLResponse:
    site = _site(request)
    query = " ".join(request.query_params.get("code", "").split())
    if not query:
        return site.page("explain", query="", result=None, error="")
    if len(query) > MAX_QUERY:
        raise InputError("a code is a number, or a kind and a number, e.g. 'stop_reason 18'")
    try:
        result = views.explain_view(site.renderer, site.doctor, query)
    except InputError as exc:
        return site.page("explain", status=400, query=query, result=None, error=str(exc))
    return site.page("explain", query=query, result=result, error="")


async def kb_page(request: Request) -> HTMLResponse:
    site = _site(request)
    return site.page("kb", k=views.kb_view(site.kb))


async def cause_page(request: Request) -> HTMLResponse:
    site = _site(request)
    cause_id = request.path_params["cause_id"]
    if cause_id not in site.kb.causes:
        raise HTTPException(404, f"no cause '{cause_id}' in the knowledge base")
    return site.page("cause", **views.cause_view(site.kb, cause_id))


async def lint_page(request: Request) -> HTMLResponse:
    site = _site(request)
    return site.page("lint", lint=site.lint())


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in STATIC_TYPES:
        raise HTTPException(404, "no such file")
    return Response(_site(request).static[name], media_type=STATIC_TYPES[name])


async def favicon(request: Request) -> Response:
    return Response(status_code=204)  # none: a browser's request for it is not an error


# -- the JSON API ------------------------------------------------------------------------------
def _json(text: str) -> Response:
    return Response(views.outgoing(text if text.endswith("\n") else text + "\n"), media_type="application/json")


def _data(data: Any, status: int = 200) -> Response:
    return Response(views.outgoing(json.dumps(data, indent=2, ensure_ascii=False) + "\n"), status_code=status,
                    media_type="application/json")


async def api_diagnose(request: Request) -> Response:
    """Exactly `rtms-doctor diagnose --format json` for the body (text, JSON) or the files."""
    site = _site(request)
    parts, _ = await _inputs(request, "body")
    if not parts:
        raise InputError("send the case as the request body, or as multipart files (and a 'text' field)")
    facts, _ = views.read_uploads(parts, site.kb)
    return _json(site.renderer.json(site.doctor.diagnose(facts)))


async def api_facts(request: Request) -> Response:
    """Exactly `rtms-doctor facts --format json`."""
    site = _site(request)
    parts, _ = await _inputs(request, "body")
    if not parts:
        raise InputError("send the case as the request body, or as multipart files (and a 'text' field)")
    facts, reports = views.read_uploads(parts, site.kb)
    return _json(json.dumps(site.renderer.facts_view(facts, reports), indent=2, ensure_ascii=False))


async def api_explain(request: Request) -> Response:
    site = _site(request)
    query = request.query_params.get("code", "")
    if request.method == "POST" and not query:
        _, fields = await _inputs(request, "body")
        if not fields:
            try:
                query = str(json.loads(await request.body()).get("code", ""))
            except (ValueError, AttributeError):
                raise InputError('send {"code": "..."} or code=... (e.g. 2310, "stop_reason 18")') from None
        else:
            query = fields.get("code", "")
    query = " ".join(query.split())
    if len(query) > MAX_QUERY:
        raise InputError("a code is a number, or a kind and a number, e.g. 'stop_reason 18'")
    return _data(views.explain_json(views.explain_view(site.renderer, site.doctor, query)))


async def api_kb(request: Request) -> Response:
    return _data(views.kb_rows(_site(request).kb))


async def api_cause(request: Request) -> Response:
    site = _site(request)
    cause_id = request.path_params["cause_id"]
    if cause_id not in site.kb.causes:
        raise HTTPException(404, f"no cause '{cause_id}' in the knowledge base")
    view = views.cause_view(site.kb, cause_id)
    view["c"].pop("signs", None)
    return _data({"cause": view["c"], "rules": view["rules"], "kb_version": view["kb_version"]})


async def api_lint(request: Request) -> Response:
    return _data(_site(request).lint())


# -- errors: one clear message, never a traceback ----------------------------------------------
def _error(request: Request, status: int, message: str) -> Response:
    if request.url.path.startswith("/api/"):
        return _data({"error": message}, status)
    return _site(request).page("error", status=status, status_code=status, message=message)


async def on_input_error(request: Request, exc: Exception) -> Response:
    return _error(request, 400, str(exc))


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = exc.detail if exc.status_code != 405 else "this address does not take that method"
    return _error(request, exc.status_code, str(message))


async def on_crash(request: Request, exc: Exception) -> Response:
    return _error(request, 500, f"internal error ({type(exc).__name__}); the server log has the details")


def create_app(kb: KnowledgeBase, doctor: Doctor | None = None, token: str | None = None,
               loopback_only: bool = True, warm_up: bool = False) -> SecurityHeaders:
    """The app. With a token every request must carry it; loopback_only refuses requests
    addressed to any other host name; warm_up loads now what a first diagnosis would. The
    security headers wrap everything, Starlette's own answer to a crash included."""
    routes = [
        Route("/", index, methods=["GET"]),
        Route("/", diagnose_page, methods=["POST"]),
        Route("/download/{what:str}.json", download, methods=["POST"]),
        Route("/confirm", confirm_page, methods=["POST"]),
        Route("/explain", explain_page, methods=["GET"]),
        Route("/kb", kb_page, methods=["GET"]),
        Route("/kb/{cause_id:str}", cause_page, methods=["GET"]),
        Route("/lint", lint_page, methods=["GET"]),
        Route("/static/{name:str}", static, methods=["GET"]),
        Route("/favicon.ico", favicon, methods=["GET"]),
        Route("/api/diagnose", api_diagnose, methods=["POST"]),
        Route("/api/facts", api_facts, methods=["POST"]),
        Route("/api/explain", api_explain, methods=["GET", "POST"]),
        Route("/api/kb", api_kb, methods=["GET"]),
        Route("/api/kb/{cause_id:str}", api_cause, methods=["GET"]),
        Route("/api/lint", api_lint, methods=["GET"]),
    ]
    # outermost first: who may ask, then how much
    middleware = []
    if loopback_only:
        middleware.append(Middleware(HostCheck))
    if token:
        middleware.append(Middleware(TokenGate, token=token))
    middleware.append(Middleware(BodyLimit, limit=MAX_BODY_BYTES))
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={
        InputError: on_input_error, HTTPException: on_http_error, Exception: on_crash})
    app.state.site = Site(kb, doctor)
    if warm_up:
        app.state.site.warm_up()
    return SecurityHeaders(app)
