"""A case carried from one request to the next inside the page (a hidden form field), so
the server stays stateless and keeps nothing.

The state holds what the questionnaire needs to pick up where it stood: the observations
read at ingest (already redacted, each with its source), the text signs the post showed,
the answers given so far (None = don't know) and what each input was read as. Everything
coming back is validated as strictly as an input: it is the user's data, never trusted.
"""
from __future__ import annotations

import json
from typing import Any

from ..errors import InputError
from ..ingest.reader import InputReport
from ..ingest.signs import WORD, SignMatch
from ..knowledge.signs import Sign
from ..knowledge.tokens import stem
from ..knowledge.case import SOURCE_PRIORITY, Observation, ResolvedFacts, Source
from ..knowledge.load import KnowledgeBase
from ..reasoning.diagnosis import Doctor
from ..reasoning.questionnaire import AnswerError, Session

STATE_VERSION = 1
MAX_LABEL = 300  # a source file name or locator, as ingest writes them


PageSession = Session  # the questionnaire's Session keeps the post's text signs itself


def start(doctor: Doctor, facts: ResolvedFacts) -> PageSession:
    return PageSession(doctor, facts.observations(), max_questions=doctor.kb.policy.ask_max_questions,
                       signs=list(facts.signs))


def encode(session: PageSession, reports: list[InputReport]) -> str:
    data = {
        "v": STATE_VERSION,
        "observations": [[o.path, o.value, o.source.file, o.source.locator, o.source.kind] for o in session.start],
        "signs": [[m.sign.owner, m.sign.kind, m.sign.text, m.file, m.line] for m in session.signs],
        "answers": [[s.path, s.value] for s in session.steps],
        "inputs": [[r.label, r.kind, list(r.shapes), r.facts] for r in reports],
    }
    return json.dumps(data, ensure_ascii=True, separators=(",", ":"))


def decode(text: str, doctor: Doctor) -> tuple[PageSession, list[InputReport]]:
    """The session and input reports a page carried back; InputError when it is damaged."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise InputError("the carried case is not valid JSON; start again from the form") from None
    if not isinstance(data, dict) or data.get("v") != STATE_VERSION:
        raise InputError("the carried case is not one this page wrote; start again from the form")
    kb = doctor.kb
    try:
        observations = [_observation(item, kb) for item in _list(data, "observations")]
        signs = [_sign(item, kb) for item in _list(data, "signs")]
        reports = [_report(item) for item in _list(data, "inputs")]
        session = PageSession(doctor, observations, max_questions=kb.policy.ask_max_questions, signs=signs)
        for item in _list(data, "answers"):
            if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
                    and item[0] in kb.schema.specs):
                raise ValueError("an answer names no known fact")
            session.answer(item[0], item[1])
    except (ValueError, TypeError, AnswerError) as exc:
        raise InputError(f"the carried case is damaged ({exc}); start again from the form") from None
    return session, reports


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise ValueError(f"'{key}' is not a list")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_LABEL:
        raise ValueError("a source label is not a short text")
    return value


def _observation(item: Any, kb: KnowledgeBase) -> Observation:
    if not (isinstance(item, list) and len(item) == 5):
        raise ValueError("an observation is not [path, value, file, locator, kind]")
    path, value, file, locator, kind = item
    if not isinstance(path, str) or path not in kb.schema.specs:
        raise ValueError("an observation names no known fact")
    if not kb.schema[path].accepts(value):
        raise ValueError(f"a value of {path} does not fit the fact")
    if kind not in SOURCE_PRIORITY:
        raise ValueError("an observation has an unknown source kind")
    return Observation(path, value, Source(_text(file), _text(locator), kind))


def _sign(item: Any, kb: KnowledgeBase) -> SignMatch:
    if kb.signs is None or not (isinstance(item, list) and len(item) == 5):
        raise ValueError("a text sign is not [owner, kind, text, file, line]")
    owner, kind, text, file, line = item
    if owner == WORD and kind == WORD and isinstance(text, str):  # a plain word of the post
        token = stem(text.lower())
        sign = Sign(WORD, text, WORD, (token,), 0.0, False) if token in kb.signs.postings else None
    else:
        sign = _signs_by_key(kb).get((owner, kind, text)) if isinstance(text, str) else None
    if sign is None or not isinstance(line, int) or isinstance(line, bool):
        raise ValueError("a text sign is not one of the knowledge base's")
    return SignMatch(sign, _text(file), line)


def _signs_by_key(kb: KnowledgeBase) -> dict[tuple[Any, Any, Any], Any]:
    cached = _SIGN_INDEX.get(id(kb))
    if cached is None or cached[0] is not kb:
        cached = (kb, {(s.owner, s.kind, s.text): s for s in kb.signs.signs})
        _SIGN_INDEX[id(kb)] = cached
    return cached[1]


_SIGN_INDEX: dict[int, tuple[KnowledgeBase, dict[tuple[Any, Any, Any], Any]]] = {}


def _report(item: Any) -> InputReport:
    if not (isinstance(item, list) and len(item) == 4 and isinstance(item[2], list)
            and all(isinstance(s, str) for s in item[2]) and isinstance(item[3], int)):
        raise ValueError("an input report is not [label, kind, shapes, facts]")
    return InputReport(_text(item[0]), _text(item[1]), [_text(s) for s in item[2]], item[3])
