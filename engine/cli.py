"""The rtms-doctor command line.

Exit status: 0 success, 1 lint findings, 2 bad input or usage, 3 broken knowledge base.
No traceback reaches the user: every failure becomes one clear line on stderr.
"""
from __future__ import annotations

import gc

from . import code_cache, regex_cache

# before the imports below: they compile ~60 patterns and define ~30 dataclasses
regex_cache.route_all_compiles()
code_cache.route_dataclass_exec()

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import EngineError, InputError, KnowledgeError
from .knowledge.paths import Roots, default_roots


def _roots(root: str | None) -> Roots:
    return Roots.at(Path(root)) if root else default_roots()


def _kb(root: str | None, one_case: bool = False):  # type: ignore[no-untyped-def]
    """The knowledge base. ONE_CASE: the command reads one case and exits (diagnose, facts,
    explain), so the console script leaves the cyclic collector off (see entry): the few cycles
    one case makes die at exit, and the ~70 collections they would trigger cost 1-3 % of a cold
    start (measured: peak memory of a 10 MB paste unchanged). Other commands run many cases or
    serve, and collect."""
    from .knowledge.load import load_knowledge

    knowledge = load_knowledge(_roots(root))
    if not gc.isenabled() and not one_case:  # the console script starts with the collector off
        gc.freeze()  # what was imported and loaded lives until exit: never scan it again
        gc.enable()
    return knowledge


root_option = click.option("--root", type=click.Path(file_okay=False), default=None,
                           help="Use the kb/, rules/ and reports/ below this folder instead of the shipped ones.")
url_option = click.option("--url", "urls", multiple=True, metavar="URL",
                          help="Fetch a Discourse topic or a GitHub issue (https) as an input; repeatable.")
casebook_option = click.option("--casebook", "casebook_path", type=click.Path(dir_okay=False), default=None,
                               help="The casebook file (default: $RTMS_DOCTOR_CASEBOOK, else "
                                    "$XDG_DATA_HOME/rtms-doctor/casebook.sqlite3).")


def _inputs(inputs: tuple[str, ...], urls: tuple[str, ...]) -> list:  # type: ignore[type-arg]
    """Files (or - for stdin) and fetched threads, read alike; stdin when neither is given."""
    if not urls:
        return list(inputs or ("-",))
    from .ingest.fetch import fetch_thread

    return list(inputs) + [fetch_thread(url) for url in urls]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="rtms-doctor")
def cli() -> None:
    """Diagnose Zoom Realtime Media Streams (RTMS) integration failures."""
    from .outlet import guard_streams

    previous = guard_streams()  # every byte written passes the outlet (engine/outlet.py)
    click.get_current_context().call_on_close(lambda: _restore(previous))


def _restore(previous) -> None:  # type: ignore[no-untyped-def]
    sys.stdout, sys.stderr = previous


@cli.command()
@click.argument("inputs", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown",
              show_default=True, help="Staff report in Markdown, or one JSON object.")
@click.option("--reply", is_flag=True, help="A short forum-ready reply instead of the staff report.")
@click.option("--reply-style", type=click.Choice(["discourse", "plain"]), default="discourse", show_default=True,
              help="Fold the reply's further steps in Discourse [details] blocks, or as plain lists.")
@url_option
@casebook_option
@root_option
def diagnose(inputs: tuple[str, ...], fmt: str, reply: bool, reply_style: str, urls: tuple[str, ...],
             casebook_path: str | None, root: str | None) -> None:
    """Diagnose one case from FILE ... (or - for standard input), or a thread (--url).

    When a casebook exists, the report ends with the most similar confirmed cases."""
    from .casebook import similar
    from .reasoning.diagnosis import Doctor
    from .ingest import read_inputs
    from .output.render import Renderer

    kb = _kb(root, one_case=True)
    facts = read_inputs(_inputs(inputs, urls), kb)
    diagnosis = Doctor(kb).diagnose(facts)
    diagnosis.similar_confirmed = similar(kb, facts, casebook_path)  # None without a casebook
    click.echo(Renderer(kb).output(diagnosis, fmt, reply, reply_style), nl=False)


@cli.command()
@click.argument("inputs", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True)
@url_option
@root_option
def facts(inputs: tuple[str, ...], fmt: str, urls: tuple[str, ...], root: str | None) -> None:
    """Show what was understood from FILE ... (or -), with sources, before trusting a diagnosis.

    Accepts the tool's case JSON, Zoom's JSON (manifests, app info, event subscriptions,
    webhook logs, settings, error bodies, webhooks, signaling messages), SDK logs and plain
    text such as a forum post or an e-mail.
    """
    from .ingest import read_case
    from .output.render import Renderer

    knowledge = _kb(root, one_case=True)
    resolved, reports = read_case(_inputs(inputs, urls), knowledge)
    renderer = Renderer(knowledge)
    if fmt == "json":
        click.echo(json.dumps(renderer.facts_view(resolved, reports), indent=2, ensure_ascii=False))
    else:
        click.echo(renderer.facts(resolved, reports), nl=False)


@cli.command()
@click.argument("code", nargs=-1, required=True)
@root_option
def explain(code: tuple[str, ...], root: str | None) -> None:
    """What a code means and the causes behind it, ranked.

    CODE is a number (2310, 13262) or KIND NUMBER: 'stop_reason 18', 'status 3' (both handshake
    numberings), 'legacy_status 15', 'close 1000', 'sdk invalid_status'.
    """
    from .reasoning.diagnosis import Doctor
    from .reasoning.explain import diagnose_readings, readings
    from .output.render import Renderer

    knowledge = _kb(root, one_case=True)
    found = readings(knowledge, code)
    diagnosis = diagnose_readings(Doctor(knowledge), found)
    click.echo(Renderer(knowledge).explain(" ".join(code), found, diagnosis), nl=False)


@cli.command()
@click.argument("inputs", nargs=-1)
@click.option("--answers", "answers_file", type=click.Path(dir_okay=False),
              help="Run unattended: a YAML or JSON mapping of fact path to answer ('?' = don't know).")
@click.option("--save", "save_file", type=click.Path(dir_okay=False), help="Write the gathered facts as case JSON.")
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True)
@click.option("--reply", is_flag=True, help="End with the forum reply instead of the staff report.")
@click.option("--interactive", is_flag=True, help="Ask on standard input even when it is not a terminal.")
@root_option
def ask(inputs: tuple[str, ...], answers_file: str | None, save_file: str | None, fmt: str, reply: bool,
        interactive: bool, root: str | None) -> None:
    """Ask only what changes the answer, one question at a time, starting from FILE ... (optional).

    At each question: an answer, '?' (don't know), 'back', 'why' or 'done'. The questions and
    the current top three go to stderr; the final report (as `diagnose`) to stdout.
    """
    from .reasoning.diagnosis import Doctor
    from .ingest import read_case
    from .ingest.reader import read_text
    from .reasoning.questionnaire import AnswerError, Session, code_names, load_answers, parse_answer
    from .output.render import Renderer

    knowledge = _kb(root)
    start, signs = [], []
    if inputs:
        read = read_case(inputs, knowledge)[0]
        start, signs = read.observations(), list(read.signs)  # the post's words weigh as in diagnose
    answers = None
    if answers_file:
        label, text = read_text(answers_file)
        answers = load_answers(text, label)
        unknown = sorted(k for k in answers if k not in knowledge.schema)
        if unknown:
            raise InputError(f"{label}: unknown fact '{unknown[0]}' (see `rtms-doctor schema`)")
        for path, value in sorted(answers.items()):  # every answer, asked or not, must fit
            try:
                parse_answer(knowledge.schema[path], value, code_names(knowledge, path))
            except AnswerError as exc:
                raise InputError(f"{label}: answer for {path}: {exc}") from None
    elif sys.stdin is None or sys.stdin.closed:
        raise InputError("ask has no standard input to read the answers from; give them with --answers FILE")
    elif not (interactive or (sys.stdin is not None and sys.stdin.isatty())):
        raise InputError("ask needs a terminal to ask its questions; give the answers with --answers FILE "
                         "(YAML or JSON: fact path -> answer), or pipe them with --interactive")
    session = Session(Doctor(knowledge), start, max_questions=knowledge.policy.ask_max_questions, signs=signs)
    say = lambda text="": click.echo(text, err=True)  # noqa: E731
    while True:
        path = session.next_question()
        if path is None:
            stop = {"clear": "the leading cause is clear", "limit": f"{session.max_questions} questions asked",
                    "exhausted": "no remaining question could change the ranking"}[session.stopped]
            break
        spec = knowledge.schema[path]
        number = len(session.steps) + 1
        if answers is not None:
            value = answers.get(path)
            try:
                session.answer(path, value)
            except AnswerError as exc:  # pragma: no cover - every answer was checked above
                raise InputError(f"{label}: answer for {path}: {exc}") from None
            shown = session.steps[-1].value
            say(f"Q{number}. {spec.ask}\n    -> {'(not known)' if shown is None else shown}")
        else:
            if not _ask_one(session, path, number, say):
                stop = "stopped on request"
                break
        shown = session.top()
        say("    Now: " + "; ".join(f"{i}. {r.cause.title} ({r.status.replace('_', ' ')}, {round(r.confidence * 100)}%)"
                                     for i, r in enumerate(shown, start=1)))
    say(f"Done after {len(session.steps)} question(s): {stop}.")
    report = Renderer(knowledge).output(session.diagnosis(questions=True), fmt, reply)
    if save_file:
        from .outlet import write_text

        try:  # through the outlet: answers are redacted there too
            write_text(Path(save_file), json.dumps(session.case_json(), indent=2, ensure_ascii=False) + "\n")
        except OSError as exc:  # the report is not lost: print it, then the error
            click.echo(report, nl=False)
            raise InputError(f"{save_file}: cannot write: {exc.strerror or exc}") from None
        say(f"Facts saved to {save_file}")
    click.echo(report, nl=False)


WHY_SHOWN = 6  # causes 'why' names, the leading candidates first


def _ask_one(session, path: str, number: int, say) -> bool:  # type: ignore[no-untyped-def]
    """Ask one question on the terminal until it is answered; False when the person is done."""
    from .reasoning.questionnaire import AnswerError

    spec = session.doctor.kb.schema[path]
    while True:
        say(f"\nQ{number}. {spec.ask}")
        say(f"    Where to look: {spec.where}")
        choices = [("yes" if c is True else "no" if c is False else str(c)) for c in spec.choices]
        if choices:
            say("    " + "  ".join(f"[{i}] {c}" for i, c in enumerate(choices, start=1)))
        say("    (or ? = don't know, back, why, done)")
        try:
            text = click.prompt("answer", default="", show_default=False, err=True)
        except (click.exceptions.Abort, EOFError):
            return False  # end of input: never hang
        command = text.strip().lower()
        if command == "done":
            return False
        if command == "why":
            decided = session.why(path)
            for cause_id, title, rules in decided[:WHY_SHOWN]:
                say(f"    decides {title} ({cause_id}):")
                for rule in rules:
                    say(f"      - {rule}")
            if len(decided) > WHY_SHOWN:  # a triage question decides nearly every cause
                say(f"    ... and {len(decided) - WHY_SHOWN} more of the candidates, down the ranking")
            continue
        if command == "back":
            undone = session.back()
            say(f"    (took back the answer about {undone})" if undone else "    (nothing to take back)")
            return True
        if spec.element_type == "bool" and command.isdigit() and choices:
            text = {"1": "yes", "2": "no"}.get(command, text)
        try:
            session.answer(path, text)
            return True
        except AnswerError as exc:
            say(f"    {exc}")


def _progress(total: int, label: str):  # type: ignore[no-untyped-def]
    """A progress bar on a terminal (stderr), nothing otherwise."""
    if not sys.stderr.isatty():
        return None
    from .outlet import raw

    # drawn with a carriage return, which the outlet would strip; its text is the tool's own
    return click.progressbar(length=total, label=label, file=raw(sys.stderr))


def _jobs(jobs: int) -> int:
    return jobs if jobs > 0 else (os.cpu_count() or 1)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="rtms-doctor-reports",
              show_default=True, help="Folder for one report per case and the summary.")
@click.option("--format", "fmt", type=click.Choice(["markdown", "json", "reply"]), default="markdown", show_default=True)
@click.option("--summary", "summary_fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True,
              help="summary.md is always written; also summary.csv or summary.json.")
@click.option("--jobs", type=int, default=0, help="Worker processes (0 = one per core).")
@root_option
def batch(paths: tuple[str, ...], out_dir: str, fmt: str, summary_fmt: str, jobs: int, root: str | None) -> None:
    """Diagnose many cases: files, or folders of cases (a sub-folder = one case of several files)."""
    from itertools import islice

    from .batch import iter_cases, run_cases, summary_rows
    from .batch_files import BatchOutput, BatchStore
    from .output.render import Renderer

    # what grows with the number of cases (the cases, the report names, the summary rows) is
    # kept on disk, and each report is written and dropped as it comes: memory stays flat
    store = BatchStore()
    try:
        count = store.add_cases(iter_cases(paths, store.sorted_names))
        knowledge = _kb(root)  # fails early, before any worker starts, on a broken KB
        out = Path(out_dir)
        suffix = {"markdown": ".md", "json": ".json", "reply": ".reply.md"}[fmt]
        files = BatchOutput(out, store, suffix)  # every write goes through it
        bar = _progress(count, "diagnosing")
        with (bar or _NullBar()) as progress:
            for outcome in run_cases(store.cases(), root, fmt, _jobs(jobs), progress.update, count=count):
                if outcome.error:
                    store.fail(outcome.name)
                else:
                    files.report(outcome.name, outcome.report)
                store.add_row(summary_rows([outcome])[0])
        files.finish(Renderer(knowledge).batch_summary_pieces, summary_fmt)
        rows, errors, failed = store.row_count(), store.failures(), list(islice(store.failed(), 10))
    finally:
        store.close()
    click.echo(f"batch: {rows} case(s), {errors} with errors; reports and summary in {out}", err=True)
    if errors:  # exit 2, naming them
        raise InputError(f"{errors} case(s) failed: {', '.join(failed)}{' ...' if errors > 10 else ''} "
                         f"(see summary.md)")


@cli.command("eval")
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True)
@click.option("--jobs", type=int, default=0, help="Worker processes (0 = one per core).")
@root_option
def eval_command(paths: tuple[str, ...], fmt: str, jobs: int, root: str | None) -> None:
    """Accuracy on labelled cases: each case folder holds its inputs and an expect.yaml
    (expected: [cause_id, ...]); a single file X.txt is labelled by X.expect.yaml."""
    from dataclasses import asdict

    from .batch import discover, evaluate, run_cases
    from .output.render import Renderer

    cases = [c for c in discover(paths) if c.expected]
    if not cases:
        raise InputError("no labelled case found (a case needs an expect.yaml with 'expected: [cause_id]')")
    knowledge = _kb(root)
    unknown = sorted({e for c in cases for e in c.expected if e not in knowledge.causes and e not in knowledge.aliases})
    if unknown:
        raise InputError(f"expect.yaml names unknown cause(s): {', '.join(unknown)}")
    bar = _progress(len(cases), "evaluating")
    with (bar or _NullBar()) as progress:
        outcomes = list(run_cases(cases, root, "none", _jobs(jobs), progress.update))
    figures = evaluate(outcomes)
    if fmt == "json":
        click.echo(json.dumps(asdict(figures), indent=2, ensure_ascii=False))
    else:
        click.echo(Renderer(knowledge).eval_report(asdict(figures)), nl=False)


class _NullBar:
    def __enter__(self) -> "_NullBar":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int) -> None:
        return None


@cli.group()
def kb() -> None:
    """Browse the knowledge base."""


@kb.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@root_option
def kb_list(fmt: str, root: str | None) -> None:
    """List the causes."""
    knowledge = _kb(root)
    rows = [{"id": c.id, "title": c.title, "group": c.group, "status": c.status}
            for c in knowledge.causes.values()]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    width = max((len(r["id"]) for r in rows), default=10)
    for row in rows:
        click.echo(f"{row['id']:<{width}}  {row['group']:<15}  {row['title']}")


@kb.command("stats")
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True)
@root_option
def kb_stats(fmt: str, root: str | None) -> None:
    """Causes, rules and cases per group, and the causes that lack a ruled-out case."""
    from .knowledge.stats import kb_stats as compute
    from .output.render import Renderer

    knowledge = _kb(root)
    stats = compute(knowledge)
    if fmt == "json":
        click.echo(json.dumps(stats, indent=2))
    else:
        click.echo(Renderer(knowledge).stats(stats), nl=False)


@kb.command("show")
@click.argument("cause_id")
@root_option
def kb_show(cause_id: str, root: str | None) -> None:
    """Show one cause with its rules."""
    from .output.render import Renderer

    knowledge = _kb(root)
    if cause_id not in knowledge.causes:
        raise InputError(f"no cause '{cause_id}' (see `rtms-doctor kb list`)")
    click.echo(Renderer(knowledge).cause(cause_id), nl=False)


@cli.command()
@root_option
def lint(root: str | None) -> None:
    """Check the knowledge base, rules, their cases and the templates."""
    from .lint import lint as run_lint
    from .output.template_check import template_problems

    knowledge = _kb(root)
    findings = run_lint(knowledge, render_check=template_problems)
    for finding in findings:
        click.echo(str(finding), err=True)
    if findings:
        click.echo(f"lint: {len(findings)} problem(s)", err=True)
        sys.exit(1)
    cases = sum(len(r.cases) for r in knowledge.rules)
    click.echo(f"lint: ok ({len(knowledge.causes)} causes, {len(knowledge.rules)} rules, "
               f"{cases} rule cases, {len(knowledge.schema.specs)} facts; KB {knowledge.version})")


@cli.command()
@root_option
def schema(root: str | None) -> None:
    """Print the JSON Schema of the case JSON (the facts model)."""
    from .knowledge.facts import load_fact_schema

    click.echo(json.dumps(load_fact_schema(_roots(root).kb).json_schema(), indent=2, ensure_ascii=False))


# -- the casebook: confirmed causes (engine/casebook) ------------------------------------------

@cli.command()
@click.argument("inputs", nargs=-1)
@click.option("--cause", required=True, help="The cause staff confirmed: a cause id or catalog alias (kb list).")
@click.option("--note", default="", help="A short note (redacted before it is stored).")
@url_option
@casebook_option
@root_option
def confirm(inputs: tuple[str, ...], cause: str, note: str, urls: tuple[str, ...], casebook_path: str | None,
            root: str | None) -> None:
    """Keep a case whose cause was confirmed: its redacted facts, the text signs it showed,
    the ranking the tool gave and the confirmed cause go into the casebook."""
    from .casebook import confirm as store, resolve_path
    from .casebook.record import check_cause
    from .reasoning.diagnosis import Doctor
    from .ingest import read_inputs

    kb = _kb(root)
    check_cause(kb, cause)  # an unknown cause fails before any input is read
    facts = read_inputs(_inputs(inputs, urls), kb)
    diagnosis = Doctor(kb).diagnose(facts, questions=False)
    case_id = store(kb, facts, diagnosis.causes, cause, note, casebook_path, diagnosis.off_topic)
    first = next((r.cause.id for r in diagnosis.causes if r.status in ("likely", "possible")), None)
    shown = "".join(c for c in str(resolve_path(casebook_path)) if c.isprintable())
    click.echo(f"casebook: case {case_id} confirmed as {cause} (the tool's first answer: {first or 'none'}) in {shown}")


@cli.group("casebook")
def casebook_group() -> None:
    """Browse the confirmed cases: list, show ID, export DIR (eval format), stats."""


def _open_casebook(path: str | None):  # type: ignore[no-untyped-def]
    from .casebook import resolve_path
    from .casebook.store import open_casebook

    target = resolve_path(path)
    book = open_casebook(target, create=False) if target else None
    if book is None:
        raise InputError(f"no casebook at {target or '(turned off)'}; `rtms-doctor confirm` creates it")
    return book


def _casebook_out(kb, template: str, fmt: str, data: Any, **names: Any) -> None:  # type: ignore[no-untyped-def]
    from .output.render import Renderer

    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo(Renderer(kb).env.get_template(template).render(**names), nl=False)


casebook_format = click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown",
                               show_default=True)


@casebook_group.command("list")
@casebook_format
@casebook_option
@root_option
def casebook_list(fmt: str, casebook_path: str | None, root: str | None) -> None:
    """Every confirmed case, oldest first."""
    from .casebook.views import list_view

    kb = _kb(root)
    with _open_casebook(casebook_path) as book:
        rows = list_view(kb, book.cases())
    _casebook_out(kb, "casebook-list.md.j2", fmt, rows, rows=rows)


@casebook_group.command("show")
@click.argument("case_id", type=int)
@casebook_format
@casebook_option
@root_option
def casebook_show(case_id: int, fmt: str, casebook_path: str | None, root: str | None) -> None:
    """One confirmed case: cause, note, the ranking the tool gave, facts and signs."""
    from .casebook.views import show_view

    kb = _kb(root)
    with _open_casebook(casebook_path) as book:
        case = book.get(case_id)
    if case is None:
        raise InputError(f"no case {case_id} in the casebook (see `rtms-doctor casebook list`)")
    view = show_view(kb, case)
    _casebook_out(kb, "casebook-show.md.j2", fmt, view, c=view)


@casebook_group.command("export")
@click.argument("folder", type=click.Path(file_okay=False))
@casebook_option
@root_option
def casebook_export(folder: str, casebook_path: str | None, root: str | None) -> None:
    """Write every confirmed case to FOLDER in the eval format (casebook-N/case.json and
    expect.yaml), so that `rtms-doctor eval FOLDER` measures the tool on them."""
    from .casebook.views import export

    kb = _kb(root)
    with _open_casebook(casebook_path) as book:
        written = export(kb, book.cases(), Path(folder))
    click.echo(f"casebook: {len(written)} case(s) exported to {folder}", err=True)


@casebook_group.command("stats")
@casebook_format
@casebook_option
@root_option
def casebook_stats(fmt: str, casebook_path: str | None, root: str | None) -> None:
    """Where the tool's first answer disagreed with the confirmed cause, by cause (most
    disagreements first: what the knowledge base should fix first)."""
    from .casebook.views import stats_view

    kb = _kb(root)
    with _open_casebook(casebook_path) as book:
        stats = stats_view(kb, book.cases())
    _casebook_out(kb, "casebook-stats.md.j2", fmt, stats, s=stats)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; other than loopback, every request needs the token.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port (0 = any free port; the URL printed says which).")
@click.option("--token", default=None, help="Token requests must carry (generated and printed when --host is "
                                             "not loopback and none is given).")
@root_option
def serve(host: str, port: int, token: str | None, root: str | None) -> None:
    """The web page for support staff: paste or drop a case, see the diagnosis, answer
    questions, copy the reply. Stop with Ctrl+C."""
    from .web.server import serve as run

    run(_kb(root), host, port, token)


def main(argv: list[str] | None = None) -> Any:
    """Entry point: maps our errors to exit statuses, and never shows a traceback.

    Everything printed passes the outlet (control characters stripped, secrets redacted):
    an error message may quote the input. I/O errors (a full disk, an unwritable --out or
    --save, an output encoding that cannot hold the report) are one line and exit 2; a reader
    that left (a broken pipe, `| head`) or a closed stdout ends quietly with status 0."""
    from .outlet import ReaderLeft, guard_streams

    previous = guard_streams()
    try:
        result = cli.main(args=argv, prog_name="rtms-doctor", standalone_mode=False)
        _flush_stdout()
        return result
    except click.exceptions.Abort:
        _fail("aborted")
    except click.ClickException as exc:
        hint = " (see rtms-doctor --help)" if isinstance(exc, click.UsageError) else ""
        _fail(f"error: {exc.format_message()}{hint}")
    except InputError as exc:
        _fail(f"error: {exc}")
    except KnowledgeError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        click.echo(f"rtms-doctor: the knowledge base is broken ({len(exc.problems)} problem(s)); nothing was run", err=True)
        sys.exit(3)
    except EngineError as exc:
        click.echo(f"rtms-doctor: engine error: {exc}", err=True)
        sys.exit(3)
    except (BrokenPipeError, ReaderLeft):
        _quiet_stdout()
        sys.exit(0)
    except UnicodeEncodeError as exc:
        _fail(f"error: the output cannot be written in this terminal's encoding ({exc.encoding}); "
              f"use UTF-8 (e.g. PYTHONIOENCODING=utf-8)")
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else "cannot write the output: "
        _fail(f"error: {where}{exc.strerror or exc}")
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # last resort: still one line, never a traceback
        _fail(f"internal error: {type(exc).__name__}: {exc}", status=1)
    finally:
        sys.stdout, sys.stderr = previous


def _fail(message: str, status: int = 2) -> None:
    """One line on stderr (through the outlet), then exit."""
    try:
        from .outlet import one_line

        click.echo("rtms-doctor: " + one_line(message), err=True)  # it may quote the input
    except (OSError, ValueError, UnicodeEncodeError):
        pass
    sys.exit(status)


def _flush_stdout() -> None:
    """Write out what is buffered now, so that a full disk or a closed pipe is reported here."""
    if sys.stdout is not None:
        sys.stdout.flush()


def _quiet_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so that no later flush complains."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno())
    except (OSError, AttributeError, ValueError):
        pass


def entry() -> None:
    """The console script: main(), then leave without the interpreter's teardown.

    Teardown frees every module and object one by one (measured: ~13 ms of a ~110 ms cold
    diagnosis). By the time main() returns all output is written and every file it wrote is
    closed, so only stdout and stderr need flushing. main() is for callers in-process.

    The cyclic garbage collector is off until the knowledge base is loaded (cli._kb), and for
    a one-case command (diagnose, facts, explain) until exit: imports and unpickling allocate
    ~100,000 objects that all live until exit, and collecting while they are made cost ~5 % of
    a cold start."""
    gc.disable()
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = _status(exc.code)
    regex_cache.save()  # os._exit skips atexit
    code_cache.save()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a reader that left, a closed stream, a full disk (reported)
            pass
    os._exit(code)


def _status(code: object) -> int:
    """SystemExit's code as an exit status (a message is printed, as Python would)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


if __name__ == "__main__":  # pragma: no cover
    entry()
