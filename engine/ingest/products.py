"""The product an RTMS event name belongs to, by its prefix (meeting.rtms_started: a meeting;
session.rtms_started: a Video SDK session), shared by the webhook shape and the text reader."""
from __future__ import annotations

PRODUCT_BY_PREFIX = {"meeting": "meeting", "webinar": "webinar", "session": "video_sdk",
                     "contact_center": "zcc", "phone": "phone"}


def product_of(event: str) -> str | None:
    """The product of an RTMS event name (one with 'rtms' in it), or None."""
    prefix = event.split(".", 1)[0]
    return PRODUCT_BY_PREFIX.get(prefix) if "rtms" in event else None
