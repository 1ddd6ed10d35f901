"""The one way out: every byte the tool writes passes `clean()`.

stdout and stderr are wrapped (`guard_streams`, installed by the CLI before any command runs);
files go through `write_text`; names that become file names through `file_name`; CSV cells
through `csv_cell`. `clean()` strips what could drive a terminal (C0 controls but newline and
tab, DEL, C1 controls, ESC/CSI/OSC/DCS sequences, bidi embeddings, overrides, isolates and marks)
and redacts: what is secret by its shape, personal data, and every value masked anywhere in the
current case (input values were fully redacted at ingest; text that comes from the input as it
is, such as an error message, a case name or an answer, goes through `clean_input`, the full
redactor).
The future web page is meant to send its text through `clean()` too.
"""
from __future__ import annotations

import io
import os
import re
import sys
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TextIO

from .regex_cache import cached_compile

# ESC sequences (7-bit) and their 8-bit C1 forms: CSI ... final, OSC/DCS/SOS/PM/APC ... ST or BEL
_SEQUENCES = cached_compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]{0,4096}(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?")
_CONTROLS = cached_compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def strip_controls(text: str) -> str:
    """Text that cannot move a cursor, recolour, retitle, link, ring or reorder a terminal."""
    if text.isascii() and text.isprintable():
        return text
    # every sequence starts with a control character (\x1b, \x9b, \x90...): with none and no
    # carriage return, nothing below changes the text (one search, not two subs, on a big paste)
    if "\r" not in text and _CONTROLS.search(text) is None:
        return text
    text = _SEQUENCES.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", text)


def clean(text: str) -> str:
    """What may leave the tool: no control character, nothing secret. Used on whole outputs,
    which mix the knowledge base's text with input values already redacted at ingest: see
    redact_shapes (what is secret by its shape, personal data, and the case's secret set)."""
    from .ingest.redact import redact_shapes, scrub

    lines = _by_line(text)
    if lines is not None:  # the same result, line by line (see _by_line), then the case's secret set
        return scrub(lines).encode("utf-8", "replace").decode("utf-8")
    return redact_shapes(strip_controls(text)).encode("utf-8", "replace").decode("utf-8")


# Lines (and table cells, see _CELL) that strip_controls and redact_shapes (but for its final
# scrub) leave as they are and that remember no value: most of a report is the knowledge
# base's own text, the same in every case, so each such line is checked once per process.
# Only lines that come out unchanged are kept, so nothing here is more than what has already
# been written out. Bounded: once full, it keeps what it has (the knowledge base's lines come
# first) and adds nothing. 6,000 lines, ~1 MB: at 20,000 the case-specific lines of a long batch
# (file names, values) kept filling it past 10,000 cases, against batch's flat-memory target.
_CLEAN_LINES: set[str] = set()
_CLEAN_LINES_MAX = 6_000
# a line ending in a credential word (then a colon or spaces): Bearer/Basic/Digest may take
# its credential from the next line, so that text goes through the whole-text path
_JOINT_CREDENTIAL = cached_compile(r"(?i)(?:bearer|basic|digest):?[^\S\n]*(?:\n|\Z)")
_CREDENTIAL_WORDS = ("bearer", "basic", "digest")


def _ends_in_credential_word(lowered: str) -> bool:
    """_JOINT_CREDENTIAL.search(text) for a text whose redact._lowered form is LOWERED: a line
    ending in a credential word, a colon maybe, then white space. The regex, which has no
    literal to look for first, tries every position; this looks only where the words stand."""
    for word in _CREDENTIAL_WORDS:
        i = lowered.find(word)
        while i >= 0:
            end = lowered.find("\n", i)
            tail = lowered[i + len(word):end if end >= 0 else len(lowered)]
            tail = tail[1:] if tail[:1] == ":" else tail
            if not tail or tail.isspace():  # isspace is the regex's \s (the tail holds no line break)
                return True
            i = lowered.find(word, i + 1)
    return False


# Table cells: a line is cleaned cell by cell, cut where it holds " | " (the report's table
# rows, whose cells recur across cases where the rows do not). No pattern of redact_shapes or
# _personal starts with a space or a bar, ends with a space, or has a character class that
# holds both a space and a bar (only the PEM block's, which goes whole): so no match touches
# " | "; and each of their lookarounds reads a space as it reads a line break.
_CELL = " | "


def _by_line(text: str) -> str | None:
    """redact_shapes(strip_controls(text)) without its final scrub, worked out line by line
    (and cell by cell, see _CELL), or None where that could differ from the whole-text pass: a
    control character or carriage return (strip_controls' sequences run across lines), a PEM
    block (spans lines), a line ending in a credential word, or an obfuscated e-mail mark (its
    spaces may be newlines).
    Every other pattern of redact_shapes and _personal consumes no newline and treats one as
    it treats the start or end of the text, and the replacements hold none, so each line comes
    out as it would from the whole text; the values a line's matches remember are the same
    too (they depend on the match alone) and are added to the case's secret set. The pieces
    not known clean go through those patterns together, once each, joined by newlines."""
    from .ingest import redact

    out = text.split("\n")
    # each distinct line once (a big report repeats the pasted text's lines): the cells come in
    # the order of their first line, as they would from every line
    rows = {line: line.split(_CELL) for line in dict.fromkeys(out) if line not in _CLEAN_LINES}
    if not rows:
        return text
    unknown = list(dict.fromkeys(cell for row in rows.values() for cell in row if cell not in _CLEAN_LINES))
    if not unknown:  # every cell known clean: so are their lines
        return text
    rest = "\n".join(unknown)
    lowered = redact._lowered(rest)  # a credential word can only match where it stands lowered
    joint = _JOINT_CREDENTIAL.search(rest) if lowered is None else _ends_in_credential_word(lowered)
    if "\r" in rest or _CONTROLS.search(rest) or "-----BEGIN " in rest or joint \
            or redact.spelled_mark("\n" + redact.fold(rest)[0] + "\n"):
        return None
    done, remembered = redact.shapes_apart_lines(rest)
    pieces = done.split("\n")
    if len(pieces) != len(unknown):
        return None
    changed = {piece: result for piece, result in zip(unknown, pieces) if result != piece}
    if not remembered:
        for piece in unknown:
            if piece not in changed and len(_CLEAN_LINES) < _CLEAN_LINES_MAX:
                _CLEAN_LINES.add(piece)  # unchanged, nothing remembered: clean
    if not changed:
        return text
    fixed = {line: _CELL.join(changed.get(cell, cell) for cell in row)
             for line, row in rows.items() if any(cell in changed for cell in row)}
    return "\n".join([fixed.get(line, line) for line in out])


def clean_input(text: str) -> str:
    """Text that came from the input as it is (an error message quoting it, a case name, an
    answer): the full redactor, as at ingest."""
    from .ingest.redact import redact_text

    return clean(redact_text(strip_controls(str(text))))


def one_line(text: str) -> str:
    return " ".join(clean_input(str(text)).split())


def file_name(name: str) -> str:
    """A case name made safe as a file name: cleaned, no separators or leading dots."""
    text = one_line(name).replace("/", "_").replace("\\", "_").replace("\x00", "")
    text = re.sub(r"[\[\]]", "", text).strip(". ") or "case"
    return text[:150]


def csv_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    if not isinstance(value, str):
        return value
    text = one_line(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_text(path: Path, text: str) -> None:
    """Write a file through the outlet, atomically (a temporary file beside it, then rename)."""
    _write_atomic(Path(path), (clean(text),))


def write_pieces(path: Path, pieces: Callable[[], Iterable[str]]) -> None:
    """`write_text(path, "".join(pieces()))`, byte for byte, without holding the whole text
    (a batch summary of 100k cases): the text is cleaned in runs of whole lines. PIECES is
    called again when a second pass is needed.

    A run ends at a line break only where no pattern of `clean` can match across it: none of
    them holds a line break but the credential after `Bearer` and the spelled-out e-mail
    (`x [at] y dot com`), which the break is kept away from, and the PEM block and the
    terminal sequences, whose presence sends the whole text through `write_text`. Values
    masked while cleaning are scrubbed case-wide, also before the place they were found: so
    when the first pass masks a new value, a second pass writes the file again."""
    from .ingest.redact import case_secrets

    path = Path(path)
    known = len(case_secrets())
    try:
        _write_atomic(path, _clean_runs(pieces()))
    except _WholeText:
        write_text(path, "".join(pieces()))
        return
    if len(case_secrets()) != known:
        _write_atomic(path, _clean_runs(pieces()))


class _WholeText(Exception):
    """The text holds what `clean` may match across lines: clean it as one piece."""


_ACROSS_LINES = cached_compile("-----BEGIN|[\x1b\x80-\x9f]")
_RUN = 1 << 16


def _clean_runs(pieces: Iterable[str]) -> Iterator[str]:
    buffer: list[str] = []
    size = 0
    pending = ""
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size < _RUN or "\n" not in piece:
            continue
        text = "".join(buffer)
        cut = text.rindex("\n") + 1
        buffer, size = [text[cut:]], len(text) - cut
        pending, done = _next_run(pending, text[:cut])
        if done:
            yield clean(done)
    pending, done = _next_run(pending, "".join(buffer))
    for text in (done, pending):
        if text:
            yield clean(text)


def _next_run(pending: str, lines: str) -> tuple[str, str]:
    """(what stays pending, what may be cleaned now) once LINES follow PENDING."""
    if _ACROSS_LINES.search(lines):
        raise _WholeText()
    lines = strip_controls(lines)  # as clean() would, so that the break is judged as clean() sees it
    if not pending or not lines:
        return pending + lines, ""
    if _break_is_safe(pending, lines):
        return lines, pending
    return pending + lines, ""


def _break_is_safe(before: str, after: str) -> bool:
    """No pattern of `clean` can match across the line break that ends BEFORE: the credential
    after Bearer/Basic/Digest (the name before the break, only white space between) and the
    spelled-out e-mail (white space next to `at` or `dot` across the break). White space
    longer than the 40 characters looked at counts as unsafe."""
    from .ingest.redact import fold

    tail, head = fold(before[-40:-1])[0].rstrip(), fold(after[:40])[0].lstrip()
    if not tail or not head:
        return False
    if re.search(r"(?:bearer|basic|digest):?$", tail) or tail.endswith(":"):
        return False
    return not (tail.rstrip("])}").endswith(("at", "dot")) or head.lstrip("[({").startswith(("at", "dot")))


def _write_atomic(path: Path, chunks: Iterable[str]) -> None:
    """Write cleaned CHUNKS to a temporary file beside PATH, then rename it to PATH."""
    import tempfile  # only files written need it (~3 ms of a cold start that writes to stdout)

    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent or ".", prefix=".rtms-doctor-",
                                         suffix=".tmp", delete=False, newline="")
    try:
        with handle:
            for data in chunks:
                handle.write(data)
        mask = os.umask(0)  # a temporary file is 0600; the file gets the usual permissions
        os.umask(mask)
        os.chmod(handle.name, 0o666 & ~mask)
        os.replace(handle.name, path)
    except BaseException:
        try:
            os.unlink(handle.name)
        except OSError:
            pass
        raise


class ReaderLeft(Exception):
    """stdout's reader went away (a broken pipe, `| head`): not an OSError, so that click does
    not turn it into exit status 1; the CLI ends quietly with status 0."""


class Guarded(io.TextIOBase):
    """A text stream that cleans everything written to it before passing it on."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.stream, "errors", None)

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        try:
            return self.stream.isatty()
        except (ValueError, OSError):
            return False

    def fileno(self) -> int:
        return self.stream.fileno()

    def write(self, text: str) -> int:  # type: ignore[override]
        if not isinstance(text, str):
            raise TypeError("write() argument must be str")
        try:
            self.stream.write(clean(text))
        except BrokenPipeError:
            raise ReaderLeft() from None
        return len(text)

    def flush(self) -> None:
        try:
            self.stream.flush()
        except BrokenPipeError:
            raise ReaderLeft() from None

    @property
    def closed(self) -> bool:  # type: ignore[override]
        return self.stream.closed


def guard_streams() -> tuple[TextIO, TextIO]:
    """Wrap sys.stdout and sys.stderr (once); returns the previous pair to restore."""
    previous = (sys.stdout, sys.stderr)
    if sys.stdout is not None and not isinstance(sys.stdout, Guarded):
        sys.stdout = Guarded(sys.stdout)  # type: ignore[assignment]
    if sys.stderr is not None and not isinstance(sys.stderr, Guarded):
        sys.stderr = Guarded(sys.stderr)  # type: ignore[assignment]
    return previous  # type: ignore[return-value]


def raw(stream: Any) -> Any:
    """The stream under a guard (for the progress bar, which draws with a carriage return)."""
    return stream.stream if isinstance(stream, Guarded) else stream
