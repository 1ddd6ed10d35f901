"""Facts that only several webhook bodies together show: duplicates and quick stops."""
from __future__ import annotations

from typing import Any

from .emit import Emitter


def webhook_aggregates(events: list[dict[str, Any]], em: Emitter) -> None:
    """Repeated rtms_started for one stream (Zoom's retries come about 5, 20 and 60 minutes
    later; new server_urls mean a failover), and the time from start to stop."""
    by_stream: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        if event["file"] == em.file:  # one file: its name once, in front of the locators (Source)
            event = dict(event, loc=event["loc"].removeprefix(event["file"] + ":"))
        if not (isinstance(event.get("ts"), int) and 0 <= event["ts"] < 10**15):
            event = dict(event, ts=None)  # not a plausible millisecond timestamp
        if isinstance(event.get("stream"), str):
            by_stream.setdefault(event["stream"], []).append(event)
    for stream, group in sorted(by_stream.items()):
        starts = [e for e in group if e["event"].endswith("rtms_started")]
        stops = [e for e in group if e["event"].endswith("rtms_stopped")]
        loc = "; ".join(e["loc"] for e in starts[:3]) or group[0]["loc"]
        if len(starts) > 1:
            em.add("webhook.duplicate_started", len(starts) - 1, loc)
            times = sorted(e["ts"] for e in starts if isinstance(e.get("ts"), int))
            # one event_ts on every repeat: the same event delivered again, whose event_ts says
            # when it happened, not when each delivery came (unknown, not 0 s apart)
            if len(times) > 1 and len(set(times)) > 1:
                em.add("webhook.duplicate_interval_s", (times[1] - times[0]) // 1000, loc)
            urls = {e["urls"] for e in starts if isinstance(e.get("urls"), str)}
            if len(urls) > 1 or (len(urls) == 1 and all(isinstance(e.get("urls"), str) for e in starts)):
                em.add("webhook.duplicates_have_new_server_urls", len(urls) > 1, loc)
        start_ts = [e["ts"] for e in starts if isinstance(e.get("ts"), int)]
        stop_ts = [e["ts"] for e in stops if isinstance(e.get("ts"), int)]
        if start_ts and stop_ts and max(stop_ts) >= min(start_ts):
            em.add("stream.seconds_to_stop", round((min(t for t in stop_ts if t >= min(start_ts)) - min(start_ts)) / 1000, 3),
                   f"{starts[0]['loc']} -> {stops[0]['loc']}")
