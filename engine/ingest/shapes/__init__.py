"""Recognises Zoom's own JSON shapes by their content and maps them to facts.

The shapes and the field-to-fact mapping follow shared/domain/rtms-json-shapes.md: app
manifests (bare, API export, create request), app info, event subscriptions, webhook delivery
logs, user/group/account settings and lock settings (RTMS keys matched by pattern, since the
real keys are undocumented), the tool's portal-transcribed block, REST error bodies, REST
request bodies, manifest validation results, RTMS webhooks (flat and payload.object), URL
validation, and signaling/media messages by msg_type. A JSON value holding several of these
side by side is walked, and each part recognised on its own.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable

from ..emit import Emitter
from ..products import product_of
from ...regex_cache import cached_compile

if TYPE_CHECKING:
    from ...knowledge.facts import FactSchema
    from ..dispatch import Dispatch

Obj = dict[str, Any]
MAX_DEPTH = 12

SETTINGS_SECTIONS = {"schedule_meeting", "in_meeting", "email_notification", "recording", "telephony",
                     "feature", "tsp", "profile", "audio_conferencing", "whiteboard", "meeting_security",
                     "security", "chat", "integration", "other_options", "zoom_rooms", "zoom_apps"}
RTMS_SETTING_KEY = cached_compile(r"realtime|real_time|rtms|meeting_content|webinar_content|auto_start_app", re.I)
MISSING_SCOPES = cached_compile(r"does not contain scopes?\s*:?\s*\[([^\]]*)\]", re.I)
APP_IN_13262 = cached_compile(r"The app '([^']+)' is not authorized", re.I)
RTMS_APP_STATUS_PATH = cached_compile(r"/live_meetings/[^/\s]+/rtms_app/status", re.I)


Shape = Callable[[Obj, Emitter, str, "Dispatch"], bool]
DECLARED: dict[str, tuple[str, ...]] = {}  # shape name -> the fact paths it may emit


def emits(*paths: str) -> Callable[[Shape], Shape]:
    """Declares the fact paths a shape emits (those its helpers and the dispatcher emit for it
    too): checked against kb/facts by `declaration_problems` (in `lint` and the tests), and
    every emission against its shape's declaration by the tests; nothing is checked per run."""
    def declare(shape: Shape) -> Shape:
        DECLARED[shape.__name__] = paths
        return shape
    return declare


def _loc(base: str, key: Any) -> str:
    return f"{base}[{key}]" if isinstance(key, int) else f"{base}.{key}"


# -- app manifest and Marketplace app shapes --------------------------------------------------

@emits("app.type", "app.name", "app.management", "app.scopes", "app.scopes_optional", "app.products",
       "app.zoom_apps_sdk_enabled", "app.jssdk_apis", "app.events.enabled", "app.events.types",
       "app.events.dev_url", "app.events.prod_url", "app.events.custom_header_type", "webhook.endpoint_url",
       "webhook.endpoint_public_https")
def _manifest(obj: Obj, em: Emitter, loc: str, via: Dispatch) -> bool:
    inner, base, kind = obj, loc, "app manifest (downloaded)"
    wrapper_keys = {"manifest", "app_type", "app_name", "contact_name", "contact_email", "company_name", "active"}
    if "manifest" in obj and not set(obj) <= wrapper_keys:
        return False  # a dump with a manifest beside other shapes: recognise each part
    if "manifest" in obj and isinstance(obj["manifest"], dict):
        inner, base = obj["manifest"], f"{loc}.manifest"
        kind = "app create request" if "app_type" in obj else "app manifest (API export)"
    if not isinstance(inner, dict) or not ({"oauth_information", "features", "display_information"} & set(inner)):
        return False
    em.saw(kind)
    if kind == "app create request" and obj.get("app_type") == "general":
        em.add("app.type", "general", f"{loc}.app_type")
    elif kind != "app create request":
        em.add("app.type", "general", base)  # only General apps have a manifest
    display = inner.get("display_information") or {}
    if isinstance(display, dict) and "display_name" in display:
        em.add("app.name", display["display_name"], f"{base}.display_information.display_name")
    oauth = inner.get("oauth_information") or {}
    if isinstance(oauth, dict):
        usage = {"USER_OPERATION": "user", "ADMIN_MANAGEMENT": "admin"}.get(str(oauth.get("usage")))
        if usage:
            em.add("app.management", usage, f"{base}.oauth_information.usage")
        scopes = [s for s in oauth.get("scopes") or [] if isinstance(s, dict) and isinstance(s.get("scope"), str)]
        if "scopes" in oauth:
            em.add("app.scopes", [s["scope"] for s in scopes], f"{base}.oauth_information.scopes")
            em.add("app.scopes_optional", [s["scope"] for s in scopes if s.get("optional") is True],
                   f"{base}.oauth_information.scopes")
    features = inner.get("features") or {}
    if isinstance(features, dict):
        if isinstance(features.get("products"), list):
            em.add("app.products", [p for p in features["products"] if isinstance(p, str)], f"{base}.features.products")
        api = ((features.get("in_client_feature") or {}).get("zoom_app_api") or {})
        if isinstance(api, dict):
            if isinstance(api.get("enable"), bool):
                em.add("app.zoom_apps_sdk_enabled", api["enable"], f"{base}.features.in_client_feature.zoom_app_api.enable")
            if isinstance(api.get("zoom_app_apis"), list):
                em.add("app.jssdk_apis", [a for a in api["zoom_app_apis"] if isinstance(a, str)],
                       f"{base}.features.in_client_feature.zoom_app_api.zoom_app_apis")
        subs = features.get("event_subscription")
        if isinstance(subs, dict):
            sloc = f"{base}.features.event_subscription"
            if isinstance(subs.get("enable"), bool):
                em.add("app.events.enabled", subs["enable"], f"{sloc}.enable")
            events = [e for e in subs.get("events") or [] if isinstance(e, dict)]
            if "events" in subs:
                types: list[str] = []
                for event in events:
                    types += [t for t in event.get("event_types") or [] if isinstance(t, str) and t not in types]
                em.add("app.events.types", types, f"{sloc}.events[].event_types")
            for i, event in enumerate(events[:1]):
                eloc = f"{sloc}.events[{i}]"
                for key, fact in (("development_webhook_url", "app.events.dev_url"),
                                  ("production_webhook_url", "app.events.prod_url")):
                    if isinstance(event.get(key), str):
                        em.add(fact, event[key], f"{eloc}.{key}")
                header = event.get("development_event_custom_header") or {}
                if isinstance(header, dict) and isinstance(header.get("custom_header_type"), int):
                    em.add("app.events.custom_header_type", header["custom_header_type"],
                           f"{eloc}.development_event_custom_header.custom_header_type")
                url = event.get("production_webhook_url") or event.get("development_webhook_url")
                if isinstance(url, str) and url:
                    _endpoint(url, em, eloc)
    return True


def _endpoint(url: str, em: Emitter, loc: str) -> None:
    em.add("webhook.endpoint_url", url, loc)
    local = re.search(r"^http://|//(localhost|127\.|0\.0\.0\.0|10\.|192\.168\.)", url, re.I)
    if local:
        em.add("webhook.endpoint_public_https", False, loc)


@emits("app.id", "app.name", "app.type_reported", "app.publish_status", "app.scopes")
def _app_info(obj: Obj, em: Emitter, loc: str, via: Dispatch) -> bool:
    if "app_id" not in obj or not ({"app_type", "app_status", "app_scopes", "app_name"} & set(obj)):
        return False
    em.saw("Marketplace app info")
    em.add("app.id", obj["app_id"], f"{loc}.app_id")
    if "app_name" in obj:
        em.add("app.name", obj["app_name"], f"{loc}.app_name")
    if "app_type" in obj:
        em.add("app.type_reported", obj["app_type"], f"{loc}.app_type")
    status = str(obj.get("app_status", "")).lower()
    mapped = {"unpublished": "unpublished", "published": "published", "draft": "draft"}.get(status)
    if mapped:
        em.add("app.publish_status", mapped, f"{loc}.app_status")
    if isinstance(obj.get("app_scopes"), list):
        em.add("app.scopes", obj["app_scopes"], f"{loc}.app_scopes")
    return True


@emits("app.events.types", "webhook.endpoint_url", "webhook.endpoint_public_https")
def _event_subscriptions(obj: Obj, em: Emitter, loc: str, via: Dispatch) -> bool:
    subs = obj.get("event_subscriptions")
    if not isinstance(subs, list):
        return False
    em.saw("event subscription list")
    types: list[str] = []
    for i, sub in enumerate(s for s in subs if isinstance(s, dict)):
        types += [e for e in sub.get("events") or [] if isinstance(e, str) and e not in types]
        if isinstance(sub.get("event_webhook_url"), str):
            _endpoint(sub["event_webhook_url"], em, f"{loc}.event_subscriptions[{i}].event_webhook_url")
    em.add("app.events.types", types, f"{loc}.event_subscriptions[].events")
    return True


@emits("webhook.delivery_statuses", "webhook.received_events", "webhook.delivery_error",
       "webhook.endpoint_url", "webhook.endpoint_public_https")
def _webhook_logs(obj: Obj, em: Emitter, loc: str, via: Dispatch) -> bool:
    logs = obj.get("webhook_logs")
    if not isinstance(logs, list):
        return False
    em.saw("webhook delivery log")
    statuses = [e["status"] for e in logs if isinstance(e, dict) and isinstance(e.get("status"), int)]
    em.add("webhook.delivery_statuses", sorted(set(statuses)), f"{loc}.webhook_logs[].status")
    events = [e["event"] for e in logs if isinstance(e, dict) and isinstance(e.get("event"), str)]
    if events:
        em.add("webhook.received_events", list(dict.fromkeys(events)), f"{loc}.webhook_logs[].event")
    for i, entry in enumerate(logs):
        if isinstance(entry, dict) and isinstance(entry.get("endpoint"), str):
            _endpoint(entry["endpoint"], em, f"{loc}.webhook_logs[{i}].endpoint")
            break
    for i, entry in enumerate(logs):
        failed = isinstance(entry, dict) and isinstance(entry.get("status"), int) and entry["status"] >= 300
        if failed and isinstance(entry.get("response_body"), str) and entry["response_body"].strip():
            em.add("webhook.delivery_error", entry["response_body"].strip()[:200], f"{loc}.webhook_logs[{i}].response_body")
            break
    return True


# -- portal settings ------------------------------------------------------------------------

@emits("settings.auto_start_on", "settings.share_meeting_content", "settings.share_webinar_content",
       "settings.share_meeting_content_locked", "settings.share_webinar_content_locked")
def _settings(obj: Obj, em: Emitter, loc: str, via: Dispatch, locked: bool = False) -> bool:
    sections = set(obj) & SETTINGS_SECTIONS
    if not sections or len(sections) < len(obj) / 2:
        return False
    all_bool = all(isinstance(v, bool) for s in sections if isinstance(obj[s], dict) for v in _leaves(obj[s]))
    locked = locked or (all_bool and "lock" in em.file.lower())
    em.saw("lock settings" if locked else "user/group/account settings")
    for section in sorted(sections):
        if isinstance(obj[section], dict):
            _scan_rtms_keys(obj[section], em, f"{loc}.{section}", locked)
    return True


def _leaves(node: Any):  # type: ignore[no-untyped-def]
    if isinstance(node, dict):
        for value in node.values():
            yield from _leaves(value)
    else:
        yield node


def _scan_rtms_keys(node: Obj, em: Emitter, loc: str, locked: bool) -> None:
    for key, value in node.items():
        here = f"{loc}.{key}"
        if isinstance(value, dict):
            if RTMS_SETTING_KEY.search(str(key)) and isinstance(value.get("enable"), bool):
                _rtms_setting(str(key), value["enable"], em, f"{here}.enable", locked)
            else:
                _scan_rtms_keys(value, em, here, locked)
        elif isinstance(value, bool) and RTMS_SETTING_KEY.search(str(key)):
            _rtms_setting(str(key), value, em, here, locked)


def _rtms_setting(key: str, value: bool, em: Emitter, loc: str, locked: bool) -> None:
    lowered = key.lower()
    if "auto_start" in lowered:
        if not locked:
            em.add("settings.auto_start_on", value, loc)
        return
    base = "settings.share_webinar_content" if "webinar" in lowered else "settings.share_meeting_content"
    em.add(base + "_locked" if locked else base, value, loc)


@emits("settings.level", "settings.share_meeting_content", "settings.share_webinar_content",
       "settings.share_meeting_content_locked", "settings.share_webinar_content_locked",
       "settings.auto_start_apps", "settings.auto_start_on", "settings.allowed_apps",
       "settings.require_host_approval")
def _portal_settings(obj: Obj, em: Emitter, loc: str, via: Dispatch) -> bool:
    block = obj.get("portal_settings")
    if not isinstance(block, dict):
        return False
    em.saw("portal settings (transcribed)")
    base = f"{loc}.portal_settings"
    if block.get("level") in ("account", "group", "user"):
        em.add("settings.level", block["level"], f"{base}.level")
    for key, fact in (("share_realtime_meeting_content_with_apps", "settings.share_meeting_content"),
                      ("share_realtime_webinar_content_with_apps", "settings.share_webinar_content")):
        entry = block.get(key)
        if isinstance(entry, bool):
            em.add(fact, entry, f"{base}.{key}")
        elif isinstance(entry, dict):
            if isinstance(entry.get("value"), bool):
                em.add(fact, entry["value"], f"{base}.{key}.value")
            if isinstance(entry.get("locked"), bool):
                em.add(fact + "_locked", entry["locked"], f"{base}.{key}.locked")
    apps = block.get("auto_start_meeting_apps")
    if isinstance(apps, list):
        named = [a for a in apps if isinstance(a, dict)]
        em.add("settings.auto_start_apps", [str(a.get("app_name")) for a in named if a.get("auto_start") is True],
               f"{base}.auto_start_meeting_apps")
        flags = [a.get("auto_start") for a in named if isinstance(a.get("auto_start"), bool)]
        if flags:
            em.add("settings.auto_start_on", any(flags), f"{base}.auto_start_meeting_apps[].auto_start")
    allowed = block.get("allow_apps_to_access_meeting_content")
    if isinstance(allowed, list):
        em.add("settings.allowed_apps", [str(a) for a in allowed], f"{base}.allow_apps_to_access_meeting_content")
    if isinstance(block.get("require_host_approval"), bool):
        em.add("settings.require_host_approval", block["require_host_approval"], f"{base}.require_host_approval")
    return True


# -- REST ---------------------------------------------------------------------------------

@emits("api.error_codes", "api.error_messages", "api.missing_scopes", "api.body_client_id",
       "api.http_statuses")
def _rest_error(obj: Obj, em: Emitter, loc: str, via: Dispatch) -> bool:
    if not (isinstance(obj.get("code"), int) and isinstance(obj.get("message"), str)):
        return False
    if "event" in obj or "msg_type" in obj:
        return False
    em.saw("REST error body")
    em.add("api.error_codes", [obj["code"]], f"{loc}.code")
    em.add("api.error_messages", [obj["message"]], f"{loc}.message")
    scopes = MISSING_SCOPES.search(obj["message"])
    if scopes:
        em.add("api.missing_scopes", [s.strip() for s in scopes.group(1).split(",") if s.strip()], f"{loc}.message")
    app = APP_IN_13262.search(obj["message"])
    if app:
        em.add("api.body_client_id", app.group(1), f"{loc}.message")
    for key in ("http_status", "status"):
        if isinstance(obj.get(key), int) and 100 <= obj[key] < 600:
            em.add("api.http_statuses", [obj[key]], f"{loc}.{key}")
    if isinstance(obj.get("errors"), list):
        em.add("api.error_messages", [str(e.get("message")) for e in obj["errors"] if isinstance(e, dict) and e.get("message")],
               f"{loc}.errors[].message")
    return True


@emits("api.action", "api.body_client_id", "api.participant_user_id_kind")
def _rest_request(obj: Obj, em: Emitter, loc: str, via: Dispatch) -> bool:
    settings = obj.get("settings")
    if obj.get("action") not in ("start", "stop", "pause", "resume") or not isinstance(settings, dict):
        return False
    em.saw("RTMS app status request body")
    em.add("api.action", obj["action"], f"{loc}.action")
    if "client_id" in settings:
        em.add("api.body_client_id", settings["client_id"], f"{loc}.settings.client_id")
    participant = settings.get("participant_user_id")
    kind = "omitted" if participant in (None, "") else ("email" if "@" in str(participant) or "[email]" in str(participant) else "user_id")
    em.add("api.participant_user_id_kind", kind, f"{loc}.settings.participant_user_id")
    return True


@emits("app.manifest_valid", "app.manifest_errors")
def _manifest_validation(obj: Obj, em: Emitter, loc: str, via: Dispatch) -> bool:
    if not isinstance(obj.get("ok"), bool) or not ({"error", "errors"} & set(obj)):
        return False
    em.saw("manifest validation result")
    em.add("app.manifest_valid", obj["ok"], f"{loc}.ok")
    messages = [str(e.get("message")) for e in obj.get("errors") or [] if isinstance(e, dict) and e.get("message")]
    em.add("app.manifest_errors", messages, f"{loc}.errors[].message")
    return True


# -- webhooks ------------------------------------------------------------------------------

@emits("webhook.received_events", "case.product", "webhook.payload_layout", "stream.started_received",
       "stream.interrupted_received", "stream.concurrency_limited", "account.concurrency_cap",
       "account.concurrent_streams", "stream.meeting_started_received", "stream.stop_reasons", "meeting.uuid",
       "meeting.id", "stream.started_by_original_host")
def _webhook(obj: Obj, em: Emitter, loc: str, via: Dispatch) -> bool:
    event = obj.get("event")
    if not isinstance(event, str) or "." not in event or not isinstance(obj.get("payload"), (dict, type(None))):
        return False
    payload = obj.get("payload") or {}
    em.saw("webhook body")
    em.add("webhook.received_events", [event], f"{loc}.event")
    if event == "endpoint.url_validation":
        return True
    product = product_of(event)
    if product:
        em.add("case.product", product, f"{loc}.event")
    body, ploc = payload, f"{loc}.payload"
    if isinstance(payload.get("object"), dict) and "rtms_stream_id" in payload["object"]:
        body, ploc = payload["object"], f"{loc}.payload.object"
        em.add("webhook.payload_layout", "object", ploc)
    elif "rtms_stream_id" in payload:
        em.add("webhook.payload_layout", "flat", ploc)
    if event.endswith("rtms_started"):
        em.add("stream.started_received", True, f"{loc}.event")
    if event.endswith("rtms_interrupted"):
        em.add("stream.interrupted_received", True, f"{loc}.event")
    if "concurrency_limited" in event or "concurrency_near_limit" in event:
        em.add("stream.concurrency_limited", True, f"{loc}.event")
        if isinstance(body.get("concurrency_limit"), int):
            em.add("account.concurrency_cap", body["concurrency_limit"], f"{ploc}.concurrency_limit")
        if isinstance(body.get("concurrency_number"), int):
            em.add("account.concurrent_streams", body["concurrency_number"], f"{ploc}.concurrency_number")
    if event == "meeting.started":
        em.add("stream.meeting_started_received", True, f"{loc}.event")
    if isinstance(body.get("stop_reason"), int):
        em.add("stream.stop_reasons", [body["stop_reason"]], f"{ploc}.stop_reason")
    for key in ("meeting_uuid", "webinar_uuid"):
        if isinstance(body.get(key), str):
            em.add("meeting.uuid", body[key], f"{ploc}.{key}")
    if isinstance(body.get("meeting_id"), (int, str)):
        em.add("meeting.id", str(body["meeting_id"]), f"{ploc}.meeting_id")
    if isinstance(body.get("is_original_host"), bool):
        em.add("stream.started_by_original_host", body["is_original_host"], f"{ploc}.is_original_host")
    via.webhook({"event": event, "ts": obj.get("event_ts"), "stream": body.get("rtms_stream_id"),
                 "urls": body.get("server_urls"), "loc": f"{em.file}:{loc}", "file": em.file})
    return True


# -- signaling and media messages ------------------------------------------------------------

@emits("handshake.msg_type_sent_as_string", "handshake.signaling.status_code", "handshake.media.status_code",
       "handshake.signaling.reason", "handshake.media.reason", "handshake.protocol_version_sent",
       "handshake.protocol_version", "handshake.buffer_data", "signature.id_field", "handshake.media_type",
       "handshake.payload_encryption", "handshake.audio.content_type", "handshake.audio.sample_rate",
       "handshake.audio.channel", "handshake.audio.codec", "handshake.audio.data_opt",
       "handshake.audio.send_rate", "handshake.video.codec", "handshake.video.fps",
       "handshake.video.data_opt", "handshake.transcript.src_language", "stream.media_interrupted_event",
       "handshake.client_ready_ack", "stream.stream_state", "stream.session_state", "stream.stop_reasons",
       "keepalive.requests_seen", "keepalive.answered", "stream.data_received", "handshake.fields_missing")
def _message(obj: Obj, em: Emitter, loc: str, via: Dispatch) -> bool:
    kind = obj.get("msg_type")
    if kind is None or isinstance(kind, (dict, list, bool)):
        return False
    if isinstance(kind, str):
        if kind.isdigit() or kind.upper().endswith(("_REQ", "_RESP", "_ACK")) or kind.upper() in ("EVENT_SUBSCRIPTION", "EVENT_UPDATE"):
            em.saw("signaling/media message")
            em.add("handshake.msg_type_sent_as_string", True, f"{loc}.msg_type")
            return True
        return False
    em.saw("signaling/media message")
    here = f"{loc}.msg_type"
    if kind in (2, 4):
        side = "signaling" if kind == 2 else "media"
        if isinstance(obj.get("status_code"), int):
            em.add(f"handshake.{side}.status_code", obj["status_code"], f"{loc}.status_code")
        if isinstance(obj.get("reason"), str) and any(c.isalnum() for c in obj["reason"]):  # not "..." pasted for it
            em.add(f"handshake.{side}.reason", obj["reason"], f"{loc}.reason")
    elif kind == 1:
        em.add("handshake.protocol_version_sent", "protocol_version" in obj, f"{loc}.protocol_version")
        if isinstance(obj.get("protocol_version"), int):
            em.add("handshake.protocol_version", obj["protocol_version"], f"{loc}.protocol_version")
        if isinstance(obj.get("buffer_data"), bool):
            em.add("handshake.buffer_data", obj["buffer_data"], f"{loc}.buffer_data")
        for key, value in (("meeting_uuid", "meeting_uuid"), ("webinar_uuid", "webinar_uuid"),
                           ("session_id", "session_id"), ("engagement_id", "engagement_id")):
            if key in obj:
                em.add("signature.id_field", value, f"{loc}.{key}")
        _ids_missing(obj, em, loc)
    elif kind == 3:
        _ids_missing(obj, em, loc)
        if isinstance(obj.get("media_type"), int):
            em.add("handshake.media_type", obj["media_type"], f"{loc}.media_type")
        if isinstance(obj.get("payload_encryption"), bool):
            em.add("handshake.payload_encryption", obj["payload_encryption"], f"{loc}.payload_encryption")
        params = obj.get("media_params") or {}
        if isinstance(params, dict):
            for media, keys in (("audio", ("content_type", "sample_rate", "channel", "codec", "data_opt", "send_rate")),
                                ("video", ("codec", "fps", "data_opt"))):
                section = params.get(media) or {}
                if isinstance(section, dict):
                    for key in keys:
                        if isinstance(section.get(key), int) and f"handshake.{media}.{key}" in em.schema:
                            em.add(f"handshake.{media}.{key}", section[key], f"{loc}.media_params.{media}.{key}")
            transcript = params.get("transcript") or {}
            if isinstance(transcript, dict) and isinstance(transcript.get("src_language"), int):
                em.add("handshake.transcript.src_language", transcript["src_language"], f"{loc}.media_params.transcript.src_language")
    elif kind == 6:
        event = obj.get("event") or {}
        if isinstance(event, dict) and event.get("event_type") == 7:
            em.add("stream.media_interrupted_event", True, f"{loc}.event.event_type")
    elif kind == 7:
        em.add("handshake.client_ready_ack", "signaling", here)
    elif kind in (8, 9):
        fact = "stream.stream_state" if kind == 8 else "stream.session_state"
        if isinstance(obj.get("state"), int):
            em.add(fact, obj["state"], f"{loc}.state")
        for key in ("stop_reason", "reason"):
            if isinstance(obj.get(key), int) and obj[key] > 0:
                em.add("stream.stop_reasons", [obj[key]], f"{loc}.{key}")
    elif kind == 12:
        em.add("keepalive.requests_seen", True, here)
    elif kind == 13:
        em.add("keepalive.answered", True, here)
    elif 14 <= kind <= 18:
        em.add("stream.data_received", True, here)
    return True


_INSTANCE_IDS = ("meeting_uuid", "webinar_uuid", "session_id", "engagement_id")


def _ids_missing(obj: Obj, em: Emitter, loc: str) -> None:
    """A handshake request the app sent (it is signed) without its instance id or stream id,
    or with one null: JSON.stringify drops an undefined id, so the message goes out short."""
    if "signature" not in obj:
        return
    instance = [obj.get(k) for k in _INSTANCE_IDS if k in obj]
    if not any(isinstance(v, str) and v for v in instance) or not (isinstance(obj.get("rtms_stream_id"), str)
                                                                    and obj["rtms_stream_id"]):
        em.add("handshake.fields_missing", True, f"{loc}")


@emits("sdk.messages", "sdk.join_result")
def _sdk_json_log(obj: Obj, em: Emitter, loc: str, via: Dispatch) -> bool:
    if not ({"level", "message"} <= set(obj) and ("component" in obj or "timestamp" in obj)):
        return False
    em.saw("SDK log (JSON)")
    via.log_message(str(obj["message"]), em, loc)  # read like a text log line (text.py)
    return True


def _case(obj: Obj, em: Emitter, loc: str) -> bool:
    """The tool's own case JSON: every top-level key is a fact section."""
    keys = set(obj) - {"case_version"}
    if not keys or not keys <= em.schema.sections.keys():
        return False
    return "case_version" in obj or len(keys & {"account", "app", "settings", "api", "stream", "sdk",
                                                  "runtime", "webhook", "handshake", "case"}) >= 1


# every shape is read(object, emitter, locator, dispatcher) -> whether it was this shape
SHAPES: list[Shape] = [
    _webhook, _message, _manifest, _app_info, _event_subscriptions, _webhook_logs, _portal_settings,
    _manifest_validation, _rest_error, _rest_request, _sdk_json_log, _settings,
]


def declaration_problems(schema: FactSchema) -> list[str]:
    """A shape that declares no fact paths, or declares one the vocabulary (kb/facts) lacks."""
    problems: list[str] = []
    for shape in SHAPES:
        for path in DECLARED.get(shape.__name__, ("(no @emits declaration)",)):
            if path not in schema:
                problems.append(f"shape {shape.__name__} declares {path!r}, which is not a fact in kb/facts")
    return problems


def recognise(value: Any, em: Emitter, via: Dispatch, loc: str = "$", depth: int = 0) -> bool:
    """Map one JSON value to facts; returns whether anything in it was recognised."""
    if depth > MAX_DEPTH:
        return False
    if isinstance(value, list):
        found = False
        for i, item in enumerate(value):
            found = recognise(item, em, via, _loc(loc, i), depth + 1) or found
        return found
    if not isinstance(value, dict):
        return False
    for shape in SHAPES:
        try:
            if shape(value, em, loc, via):
                return True
        except (TypeError, AttributeError, ValueError, KeyError, OverflowError):
            # a part of the right shape with wrong types (a list where an object belongs...):
            # what was read before the mismatch stands, the rest is skipped
            em.saw(f"{shape.__name__.strip('_').replace('_', ' ')} (malformed, partly read)")
            return True
    if "lock_settings" in value and isinstance(value["lock_settings"], dict):
        _settings(value["lock_settings"], em, f"{loc}.lock_settings", via, locked=True)
        rest = {k: v for k, v in value.items() if k != "lock_settings"}
        return recognise(rest, em, via, loc, depth + 1) or True
    found = False
    for key, item in value.items():  # a dump holding several shapes side by side
        if key == "manifest" and isinstance(item, dict) and len(value) > 1:
            # Zoom's API export wraps the manifest as {"manifest": {...}}: a 'manifest' key beside
            # other parts is that export, read with its wrapper (locators stay $.manifest...)
            found = recognise({"manifest": item}, em, via, loc, depth + 1) or found
        elif isinstance(item, (dict, list)):
            found = recognise(item, em, via, _loc(loc, key), depth + 1) or found
    return found


is_case_json = _case
