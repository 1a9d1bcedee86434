"""A comment made safe to show: checked before pandoc, then only formatted text passes through."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from ..formatting import number
from ..programs import convert_text

# What bounds the time a comment takes to render, not only to read: pandoc's Typst writer takes
# time in the square of a word's length (a 200.000-character word took minutes), and nesting
# becomes recursion (300 levels of lists gave a RecursionError). Both are refused, with the line,
# before pandoc sees the text.
MAX_BYTES = 100 * 1024  # some 15.000 words; 900 KB of ordinary text took 93 s and 680 MB to build


MAX_WORD = 1_000  # characters without a space or tab: a long link fits


MAX_DEPTH = 20  # lists and quotes in one another, or emphasis and brackets in one another


NO_COMMENT = "*Ingen bemærkning for dette år.*"


LINK_SCHEMES = ("https", "http", "mailto")


LONG_WORD = 40  # characters without a break opportunity before one is added


_BREAK = "\u200b"  # zero-width space: a line may break here, nothing is shown


_READER = "commonmark-raw_html+sourcepos"


# Control characters (but tab and newline), bidi embeddings/overrides/isolates and marks,
# the BOM and line/paragraph separators: invisible, and able to turn text around.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                        "\u2066-\u2069\u2028\u2029\ufeff\ufff9-\ufffb]")


def clean_text(text: str) -> str:
    """Text without control and bidi characters (tabs and line breaks stay)."""
    return _INVISIBLE.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))


def _pandoc_json(text: str, reader: str) -> dict:
    return json.loads(convert_text(text, "json", reader, extra_args=["--sandbox"]))


def _pos(node: dict) -> int | None:
    """The source line pandoc recorded for a node (sourcepos), if any."""
    c = node.get("c")
    attr = c[0] if isinstance(c, list) and c and isinstance(c[0], list) and len(c[0]) == 3 else None
    if attr and isinstance(attr[2], list):
        for key, value in attr[2]:
            if key == "data-pos":
                m = re.match(r"(\d+):", value)
                return int(m.group(1)) if m else None
    return None


class _Sanitiser:
    """Rebuilds a pandoc AST from allowed elements only; records what it had to refuse."""

    def __init__(self, sections_allowed: bool = False):
        self.problems: list[tuple[int, str]] = []
        self.sections_allowed = sections_allowed  # whole file: '#'/'##' headings are structure
        self.line = 1

    def refuse(self, message: str) -> None:
        self.problems.append((self.line, message))

    def blocks(self, blocks: list) -> list:
        out = []
        for b in blocks:
            self.line = _pos(b) or self.line
            t, c = b.get("t"), b.get("c")
            if t == "Div":
                out += self.blocks(c[1])
            elif t in ("Para", "Plain"):
                out.append({"t": t, "c": _trim(self.inlines(c))})
            elif t == "BulletList":
                out.append({"t": t, "c": [self.blocks(item) for item in c]})
            elif t == "OrderedList":
                start = c[0][0] if isinstance(c[0][0], int) else 1
                out.append({"t": t, "c": [[start, {"t": "Decimal"}, {"t": "Period"}],
                                          [self.blocks(item) for item in c[1]]]})
            elif t == "BlockQuote":
                out += self.blocks(c)
            elif t in ("CodeBlock", "RawBlock"):
                out.append({"t": "Para", "c": _plain(c[1].strip())})
            elif t == "LineBlock":
                lines = [self.inlines(line) for line in c]
                joined = []
                for i, line in enumerate(lines):
                    joined += ([{"t": "LineBreak"}] if i else []) + line
                out.append({"t": "Para", "c": joined})
            elif t == "Header":  # in the whole file, `check` judges the headings
                if not self.sections_allowed:
                    self.refuse("overskrifter kan ikke bruges inde i en bemærkning; skriv "
                                "teksten som almindelig tekst (evt. **fed**)")
                out.append({"t": "Para", "c": self.inlines(c[2])})
            elif t == "HorizontalRule":
                continue
            else:  # tables, definition lists, figures … have no place in a comment
                self.refuse("her står noget, en bemærkning ikke kan indeholde (kun tekst, "
                            "**fed**, *kursiv*, punktopstillinger og links)")
        return out

    def inlines(self, inlines: list) -> list:
        out = []
        for node in inlines:
            self.line = _pos(node) or self.line
            t, c = node.get("t"), node.get("c")
            if t == "Str":
                out.append({"t": "Str", "c": _breakable(clean_text(c))})
            elif t in ("Space", "SoftBreak", "LineBreak"):
                out.append({"t": t})
            elif t in ("Emph", "Strong"):
                out.append({"t": t, "c": self.inlines(c)})
            elif t in ("Span", "Underline", "Strikeout", "SmallCaps", "Superscript",
                       "Subscript"):
                out += self.inlines(c[1] if t == "Span" else c)
            elif t == "Quoted":
                out += self.inlines(c[1])
            elif t == "Link":
                target = clean_text(c[2][0]).strip()
                text = self.inlines(c[1])
                if safe_link(target):
                    out.append({"t": "Link", "c": [["", [], []], text, [target, ""]]})
                else:
                    self.refuse(f"linket til {target[:80]!r} er ikke tilladt: et link skal "
                                "begynde med https://, http:// eller mailto:")
                    out += text
            elif t == "Image":
                self.refuse("billeder kan ikke bruges i en bemærkning")
                out += self.inlines(c[1])
            elif t in ("Code", "RawInline", "Math"):
                out += _plain(c[1])
            elif t == "Note":
                self.refuse("fodnoter kan ikke bruges i en bemærkning")
            elif t == "Cite":
                out += self.inlines(c[1])
            else:
                self.refuse("her står noget, en bemærkning ikke kan indeholde")
        return out


def _trim(inlines: list) -> list:
    """No space or line break at the end of a paragraph (a trailing hard break would be
    written as a lone backslash)."""
    while inlines and inlines[-1].get("t") in ("Space", "SoftBreak", "LineBreak"):
        inlines = inlines[:-1]
    return inlines


def safe_link(target: str) -> bool:
    """https://host…, http://host… or mailto:address; nothing else (javascript:, data:,
    file:, relative paths, '#', '')."""
    if not target or any(ch.isspace() for ch in target) or _INVISIBLE.search(target):
        return False
    try:
        parts = urlsplit(target)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme not in LINK_SCHEMES:
        return False
    if scheme == "mailto":
        return "@" in parts.path
    return bool(parts.netloc) and not parts.username and not parts.password


def _plain(text: str) -> list:
    """Text (code, raw HTML/Typst/LaTeX) as plain words, line breaks kept."""
    out: list = []
    for i, line in enumerate(clean_text(text).split("\n")):
        if i:
            out.append({"t": "LineBreak"})
        for j, word in enumerate(line.split()):
            if j:
                out.append({"t": "Space"})
            out.append({"t": "Str", "c": _breakable(word)})
    return out


def _breakable(word: str) -> str:
    """A very long word with break opportunities every LONG_WORD characters (it wraps)."""
    if len(word) <= LONG_WORD:
        return word
    return _BREAK.join(word[i:i + LONG_WORD] for i in range(0, len(word), LONG_WORD))


_TOO_DEEP = (f"teksten ligger i mere end {MAX_DEPTH} lag (lister i lister, citater (>) i citater "
             "eller fremhævning i fremhævning). Skriv den med højst et par lag")


_SPACES = re.compile(r"[ \t]+")


_MARKER = re.compile(r"[ \t]*(?:>|(?:[-+*]|[0-9]{1,9}[.)])(?=[ \t]|$))")


_INLINE = re.compile(r"\*+|_+|!?\[|\]")


def body_problems(body: str) -> list[tuple[int, str]]:
    """(line, Danish message) for what a comments file holds that a comment may not: first its
    shape (long words, deep nesting), then, only for text of a sane shape, what pandoc reads."""
    found = shape_problems(body)
    if found:  # only text of a sane shape reaches pandoc
        return found
    sanitiser = _Sanitiser(sections_allowed=True)
    try:
        sanitiser.blocks(_pandoc_json(body, _READER)["blocks"])
    except RecursionError:  # not reached: shape_problems bounds the nesting
        sanitiser.problems.append((1, _TOO_DEEP))
    return sanitiser.problems


def shape_problems(text: str) -> list[tuple[int, str]]:
    """(line, Danish message) for each word longer than MAX_WORD and each line nested deeper
    than MAX_DEPTH, read from the text itself, as a bound on what pandoc would make of it.

    A word is what lies between spaces and tabs (pandoc splits words there only). The nesting of
    a line that opens a list item or a quote is at most its markers ('>', '-', '1.') plus half
    its indentation (each list level indents its content by at least two columns); inside a
    paragraph, an opening run of '*' or '_' may nest as deep as it is long, and every '[' once."""
    problems = []
    inline = 0
    openers: list[tuple[str, int]] = []
    for n, line in enumerate(text.split("\n"), start=1):
        longest = max(_SPACES.split(line), key=len)
        if len(longest) > MAX_WORD:
            problems.append((n, _long_word(len(longest))))
        if not line.strip():
            inline, openers = 0, []  # a paragraph ends at a blank line
            continue
        depth, end = 0, 0
        while m := _MARKER.match(line, end):
            depth, end = depth + 1, m.end()
        if depth:  # a list item or a quote begins: so does a new paragraph
            indent = line[:len(line) - len(line.lstrip(" \t"))].expandtabs(4)
            depth += len(indent) // 2
            openers = []
        inline = _inline_depth(line, openers)
        if max(depth, inline) > MAX_DEPTH:
            problems.append((n, _TOO_DEEP))
            inline, openers = 0, []
        if len(problems) >= 10:  # enough to act on; a hostile file may have thousands
            break
    return problems


def _inline_depth(line: str, openers: list[tuple[str, int]]) -> int:
    """The deepest nesting of emphasis and brackets in this line of a paragraph (`openers`
    carries the runs still open from the lines before, and on): a run of '*' or '_' followed by
    a letter opens as many levels as it is long, one preceded by a letter closes the nearest
    open run of its kind; '[' opens one level and ']' closes it."""
    deepest = sum(size for _, size in openers)
    for m in _INLINE.finditer(line):
        run = m.group(0)
        kind = run[-1] if run[-1] in "[]" else run[0]
        if kind == "]":
            while openers and openers.pop()[0] != "[":
                pass
            continue
        if kind == "[":
            openers.append(("[", 1))
            deepest = max(deepest, sum(size for _, size in openers))
            continue
        before = line[m.start() - 1] if m.start() else " "
        after = line[m.end()] if m.end() < len(line) else " "
        if not before.isspace() and any(k == kind for k, _ in openers):
            while openers and openers.pop()[0] != kind:
                pass
        elif not after.isspace():
            openers.append((kind, len(run)))
            deepest = max(deepest, sum(size for _, size in openers))
    return deepest


def _long_word(length: int) -> str:

    return (f"et ord på {number(length)} tegn uden mellemrum; der må højst være "
            f"{number(MAX_WORD)} tegn i ét ord (også et link). Sæt mellemrum i teksten, eller "
            "slet det lange ord")


def as_safe_markdown(comment: str) -> str:
    """Comment → Markdown that renders as text with the allowed formatting only. What the
    file check refuses is shown as text here (a second wall); the result is read back the way
    the report reads it, and anything but allowed elements there is an error, not output."""
    if not comment.strip():
        return NO_COMMENT
    doc = _pandoc_json(clean_text(comment), _READER)
    blocks = _Sanitiser().blocks(doc["blocks"])
    text = convert_text(json.dumps({**doc, "meta": {}, "blocks": blocks}), "markdown", "json",
                        extra_args=["--wrap=none", "--sandbox"])
    if not _inert_markdown(_escape_markdown(text)):
        text = _plain_markdown(blocks)  # the writer left something active: plain text instead
    text = _escape_markdown(text)
    if not _inert_markdown(text):
        raise ValueError("a comment could not be made inert")
    return text


def _escape_markdown(text: str) -> str:
    """What pandoc's writer leaves that pandoc's or Quarto's reader would take as syntax: an
    attribute block after a link, code or span ({onclick=…}), a citation (@fig-…), a shortcode."""
    text = re.sub(r"([`\])])\{", r"\1\\{", text.strip())
    text = re.sub(r"(?<!\\)@", r"\\@", text)
    return text.replace("{{<", "{{\\<")


def _inert_markdown(text: str) -> bool:
    """Read back as the report reads it: only allowed elements, plain links to safe targets."""
    blocks = _pandoc_json(text, "markdown")["blocks"]
    again = _Sanitiser()
    again.blocks(blocks)
    return not again.problems and not _has_other(blocks)


def _plain_markdown(blocks: list) -> str:
    """The comment's words only, every ASCII punctuation mark escaped: inert in any reader."""
    plain = convert_text(json.dumps({"pandoc-api-version": [1, 23, 1], "meta": {},
                                     "blocks": blocks}), "plain", "json",
                         extra_args=["--wrap=none", "--sandbox"])
    escaped = re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", plain)
    return "\n\n".join(p.strip() for p in escaped.split("\n\n") if p.strip())


_ALLOWED_TYPES = {"Para", "Plain", "BulletList", "OrderedList", "Str", "Space", "SoftBreak",
                  "LineBreak", "Emph", "Strong", "Link", "Decimal", "Period", "DefaultStyle",
                  "DefaultDelim"}


def _has_other(node) -> bool:
    """True if the re-read comment holds any element outside the allow-list (raw, image …),
    or a link with attributes or to anything but a safe target."""
    if isinstance(node, dict):
        if "t" in node and node["t"] not in _ALLOWED_TYPES:
            return True
        if node.get("t") == "Link":
            attr, _, (target, title) = node["c"]
            if attr != ["", [], []] or title or not safe_link(target):
                return True
        return any(_has_other(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_other(v) for v in node)
    return False
