"""Whole threads as input: a Discourse topic (/t/<id>.json) or a GitHub issue (REST JSON,
optionally with its comments), read the way staff read them.

The first post is the question and its author is the asker. The asker's later posts add facts;
everyone else's posts are context: their words (often guesses) never become facts or sign
matches of the asker's case. Quotes of earlier posts are dropped so nothing is read twice.
Each post read goes through the same redaction, section filter ("### Expected behavior" is not
what happened), text reader and signs matcher as pasted prose, with its own source label
(`topic.json#post 3`). Usernames never leave this module: people are "author" and
"other participant #N". Title and posts are redacted as they are parsed (this is where a
thread is read), before usernames become pseudonyms; each post is then read as pasted prose.
"""
from __future__ import annotations

import datetime as dt
import re
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from .redact import redact_text
from ..regex_cache import cached_compile

if TYPE_CHECKING:
    from .dispatch import Dispatch

DISCOURSE = "Discourse topic"
GITHUB = "GitHub issue"
AUTHOR = "author"
MAX_POST_CHARS = 400_000  # per post, before conversion (the text reader reads 100 KB of prose)
MAX_HTML_DEPTH = 60  # deeper HTML is flattened to its text (bounded recursion on hostile input)
MAX_TITLE_CHARS = 200

# Discourse post_type 3 = small action ("closed this topic"), not anyone's words
_SMALL_ACTION = 3
_HTML_COMMENT = cached_compile(r"<!--.*?-->", re.S)
_QUOTE_BBCODE = cached_compile(r"\[quote(?:=[^\]]{0,300})?\](?:(?!\[quote).)*?\[/quote\]", re.S | re.I)
_CONTROL = cached_compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Post:
    locator: str  # "post 3" (Discourse), "body" or "comment 2" (GitHub)
    who: str  # "author" or "other participant #N": never a username
    text: str  # plain text (code kept fenced), redacted, usernames replaced
    asker: bool


@dataclass
class Thread:
    kind: str
    title: str  # redacted, usernames replaced, one line
    posts: list[Post]


# -- recognising ------------------------------------------------------------------------------

def thread_kind(value: Any) -> str | None:
    """DISCOURSE or GITHUB when the JSON value is a thread, else None (strict: no Zoom shape
    has a post_stream or a user.login)."""
    if not isinstance(value, dict):
        return None
    stream = value.get("post_stream")
    if isinstance(stream, dict) and isinstance(stream.get("posts"), list) and \
            any(isinstance(p, dict) and "post_number" in p for p in stream["posts"]):
        return DISCOURSE
    user = value.get("user")
    if isinstance(value.get("title"), str) and "body" in value and isinstance(user, dict) \
            and isinstance(user.get("login"), str) and isinstance(value.get("number"), int):
        return GITHUB
    return None


class _People:
    """Pseudonyms in order of first appearance: the asker is "author"."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def of(self, username: str) -> str:
        key = username.strip().lower()
        if key not in self.names:
            self.names[key] = AUTHOR if not self.names else f"other participant #{len(self.names)}"
        return self.names[key]

    def scrub(self, text: str) -> str:
        """@mentions of the thread's participants replaced by their pseudonyms (only mentions:
        a username such as "node" must not erase the word from the post)."""
        for name, pseudonym in sorted(self.names.items(), key=lambda item: -len(item[0])):
            text = re.sub(rf"(?i)(?<![\w@])@{re.escape(name)}(?![\w/-])", "@" + pseudonym, text)
        return text


def _username(node: Any, *keys: str) -> str:
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, str) and node.strip() else "(unknown)"


def _title(raw: Any, people: _People) -> str:
    text = " ".join(_CONTROL.sub(" ", raw if isinstance(raw, str) else "").split())[:MAX_TITLE_CHARS]
    return people.scrub(redact_text(text)) or "(untitled)"


def parse_thread(value: dict[str, Any], kind: str, label: str = "thread") -> Thread:
    people = _People()
    drafts: list[tuple[str, str, str]] = []  # (locator, username key, text)
    if kind == DISCOURSE:
        posts = [p for p in value["post_stream"]["posts"] if isinstance(p, dict)
                 and isinstance(p.get("post_number"), int) and p.get("post_type", 1) != _SMALL_ACTION]
        posts.sort(key=lambda p: p["post_number"])
        for post in posts:
            who = _username(post, "username")
            people.of(who)
            raw = post.get("raw")
            if isinstance(raw, str) and raw.strip():  # what the person typed, when given
                text = _strip_bbcode_quotes(raw[:MAX_POST_CHARS])
            else:
                cooked = post.get("cooked")
                text = html_to_text(cooked[:MAX_POST_CHARS], people) if isinstance(cooked, str) else ""
            drafts.append((f"post {post['post_number']}", who, text))
    else:
        people.of(_username(value, "user", "login"))
        body = value.get("body")
        drafts.append(("body", _username(value, "user", "login"),
                       _without_comments(body[:MAX_POST_CHARS]) if isinstance(body, str) else ""))
        comments = value.get("comments")
        for number, comment in enumerate(comments if isinstance(comments, list) else [], start=1):
            if isinstance(comment, dict):
                who = _username(comment, "user", "login")
                people.of(who)
                text = comment.get("body")
                drafts.append((f"comment {number}", who,
                               _without_comments(text[:MAX_POST_CHARS]) if isinstance(text, str) else ""))
    if not drafts:
        raise InputError(f"{label}: the thread has no posts to read")
    out: list[Post] = []
    earlier: list[str] = []
    for locator, who, text in drafts:
        text = _drop_quoted_earlier(text, earlier) if earlier else text
        earlier.append(_squash(text))
        pseudonym = people.of(who)
        out.append(Post(locator, pseudonym, people.scrub(redact_text(text)), pseudonym == AUTHOR))
    return Thread(kind, _title(value.get("title"), people), out)


# -- text of a post ---------------------------------------------------------------------------

def _strip_bbcode_quotes(raw: str) -> str:
    for _ in range(20):  # nested quotes: innermost first, bounded
        stripped = _QUOTE_BBCODE.sub("", raw)
        if stripped == raw:
            break
        raw = stripped
    return _HTML_COMMENT.sub("", raw)


def _squash(text: str) -> str:
    return " ".join(re.sub(r"[>*_`#]", " ", text).split()).lower()


def _drop_quoted_earlier(text: str, earlier: list[str]) -> str:
    """Markdown quote blocks (> ...) that repeat an earlier post are a quote-reply: dropped.
    A quote of anything else (an error message, a log) stays, as in pasted prose."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not lines[i].lstrip().startswith(">"):
            out.append(lines[i])
            i += 1
            continue
        j = i
        while j < len(lines) and lines[j].lstrip().startswith(">"):
            j += 1
        quoted = _squash("\n".join(line.lstrip()[1:] for line in lines[i:j]))
        if not quoted or not any(quoted in post for post in earlier):
            out.extend(lines[i:j])
        else:
            out.extend("" for _ in lines[i:j])  # keep line numbers of what follows
        i = j
    return "\n".join(out)


def _without_comments(body: str) -> str:
    """Issue-template instructions (<!-- ... -->) are not the author's words; lines are kept
    so sources point into the body."""
    return _HTML_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), body)


def html_to_text(html: str, people: _People) -> str:
    """Discourse's cooked HTML as the text a person would paste: paragraphs and list items on
    their own lines, code blocks fenced (so the text reader treats them as code), blockquotes
    as > lines; quotes of other posts (aside.quote) and link previews (onebox) dropped."""
    from bs4 import BeautifulSoup  # imported only when a topic's HTML is read (~100 ms)

    with warnings.catch_warnings():  # e.g. "looks like a URL": a post may be just a link
        warnings.simplefilter("ignore")
        soup = BeautifulSoup(html, "html.parser")
    for node in soup.select("aside.quote, aside.onebox, div.onebox, script, style, img, .meta"):
        node.decompose()
    for mention in soup.select("a.mention"):
        handle = mention.get_text().lstrip("@")
        mention.replace_with("@" + people.of(handle) if handle else "")
    parts: list[str] = []
    _render(soup, parts, 0)
    text = "".join(parts)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


_BLOCKS = {"p", "div", "ul", "ol", "table", "tr", "details", "summary", "section", "article", "hr",
           "h1", "h2", "h3", "h4", "h5", "h6"}


def _render(node: Any, parts: list[str], depth: int) -> None:
    from bs4 import NavigableString, Tag
    from bs4.element import Comment, Doctype

    for child in node.children:
        if isinstance(child, (Comment, Doctype)):
            continue
        if isinstance(child, NavigableString):
            parts.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if depth > MAX_HTML_DEPTH:
            parts.append(child.get_text(" "))
        elif name == "pre":
            code = child.get_text().strip("\n")
            parts.append(f"\n```\n{code}\n```\n")
        elif name == "code":
            parts.append(f"`{child.get_text()}`")
        elif name == "br":
            parts.append("\n")
        elif name == "li":
            parts.append("\n- ")
            _render(child, parts, depth + 1)
            parts.append("\n")
        elif name == "blockquote":
            inner: list[str] = []
            _render(child, inner, depth + 1)
            lines = "".join(inner).strip("\n").split("\n")
            parts.append("\n" + "\n".join("> " + line for line in lines) + "\n")
        elif name in ("td", "th"):
            _render(child, parts, depth + 1)
            parts.append(" | ")
        elif name in _BLOCKS:
            level = int(name[1]) if name[0] == "h" and name[1:].isdigit() else 0
            parts.append("\n" + ("#" * level + " " if level else ""))
            _render(child, parts, depth + 1)
            parts.append("\n")
        else:
            _render(child, parts, depth + 1)


# -- reading a thread as a case ---------------------------------------------------------------

def _opened(value: dict[str, Any], kind: str) -> str | None:
    """The date the thread was opened (YYYY-MM-DD), from its created_at or its first post's."""
    found = value.get("created_at")
    if not isinstance(found, str) and kind == DISCOURSE:
        posts = [p for p in value["post_stream"]["posts"] if isinstance(p, dict) and p.get("post_number") == 1]
        found = posts[0].get("created_at") if posts else None
    if not isinstance(found, str) or not _ISO_DAY.match(found):
        return None
    try:
        return dt.date.fromisoformat(found[:10]).isoformat()
    except ValueError:
        return None


_ISO_DAY = cached_compile(r"\d{4}-\d{2}-\d{2}")


def read_thread(value: Any, label: str, via: Dispatch) -> tuple[list[Any], list[str], list[Any], dict[str, Any]] | None:
    """(observations, shapes, sign matches, what `facts` shows of the thread) of a thread, or
    None when the JSON value is not a thread. Called by reader.read_one before the other JSON
    shapes; each asker's post is read by the dispatcher exactly as pasted prose."""
    kind = thread_kind(value)
    if kind is None:
        return None
    thread = parse_thread(value, kind, label)
    per_post: list[list[Any]] = []
    signs: list[Any] = []
    shapes: list[str] = [kind]
    first = None
    for post in thread.posts:
        if not post.asker or not post.text.strip():
            continue
        em, _, post_signs = via.prose(post.text, f"{label}#{post.locator}")
        first = first or em
        per_post.append(em.observations)
        shapes.extend(s for s in em.shapes if s not in shapes)
        signs.extend(post_signs)
    opened = _opened(value, kind)
    if first is not None and opened and not any(o.path == "case.date" for o in first.observations):
        first.add("case.date", opened, "created_at")  # the thread's own date: when it was asked
    # Newer wins: every post is read as "text", and among sources of one kind the FactSet
    # keeps the first observation it was given, so the asker's latest post goes first. The
    # earlier value stays visible as a conflict. (Signs keep reading order: they only add.)
    observations = [obs for post in reversed(per_post) for obs in post]
    about = {
        "kind": kind, "title": thread.title, "author": AUTHOR,
        "asker_posts": [p.locator for p in thread.posts if p.asker],
        "context_posts": [{"post": p.locator, "by": p.who} for p in thread.posts if not p.asker],
    }
    return observations, shapes, signs, about
