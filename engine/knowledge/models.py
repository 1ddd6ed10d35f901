"""pydantic models of the knowledge files: causes (kb/causes), rules with cases (rules/), policy."""
from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator

SNAKE_ID = r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$"
RULE_ID = r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*\.[a-z0-9]+(?:_[a-z0-9]+)*$"

Group = Literal["account", "app_config", "portal_settings", "start_context", "webhook",
                "handshake", "upkeep", "data", "sdk"]
Basis = Literal["official", "forum", "inferred", "third_party"]
Impact = Literal["blocker", "high", "medium", "low"]
LifeCycle = Literal["experimental", "stable", "deprecated"]
Tier = Literal["official-doc", "official-code", "zoom-plugin", "forum", "third-party"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reference(_Strict):
    url: str = Field(pattern=r"^https://\S+$")
    title: str = Field(min_length=3)
    tier: Tier


class Step(_Strict):
    text: str = Field(min_length=10)
    where: Optional[str] = None  # where to click in the portal, or which file to edit
    snippet: Optional[str] = None  # code or command, shown as a fenced block
    lang: str = ""  # language of the snippet's fence


class Signs(_Strict):
    """What developers write when a cause is at play: read from a post as graded text evidence.

    `say`: symptom phrases in developers' words (stemmed tokens, in order, small gaps allowed);
    `literal`: exact messages, log lines, identifiers and code shapes (tokens in order, no gap);
    `words`: product, platform and context terms (weak on their own).
    """

    say: list[str] = Field(default_factory=list)
    literal: list[str] = Field(default_factory=list)
    words: list[str] = Field(default_factory=list)


class Cause(_Strict):
    id: str = Field(pattern=SNAKE_ID)
    title: str = Field(min_length=10, max_length=120)
    group: Group
    status: LifeCycle
    basis: Basis  # what the cause as a whole rests on; (inferred)/(third-party) claims say so
    prior: float = Field(gt=0, lt=1)  # share of RTMS forum cases with this cause
    impact: Impact
    summary: str = Field(min_length=20)
    why: str = Field(min_length=20)
    remediation: list[Step] = Field(min_length=1)
    references: list[Reference] = Field(min_length=1)
    codes: list[str] = Field(default_factory=list)  # e.g. "rest 2310", "stop_reason 18"
    replaced_by: Optional[str] = None  # for deprecated causes
    # other ids this cause answers to, e.g. a catalog id the KB splits into several causes
    aliases: list[str] = Field(default_factory=list)
    signs: Signs = Field(default_factory=Signs)  # text evidence (engine/ingest signs scorer)
    # answers to case.symptom (where it goes wrong first) this cause can produce; any other
    # answer rules it out (the <id>.symptom_elsewhere rule, generated from kb/rule_templates.yaml)
    symptoms: list[str] = Field(min_length=1)
    # acts only once a stream is open: ruled out when the started event never arrives
    # (the generated <id>.never_started rule)
    needs_stream: bool = False
    # keeps every stream of the account or app from opening: ruled out when media arrived
    # (the generated <id>.stream_ran rule)
    before_stream: bool = False


class RuleCase(_Strict):
    name: str = Field(min_length=3)
    expect: Literal["hit", "no_hit", "cannot_tell"]
    facts: dict[str, Any]


class Rule(_Strict):
    id: str = Field(pattern=RULE_ID)
    weight: float = Field(ge=-6, le=6)  # log-likelihood ratio; negative weight rules the cause out
    basis: Optional[Basis] = None  # defaults to the cause's basis
    because: str = Field(min_length=10, max_length=240)
    when: dict[str, Any]
    # where the rule's knowledge comes from, when its cause's first reference does not cover it
    source: Optional[str] = Field(default=None, pattern=r"^https?://\S+$")
    cases: list[RuleCase] = Field(default_factory=list)

    @field_validator("weight")
    @classmethod
    def _not_zero(cls, value: float) -> float:
        if value == 0:
            raise ValueError("a weight of 0 moves nothing; remove the rule or give it a weight")
        return value


class RuleTemplate(_Strict):
    """A rule-out every cause shares (kb/rule_templates.yaml), filled in per cause."""

    weight: float = Field(ge=-6, lt=0)
    basis: Basis
    because: str = Field(min_length=10)
    when: dict[str, Any]
    cases: list[RuleCase] = Field(min_length=1)


class RuleTemplates(_Strict):
    symptom_labels: dict[str, str]
    symptom_elsewhere: RuleTemplate
    never_started: RuleTemplate
    stream_ran: RuleTemplate
    works_for_others: RuleTemplate | None = None  # also for `before_stream` causes


class RuleFile(_Strict):
    cause: str = Field(pattern=SNAKE_ID)
    rules: list[Rule] = Field(min_length=1)


class Policy(_Strict):
    """How evidence turns into a status (kb/policy.yaml)."""

    kb_version: str
    basis_factor: dict[Basis, float]
    likely: float = Field(gt=0, lt=1)  # posterior at or above which a cause is likely
    possible: float = Field(gt=0, lt=1)
    ruled_out: float = Field(lt=0)  # net evidence (log-odds) at or below which it is ruled out
    questions: int = Field(ge=1, le=10)  # how many follow-up questions a report asks
    candidates: int = Field(ge=1, le=20)  # how many top causes the questions try to separate
    ask_clear_margin: float = Field(gt=0, lt=1)  # `ask` stops when the likely leader leads by this
    ask_max_questions: int = Field(ge=1, le=100)
    ask_candidates: int = Field(ge=1, le=200)  # causes `ask` tries to separate (wider than a report)


CodeKind = Literal["rest", "status", "legacy_status", "stop_reason", "close", "sdk",
                   "event_type", "session_state", "stream_state"]


class CodeEntry(_Strict):
    code: int | str  # a number, or for sdk messages the sdk.messages key
    name: str
    meaning: str = Field(min_length=5)
    expected: bool = False  # an ordinary outcome (normal stop, success), not a fault
    variant: Optional[str] = None  # legacy numbering variant: "meetings_2025" or "zcc"
    reason: Optional[str] = None  # handshake reason text that identifies this entry
    text: list[str] = Field(default_factory=list)  # literal log/message texts (sdk, rest)


class CodeTable(_Strict):
    """One family of codes (kb/codes/<kind>.yaml), used by `explain` and by ingest."""

    kind: CodeKind
    title: str
    fact: str  # the fact path a code of this kind is observed as
    sources: list[str] = Field(min_length=1)
    codes: list[CodeEntry] = Field(min_length=1)


class PhraseEntry(_Strict):
    pattern: str = Field(min_length=2)
    fact: Optional[str] = None
    affirmed: Any = None  # value when the clause affirms the phrase (None: emit nothing)
    negated: Any = None  # value when the clause negates it
    facts: dict[str, Any] = Field(default_factory=dict)  # several facts, affirmed only


class EventVerbs(_Strict):
    subscribed: str
    handled: str
    received: str


class PhraseFile(_Strict):
    """kb/ingest/phrases.yaml: prose phrases that become facts, and the cue words around them."""

    negation_cues: list[str] = Field(min_length=1)
    not_negations: str  # regexes: phrases that hold a cue but negate nothing ("no matter")
    double_negative_words: str  # "not <word>" affirms
    error_words: str  # a clause must sound like an error before a bare code is read
    event_verbs: EventVerbs
    missing_scopes: str
    # a comma starts a new clause before one of these subjects, when the part before it is
    # a clause of its own (has a finite verb, does not open with a subordinator)
    splice_subjects: str
    finite_verbs: str
    subordinators: str
    # a list item that states its own state ("encryption on", "app installed") is not negated
    # by a later item's cue; a relative clause ("..., which we never saw") negates only itself
    state_words: str = r"(?!x)x"
    relative_openers: str = r"(?!x)x"
    # a sentence setting a working part against a failing one: the working part names the
    # control machine, not the failing setup
    works_words: str
    failure_words: str
    phrases: list[PhraseEntry]


class PairEntry(_Strict):
    keys: list[str] = Field(min_length=1)
    fact: str
    value: Literal["int", "bitmask", "version"]
    names: dict[str, int] = Field(default_factory=dict)
    separators: list[str] = Field(default_factory=list)  # only these separators (default: any)
    also: dict[str, Any] = Field(default_factory=dict)  # facts the pair implies too
    min_parts: int = Field(default=1, ge=1, le=3)  # a version needs this many numbers
    # the medium whose parameters the pair sets: "video" applies only inside video's
    # parameters (`video: {...}`, `setVideoParams({...})`, a `VideoCodec.` name); "audio" also
    # where no medium shows, never inside another medium's
    within: Literal["audio", "video"] | None = None


class SigningEntry(_Strict):
    """How the handshake signature is read from the code that computes it: the words that
    mark a signing call, and what the names it uses say (each table maps a value of a
    signature fact to the snake-case names that mean it)."""

    source: str = Field(pattern=r"^https://\S+$")
    calls: list[str] = Field(min_length=1)  # a line that signs holds one of these (lowered)
    webhook_words: list[str] = Field(default_factory=list)  # signing a webhook, not the handshake
    secrets: dict[str, list[str]]  # signature.secret_source
    client_ids: dict[str, list[str]]  # signature.client_id_kind
    instance_ids: dict[str, list[str]]  # signature.id_field (the payload's own field names)
    stream_ids: list[str]
    environments: dict[str, list[str]]  # signature.credentials_env, by a word of the secret's name
    encodings: dict[str, list[str]]  # signature.encoding


class EventLinesEntry(_Strict):
    """Webhook events told in log lines: the event names and the keys a stream id stands under."""

    source: str = Field(pattern=r"^https://\S+$")
    events: list[str] = Field(min_length=1)
    stream_keys: list[str] = Field(min_length=1)


class DedupeEntry(_Strict):
    """How the webhook handler's code drops repeated start events (webhook.dedupe_key)."""

    source: str = Field(pattern=r"^https://\S+$")
    about: list[str] = Field(min_length=1)  # words the text must hold (start events)
    checks: list[str] = Field(min_length=1)  # membership tests, as methods (snake case): seen.has(x)
    stream_ids: list[str] = Field(min_length=1)
    times: list[str] = Field(min_length=1)  # a key that also holds one of these is stream id and time


class PayloadReadsEntry(_Strict):
    """Which id field the handler's code takes from the webhook payload (webhook.id_field_read)."""

    source: str = Field(pattern=r"^https://\S+$")
    containers: list[str] = Field(min_length=1)  # what the payload object is called in a body
    id_fields: list[str] = Field(min_length=1)


class DatesEntry(_Strict):
    """Where a pasted text dates itself (case.date): header words, and how short a header line is."""

    source: str = Field(pattern=r"^https://\S+$")
    header_words: list[str] = Field(min_length=1)
    max_header_words: int = Field(ge=2, le=20)


class OpenedUrlEntry(_Strict):
    """The words before the URL an app's error or connect line prints (stream.server_url_used)."""

    source: str = Field(pattern=r"^https://\S+$")
    words: list[str] = Field(min_length=1)


class AccessLinesEntry(_Strict):
    """The endpoint's access-log lines for Zoom's event POSTs (webhook.response_ms, response_status)."""

    source: str = Field(pattern=r"^https://\S+$")
    methods: list[str] = Field(min_length=1)


class HandlersEntry(_Strict):
    """The app's msg_type dispatch: which message types (numbers or names) mean what."""

    source: str = Field(pattern=r"^https://\S+$")
    keepalive_request: list[int | str] = Field(min_length=1)
    keepalive_response: list[int | str] = Field(min_length=1)
    media_handshake_response: list[int | str] = Field(min_length=1)
    ready_ack: list[int | str] = Field(min_length=1)
    min_types: int = Field(ge=2, le=10)


class CallbacksEntry(_Strict):
    """The SDK's media callbacks by name, and the calls that block the loop inside them."""

    source: str = Field(pattern=r"^https://\S+$")
    names: list[str] = Field(min_length=1)
    blocking: list[str] = Field(min_length=1)
    body_lines: int = Field(ge=3, le=100)


class ValuesFile(_Strict):
    """kb/ingest/values.yaml: key = value pairs read wherever they stand, and the signing code."""

    source: str = Field(pattern=r"^https://\S+$")
    pairs: list[PairEntry] = Field(min_length=1)
    signing: SigningEntry | None = None
    event_lines: EventLinesEntry | None = None
    dedupe: DedupeEntry | None = None
    payload_reads: PayloadReadsEntry | None = None
    dates: DatesEntry | None = None
    opened_url: OpenedUrlEntry | None = None
    access_lines: AccessLinesEntry | None = None
    handlers: HandlersEntry | None = None
    callbacks: CallbacksEntry | None = None


class ThinPolicy(_Strict):
    min_facts: int = Field(ge=0)
    min_text_evidence: float = Field(ge=0)


class SimilarityPolicy(_Strict):
    weight: float = Field(ge=0, le=4)  # the most a cause gains from word overlap (log-odds)
    power: float = Field(gt=0, le=4)  # how sharply it falls from the best-matching cause
    floor: float = Field(ge=0, lt=1)  # causes below this share of the best score gain nothing
    k1: float = Field(gt=0)
    b: float = Field(ge=0, le=1)


class SignsPolicy(_Strict):
    """kb/ingest/signs.yaml: how posts are scored against the causes' signs."""

    source: str = Field(pattern=r"^https://\S+$")
    kind_weight: dict[Literal["say", "literal", "words"], float]
    cap: float = Field(gt=0, le=6)
    min_specificity: float = Field(ge=0, lt=1)
    max_gap: int = Field(ge=0, le=10)
    negation_words: list[str] = Field(min_length=1)
    stopwords: list[str]
    symptom_weight: float = Field(ge=0, le=3)
    symptom_mismatch_weight: float = Field(default=0.0, ge=0, lt=1.5)  # below the rule-out line
    symptom_mismatch_from: float = Field(default=0.5, ge=0, le=1)  # strength at which it applies
    symptom_signs: dict[str, list[str]]
    on_topic_words: list[str]
    off_topic_signs: list[str]
    off_topic_max_evidence: float = Field(ge=0)
    # also off-topic when at least this many distinct off-topic signs match and they outnumber
    # the RTMS words more than twice over, whatever the facts and the causes' text evidence (0: never)
    off_topic_outnumbers: int = Field(default=0, ge=0)
    hypothetical_sections: list[str] = Field(default_factory=list)
    # words that mean the same to the signs scorer ("frames", "packets", "chunks"): each list's
    # words read as its first, in the KB's signs and descriptions and in posts alike
    word_classes: list[list[str]] = Field(default_factory=list)
    # a thread pasted as text: the headers that open a post (regexes with a group `who`)
    thread_opening_headers: list[str] = Field(default_factory=list)
    thread_reply_headers: list[str] = Field(default_factory=list)
    similarity: SimilarityPolicy
    thin: ThinPolicy


class FactSpecFile(BaseModel):
    """kb/facts/<section>.yaml: a section of the fact vocabulary."""

    model_config = ConfigDict(extra="forbid")

    class Entry(BaseModel):
        model_config = ConfigDict(extra="forbid")
        type: Literal["bool", "int", "float", "str", "enum", "version", "date", "list"]
        items: Optional[Literal["str", "int", "enum"]] = None
        values: list[Any] = Field(default_factory=list)
        ask: str = Field(min_length=10)
        where: str = Field(min_length=3)
        # share of cases where the person asked can answer (ask weighs questions by it)
        answerable: float = Field(default=0.5, gt=0, le=1)
        # a broad question that sorts causes into groups (case.symptom): its rule-outs do not
        # count as a cause's own rule-out in `kb stats`
        triage: bool = False
        # asked only once another fact has one of these values (fact path -> values)
        asked_after: dict[str, list[Any]] = Field(default_factory=dict)

    section: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    facts: dict[str, Entry]
