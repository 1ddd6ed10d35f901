"""Loads and checks the whole knowledge base: facts, causes, rules, policy.

Everything is validated before anything runs: a malformed file stops the load with every
problem listed as ``file:line: what to fix``; the tool never runs on a half-loaded KB.
"""
from __future__ import annotations

import hashlib
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import conditions as C
from ..errors import KnowledgeError
from .facts import FactSchema, load_fact_schema
from .lazy import lazy_parts
from .paths import Roots, default_roots
from .records import Record, to_record
from .shards import SHARD_BRANCHES, Shard, plan_shards
from .signs import compile_signs
from ..regex_cache import cached_compile

# The pydantic models (kb_models) and the YAML reader are imported only when files are
# actually read: a cold start from the cache needs neither.


@dataclass(frozen=True)
class CompiledRule:
    rule: Record  # the validated rule (kb_models.Rule) as a record, without when and cases
    cause_id: str
    condition: C.Cond
    effective_weight: float
    file: str  # a str, not a Path: ~750 Paths cost ~1 ms to unpickle on every cold start
    line: int
    # the rule's cases, pickled: only lint and the tests read them, so a cold start that
    # unpickles the knowledge base does not rebuild 1,500 of them
    cases_blob: bytes
    id: str = field(init=False)
    paths: tuple[str, ...] = field(init=False)  # the fact paths it reads, in order
    on_nothing: C.Truth = field(init=False)  # what it gives while none of its facts is known

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", self.rule.id)
        object.__setattr__(self, "paths", tuple(dict.fromkeys(self.condition.paths())))
        object.__setattr__(self, "on_nothing", C.evaluate(self.condition, {}))

    @classmethod
    def build(cls, rule: Any, cause: Any, condition: C.Cond, effective_weight: float,
              file: str, line: int) -> "CompiledRule":
        """From a validated kb_models.Rule of a kb_models.Cause. Every rule cites a source:
        its own, or else its cause's first reference."""
        record = to_record(rule)
        cases = record.pop("cases")
        del record["when"]  # compiled into ``condition``
        record["source"] = rule.source or cause.references[0].url
        return cls(record, cause.id, condition, effective_weight, file, line,
                   pickle.dumps(cases, protocol=pickle.HIGHEST_PROTOCOL))

    @property
    def cases(self) -> list[Record]:
        """The rule's cases (kb_models.RuleCase records: name, expect, facts)."""
        return pickle.loads(self.cases_blob)

    @property
    def test(self):  # type: ignore[no-untyped-def]
        """The condition compiled to Python closures (built on first use, not pickled)."""
        compiled = self.__dict__.get("_test")
        if compiled is None:
            compiled = C.compile_python(self.condition)
            object.__setattr__(self, "_test", compiled)
        return compiled

    def __getstate__(self) -> dict:  # type: ignore[type-arg]
        return {k: v for k, v in self.__dict__.items() if k != "_test"}


# what only text, logs and `explain` read (and the cause files' 91 Paths, only lint): a case
# JSON or a Zoom object never unpickles them
@lazy_parts("codes", "phrases", "values", "phrase_index", "phrase_programs", "cause_files")
@dataclass(eq=False)  # hashed by identity (caches key on the loaded KB)
class KnowledgeBase:
    roots: Roots
    schema: FactSchema
    policy: Record  # kb_models.Policy
    causes: dict[str, Record]  # kb_models.Cause, by id
    rules: list[CompiledRule]
    shards: list[Shard]  # the rules packed for durable_rules (planned once, cached)
    cause_files: dict[str, tuple[Path, int]] = field(default_factory=dict)
    codes: dict[str, Record] = field(default_factory=dict)  # kb_models.CodeTable, by kind
    phrases: Record | None = None  # kb_models.PhraseFile
    signs: Any = None  # signs.CompiledSigns: the causes' text signs, ready to match
    values: Record | None = None  # kb_models.ValuesFile: key = value pairs the text reader knows
    phrase_index: Any = None  # phrase_index.PhraseIndex: the phrases (by position) a clause may match
    phrase_programs: list[Any] | None = None  # per phrase, its compiled regex program as data (literals.py)
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # other id -> cause ids
    version: str = ""

    def rules_for(self, cause_id: str) -> list[CompiledRule]:
        return [r for r in self.rules if r.cause_id == cause_id]


def _validation_problems(exc: Any, path: Path, lines: Any) -> list[str]:
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        where = ".".join(str(p) for p in loc) or "(top level)"
        msg = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
        out.append(f"{path}:{lines.line(loc)}: {where}: {msg}")
    return out


def _load_model(path: Path, model: Any, problems: list[str]) -> tuple[Any, Any] | None:
    from pydantic import ValidationError

    from .yamlio import load_yaml

    try:
        data, lines = load_yaml(path)
    except (ValueError, OSError) as exc:
        problems.append(str(exc))
        return None
    try:
        return model.model_validate(data), lines
    except ValidationError as exc:
        problems.extend(_validation_problems(exc, path, lines))
        return None


def _load_optional(path: Path, model: Any, problems: list[str]) -> tuple[Any, Any] | None:
    """A knowledge file the KB can do without (kb/ingest/*): None when absent or invalid
    (its problems are listed)."""
    return _load_model(path, model, problems) if path.exists() else None


def load_knowledge(roots: Roots | None = None, cache: bool = True) -> KnowledgeBase:
    """The validated knowledge base; reuses a pickled copy while no file has changed."""
    roots = roots or default_roots()
    if not cache:
        return _load(roots)
    from .cache import cached

    return cached(roots, _load)


def _load(roots: Roots) -> KnowledgeBase:
    from .models import Cause, Policy, RuleFile

    problems: list[str] = []
    try:
        schema = load_fact_schema(roots.kb)
    except KnowledgeError as exc:
        raise KnowledgeError(exc.problems) from None

    policy_path = roots.kb / "policy.yaml"
    loaded = _load_model(policy_path, Policy, problems)
    if loaded is None:
        raise KnowledgeError(problems or [f"{policy_path}:1: missing"])
    policy = loaded[0]

    causes: dict[str, Any] = {}
    cause_files: dict[str, tuple[Path, int]] = {}
    symptom_lines: dict[str, tuple[Path, int, int, int]] = {}  # where each cause states its stage fields
    for path in sorted((roots.kb / "causes").rglob("*.yaml")):
        loaded = _load_model(path, Cause, problems)
        if loaded is None:
            continue
        cause, lines = loaded
        if cause.id in causes:
            problems.append(f"{path}:{lines.line(('id',))}: cause id '{cause.id}' is also used by {cause_files[cause.id][0]}")
            continue
        if path.stem != cause.id:
            problems.append(f"{path}:{lines.line(('id',))}: the file name must be the cause id ({cause.id}.yaml)")
        causes[cause.id] = cause
        cause_files[cause.id] = (path, 1)
        symptom_lines[cause.id] = (path, lines.line(("symptoms",)), lines.line(("needs_stream",)),
                                   lines.line(("before_stream",)))

    rules: list[CompiledRule] = []
    seen_rules: dict[str, Path] = {}
    for path in sorted(roots.rules.rglob("*.yaml")):
        loaded = _load_model(path, RuleFile, problems)
        if loaded is None:
            continue
        rule_file, lines = loaded
        if rule_file.cause not in causes:
            problems.append(f"{path}:{lines.line(('cause',))}: cause '{rule_file.cause}' is not in kb/causes")
            continue
        cause = causes[rule_file.cause]
        for i, rule in enumerate(rule_file.rules):
            _add_rule(rule, cause, path, lines, ("rules", i), schema, policy, rules, seen_rules, problems)
    shared, symptom_labels = _shared_rule_outs(roots, causes, symptom_lines, schema, problems)
    for rule, cause, line in shared:
        _add_rule(rule, cause, cause_files[cause.id][0], _OneLine(line), (), schema, policy, rules,
                  seen_rules, problems)
    codes = _load_codes(roots, schema, problems)
    programs: list[Any] = []  # per phrase: (compiled program, required literals, required alternatives)
    phrases = _load_phrases(roots, schema, problems, programs)
    signs_policy = _load_signs_policy(roots, schema, problems)
    values = _load_values(roots, schema, problems)
    if problems:
        raise KnowledgeError(problems)
    rules.sort(key=lambda r: r.id)
    shards = plan_shards((r.id, r.condition) for r in rules)
    kb = KnowledgeBase(roots, schema, to_record(policy), {k: to_record(v) for k, v in sorted(causes.items())},
                       rules, shards, cause_files, {k: to_record(v) for k, v in codes.items()},
                       to_record(phrases) if phrases is not None else None)
    kb.values = to_record(values) if values is not None else None
    if phrases is not None:  # the text reader's prefilter and compiled patterns, cached with the KB
        from .phrase_index import PhraseIndex

        kb.phrase_index = PhraseIndex(range(len(programs)), [literals for _, literals, _ in programs],
                                      [alternatives for _, _, alternatives in programs])
        kb.phrase_programs = [data for data, _, _ in programs]
    for cause_id, cause in sorted(causes.items()):
        for alias in cause.aliases:
            kb.aliases[alias] = kb.aliases.get(alias, ()) + (cause_id,)
    if signs_policy is not None:
        kb.signs = compile_signs(kb.causes, to_record(signs_policy), symptom_labels)
    kb.version = f"{policy.kb_version}+{_content_hash(roots)}"
    return kb


def _add_rule(rule: Any, cause: Any, path: Path, lines: Any, loc: tuple[Any, ...], schema: FactSchema,
              policy: Any, rules: list[CompiledRule], seen_rules: dict[str, Path], problems: list[str]) -> None:
    """Check one validated rule of a cause, compile it and add it to ``rules``; ``lines`` and
    ``loc`` place it in its file for file:line problems."""
    if rule.id in seen_rules:
        problems.append(f"{path}:{lines.line(loc + ('id',))}: rule id '{rule.id}' is also used in {seen_rules[rule.id]}")
        return
    if not rule.id.startswith(cause.id + "."):
        problems.append(f"{path}:{lines.line(loc + ('id',))}: rule id '{rule.id}' must start with '{cause.id}.'")
    seen_rules[rule.id] = path
    try:
        cond = C.parse(rule.when, schema)
    except C.ConditionError as exc:
        problems.append(f"{path}:{lines.line(loc + ('when',) + exc.loc)}: rule {rule.id}: {exc}")
        return
    branches = C.branch_count(cond)
    if branches > SHARD_BRANCHES:
        problems.append(f"{path}:{lines.line(loc + ('when',))}: rule {rule.id} has {branches} "
                        f"alternative branches; at most {SHARD_BRANCHES} fit the engine "
                        "(split it into several rules)")
        return
    basis = rule.basis or cause.basis
    weight = rule.weight * policy.basis_factor[basis]
    rules.append(CompiledRule.build(rule, cause, cond, weight, str(path), lines.line(loc)))
    for j, case in enumerate(rule.cases):
        problems.extend(_check_case_facts(case.facts, schema, path, lines, loc + ("cases", j, "facts")))


class _OneLine:
    """Places every key of a generated rule on the line of the cause field it comes from."""

    def __init__(self, line: int):
        self._line = line

    def line(self, loc: tuple[Any, ...]) -> int:
        return self._line


def _shared_rule_outs(roots: Roots, causes: dict[str, Any], symptom_lines: dict[str, tuple[Path, int, int, int]],
                      schema: FactSchema, problems: list[str]) -> tuple[list[tuple[Any, Any, int]], dict[str, str]]:
    """The rule-outs every cause shares (kb/rule_templates.yaml), filled in from each cause's
    `symptoms` and `needs_stream`: (rule, cause, line in the cause file) for each; and the
    symptoms' labels."""
    from .models import Rule, RuleTemplates

    path = roots.kb / "rule_templates.yaml"
    loaded = _load_model(path, RuleTemplates, problems)
    if loaded is None:
        return [], {}
    templates = loaded[0]
    known = list(schema["case.symptom"].values)
    generated = []
    for cause_id, cause in sorted(causes.items()):
        cause_path, symptoms_line, stream_line, before_line = symptom_lines[cause_id]
        unknown = [s for s in cause.symptoms if s not in known or s not in templates.symptom_labels]
        if unknown:
            problems.append(f"{cause_path}:{symptoms_line}: "
                            f"symptoms: {', '.join(unknown)} not among case.symptom's values")
            continue
        fill = {"$symptoms": list(cause.symptoms), "$own": cause.symptoms[0],
                "$other": next((s for s in known if s not in cause.symptoms), cause.symptoms[0]),
                "$labels": ", ".join(templates.symptom_labels[s] for s in cause.symptoms)}
        wanted = [("symptom_elsewhere", templates.symptom_elsewhere, symptoms_line)]
        if cause.needs_stream:
            wanted.append(("never_started", templates.never_started, stream_line))
        if cause.before_stream:
            wanted.append(("stream_ran", templates.stream_ran, before_line))
            if templates.works_for_others is not None:
                wanted.append(("works_for_others", templates.works_for_others, before_line))
        for name, template, line in wanted:
            data = _filled(template.model_dump(), fill)
            generated.append((Rule.model_validate({"id": f"{cause_id}.{name}", **data}), cause, line))
    return generated, dict(templates.symptom_labels)


def _filled(value: Any, fill: dict[str, Any]) -> Any:
    """A template with its $placeholders replaced: a whole-string placeholder by its value
    (a list stays a list), a placeholder inside text by its text."""
    if isinstance(value, dict):
        return {k: _filled(v, fill) for k, v in value.items()}
    if isinstance(value, list):
        return [_filled(v, fill) for v in value]
    if isinstance(value, str):
        if value in fill:
            return fill[value]
        for key, text in fill.items():
            if isinstance(text, str):
                value = value.replace(key, text)
    return value


def _load_codes(roots: Roots, schema: FactSchema, problems: list[str]) -> dict[str, Any]:
    from .models import CodeTable

    tables: dict[str, Any] = {}
    for path in sorted((roots.kb / "codes").glob("*.yaml")):
        loaded = _load_model(path, CodeTable, problems)
        if loaded is None:
            continue
        table, lines = loaded
        if table.fact not in schema:
            problems.append(f"{path}:{lines.line(('fact',))}: unknown fact '{table.fact}'")
        if table.kind in tables:
            problems.append(f"{path}:{lines.line(('kind',))}: a second table of kind '{table.kind}'")
        tables[table.kind] = table
    return tables


def _load_phrases(roots: Roots, schema: FactSchema, problems: list[str], programs: list[Any]) -> Any:
    from .literals import program_parts
    from .models import PhraseFile

    path = roots.kb / "ingest" / "phrases.yaml"
    loaded = _load_optional(path, PhraseFile, problems)
    if loaded is None:
        return None
    phrases, lines = loaded
    # every cue is a regex: the file's text fields besides the phrases and the negation words
    cues = dict(_flat(phrases.model_dump(exclude={"phrases", "negation_cues"})))
    for key, pattern in cues.items():
        try:
            cached_compile(pattern)
        except re.error as exc:
            problems.append(f"{path}:{lines.line(tuple(key.split('.')))}: {key}: bad pattern: {exc}")
    for i, entry in enumerate(phrases.phrases):
        loc = ("phrases", i)
        try:  # compiled as the reader uses it (case-insensitive), once: kept with the KB
            programs.append(program_parts(entry.pattern))
        except re.error as exc:
            problems.append(f"{path}:{lines.line(loc + ('pattern',))}: bad pattern: {exc}")
        pairs = [(entry.fact, entry.affirmed), (entry.fact, entry.negated)] if entry.fact else []
        pairs += list(entry.facts.items())
        if not pairs:
            problems.append(f"{path}:{lines.line(loc)}: a phrase needs 'fact' or 'facts'")
        for fact, value in pairs:
            _check_fact_value(fact, value, schema, f"{path}:{lines.line(loc)}", problems)
    return phrases


def _check_fact_value(fact: str, value: Any, schema: FactSchema, where: str, problems: list[str]) -> None:
    """A fact a knowledge file names, and the value it gives it (None: no value), must exist and fit."""
    if fact not in schema:
        problems.append(f"{where}: unknown fact '{fact}'")
    elif value is not None and not schema[fact].accepts(value):
        problems.append(f"{where}: {value!r} does not fit {fact}")


def _load_values(roots: Roots, schema: FactSchema, problems: list[str]) -> Any:
    from .models import ValuesFile

    path = roots.kb / "ingest" / "values.yaml"
    loaded = _load_optional(path, ValuesFile, problems)
    if loaded is None:
        return None
    values, lines = loaded
    for i, entry in enumerate(values.pairs):
        for fact, value in [(entry.fact, None), *entry.also.items()]:
            _check_fact_value(fact, value, schema, f"{path}:{lines.line(('pairs', i))}", problems)
    signing = values.signing
    if signing is not None:
        where = f"{path}:{lines.line(('signing',))}"
        for fact, table in (("signature.secret_source", signing.secrets), ("signature.client_id_kind", signing.client_ids),
                            ("signature.id_field", signing.instance_ids), ("signature.credentials_env", signing.environments),
                            ("signature.encoding", signing.encodings)):
            for value in table:
                _check_fact_value(fact, value, schema, where, problems)
    if values.payload_reads is not None:
        for field in values.payload_reads.id_fields:
            _check_fact_value("webhook.id_field_read", field, schema, f"{path}:{lines.line(('payload_reads',))}", problems)
    return values


def _load_signs_policy(roots: Roots, schema: FactSchema, problems: list[str]) -> Any:
    from .models import SignsPolicy

    path = roots.kb / "ingest" / "signs.yaml"
    loaded = _load_optional(path, SignsPolicy, problems)
    if loaded is None:
        return None
    policy, lines = loaded
    known = set(schema["case.symptom"].values)
    for symptom in policy.symptom_signs:
        if symptom not in known:
            problems.append(f"{path}:{lines.line(('symptom_signs', symptom))}: '{symptom}' is not a value of case.symptom")
    return policy


def _flat(data: dict[str, Any], prefix: str = "") -> Any:
    """(dotted key, value) of a nested mapping's leaves."""
    for key, value in data.items():
        if isinstance(value, dict):
            yield from _flat(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _check_case_facts(facts: dict[str, Any], schema: FactSchema, path: Path, lines: Any,
                      loc: tuple[Any, ...]) -> list[str]:
    try:
        schema.validate_case(facts)
    except ValueError as exc:
        return [f"{path}:{lines.line(loc)}: {'.'.join(str(p) for p in loc)}: {exc}"]
    return []


def _content_hash(roots: Roots) -> str:
    digest = hashlib.sha256()
    for base in (roots.kb, roots.rules):
        for path in sorted(base.rglob("*.yaml")):
            digest.update(path.relative_to(base).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]
