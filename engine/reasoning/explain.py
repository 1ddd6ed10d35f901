"""`rtms-doctor explain CODE`: what a code means (in every numbering it has) and the causes
behind it, ranked by diagnosing a case that holds only that observation."""
from __future__ import annotations

from dataclasses import dataclass

from ..knowledge.case import FactSet, Observation, Source
from .diagnosis import Diagnosis, Doctor
from ..errors import InputError
from ..knowledge.models import CodeEntry, CodeTable
from ..knowledge.load import KnowledgeBase

KIND_ALIASES = {
    "rest": ("rest",), "error": ("rest",), "api": ("rest",), "http": ("rest",),
    "status": ("status", "legacy_status"), "status_code": ("status", "legacy_status"),
    "handshake": ("status", "legacy_status"), "legacy_status": ("legacy_status",),
    "stop": ("stop_reason",), "stop_reason": ("stop_reason",), "reason": ("stop_reason",),
    "close": ("close",), "ws": ("close",), "websocket": ("close",), "sdk": ("sdk",),
    "event_type": ("event_type",), "event": ("event_type",),
    "session_state": ("session_state",), "stream_state": ("stream_state",),
}
KINDS = ("rest", "status", "legacy_status", "stop_reason", "close", "sdk",
         "event_type", "session_state", "stream_state")
NUMBERING = {"rest": "REST API error code", "status": "handshake status_code, current numbering (0-47)",
             "legacy_status": "handshake status_code, legacy numbering (2025 samples / Contact Center docs)",
             "stop_reason": "stop_reason", "close": "WebSocket close code", "sdk": "RTMS SDK message",
             "event_type": "signaling event_type (EVENT_SUBSCRIPTION / EVENT_UPDATE)",
             "session_state": "SESSION_STATE_UPDATE state", "stream_state": "STREAM_STATE_UPDATE state"}


@dataclass
class Reading:
    table: CodeTable
    entry: CodeEntry

    @property
    def numbering(self) -> str:
        label = NUMBERING[self.table.kind]
        if self.entry.variant:
            label += f" ({self.entry.variant.replace('_', ' ')} variant)"
        return label


def parse_query(words: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    tokens = " ".join(words).replace(":", " ").replace("=", " ").split()
    if not tokens:
        raise InputError("explain needs a code, for example: 2310, 'stop_reason 18', 'status 3', 'close 1000'")
    if len(tokens) == 1:
        return KINDS, tokens[0]
    kind = tokens[0].lower()
    if kind not in KIND_ALIASES or len(tokens) != 2:
        raise InputError(f"cannot read '{' '.join(words)}'; use CODE or KIND CODE with KIND one of "
                         f"{', '.join(KINDS)}")
    return KIND_ALIASES[kind], tokens[1]


def readings(kb: KnowledgeBase, words: tuple[str, ...]) -> list[Reading]:
    kinds, code = parse_query(words)
    wanted = {k for alias in kinds for k in KIND_ALIASES.get(alias, (alias,))}
    found = []
    for kind in KINDS:
        table = kb.codes.get(kind)
        if table is None or kind not in wanted:
            continue
        for entry in table.codes:
            if str(entry.code).lower() == code.lower():
                found.append(Reading(table, entry))
    if not found:
        raise InputError(f"no code '{' '.join(words)}' in the knowledge base (kb/codes)")
    return found


def diagnose_readings(doctor: Doctor, found: list[Reading]) -> Diagnosis:
    """Rank the causes for a case holding just this code (every reading at once)."""
    facts = FactSet(doctor.kb.schema)
    for reading in found:
        spec = doctor.kb.schema[reading.table.fact]
        value = [reading.entry.code] if spec.is_list else reading.entry.code
        if spec.accepts(value):
            facts.add(Observation(reading.table.fact, value, Source("explain", reading.table.kind, "explain")))
    return doctor.diagnose(facts.resolve())
