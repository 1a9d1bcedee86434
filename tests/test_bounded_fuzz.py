"""Fuzzing the spreadsheet limits (issue 23: "close the class").

Hypothesis takes a valid workbook (the bundled 2024 politi_anmeldelser.xlsx) and rewrites its
XML: quotes, namespace prefixes, attribute order, character references, whitespace, missing r
attributes (all of which mean the same workbook), and far or huge references, repeated
attributes, a DTD with entities, garbage (which do not). Each file is read in a forked child
with an address-space limit (tests/reading_child.py). Every case must end in a Danish message or
a read, within a timeout that is only a safety net and under PEAK_MIB of memory; a rewrite that
means the same workbook must read the same cells.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import REPO

SOURCE = REPO / "data" / "raw" / "2024" / "politi_anmeldelser.xlsx"
SHEET = "xl/worksheets/sheet1.xml"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PEAK_MIB = 400
EXAMPLES = 40

_TAG = re.compile(r"<([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>")
_ATTR = re.compile(r"([\w:.-]+)\s*=\s*(\"[^\"]*\"|'[^']*')")


def _rewrite_tags(xml: str, fn) -> str:
    """Apply fn(name, [(key, value)], closed) → tag text to every start tag."""
    def one(m: re.Match) -> str:
        attrs = [(k, v[1:-1]) for k, v in _ATTR.findall(m.group(2))]
        return fn(m.group(1), attrs, m.group(3))
    return _TAG.sub(one, xml)


def _tag(name, attrs, closed, quote='"', space=" ") -> str:
    inner = "".join(f"{space}{k}={quote}{v}{quote}" for k, v in attrs)
    return f"<{name}{inner}{space.strip()}{closed}>"


# --- rewrites that mean the same workbook ---------------------------------------------------

def single_quotes(xml: str) -> str:
    return _rewrite_tags(xml, lambda n, a, c: _tag(n, [(k, v.replace("'", "&apos;")) for k, v in a],
                                                   c, quote="'"))


def reversed_attributes(xml: str) -> str:
    return _rewrite_tags(xml, lambda n, a, c: _tag(n, list(reversed(a)), c))


def extra_whitespace(xml: str) -> str:
    return _rewrite_tags(xml, lambda n, a, c: _tag(n, a, c, space=" \n\t "))


def prefixed(xml: str) -> str:
    """The main namespace under a prefix, on every element."""
    xml = xml.replace(f'xmlns="{NS}"', f'xmlns:x="{NS}"')
    xml = re.sub(r"<(/?)([A-Za-z_][\w.-]*)(?=[\s/>])", r"<\1x:\2", xml)
    return xml


def character_references(xml: str) -> str:
    """Every letter of every text written as a character reference."""
    return re.sub(r"(<t>)([^<]*)(</t>)",
                  lambda m: m.group(1) + "".join(f"&#{ord(ch)};" for ch in m.group(2)) + m.group(3),
                  xml)


def without_references(xml: str) -> str:
    """No r on rows or cells: the rows are 1, 2, 3 … and the cells A, B … as in the file."""
    return re.sub(r'\s+r="[A-Z]*[0-9]+"', "", xml)


SAME = [single_quotes, reversed_attributes, extra_whitespace, prefixed, character_references,
        without_references]


# --- rewrites that do not ----------------------------------------------------------------------

def far_cell(reference: str, quote: str, prefix: str):
    def apply(xml: str) -> str:
        p = f"{prefix}:" if prefix else ""
        decl = f' xmlns:{prefix}="{NS}"' if prefix else ""
        row = re.sub(r"[A-Za-z]", "", reference) or "1"
        cell = (f"<{p}row{decl} r={quote}{row}{quote}><{p}c r={quote}{reference}{quote} "
                f"t={quote}inlineStr{quote}><{p}is><{p}t>x</{p}t></{p}is></{p}c></{p}row>")
        return re.sub(r"(</(?:\w+:)?sheetData>)", lambda m: cell + m.group(1), xml, count=1)
    apply.__name__ = f"far_cell({reference!r})"
    return apply


def repeated_attribute(xml: str) -> str:
    return xml.replace('<c r="B2"', '<c r="B2" r="XFD5000"', 1)


def laughs(xml: str) -> str:
    entities = '<!ENTITY a "hahahahaha">' + "".join(
        f'<!ENTITY a{i} "{("&a" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 8))
    xml = re.sub(r"^<\?xml[^>]*\?>", "", xml)
    return f"<!DOCTYPE worksheet [{entities}]>" + xml.replace("<t>Nørager</t>", "<t>&a7;</t>")


def garbage(at: int, junk: str):
    def apply(xml: str) -> str:
        i = at % (len(xml) + 1)
        return xml[:i] + junk + xml[i:]
    apply.__name__ = f"garbage({at}, {junk!r})"
    return apply


references = st.builds(
    lambda letters, digits: letters + digits,
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=4),
    st.integers(min_value=1, max_value=10**12).map(str))
other = st.one_of(
    st.builds(far_cell, references, st.sampled_from(['"', "'"]), st.sampled_from(["", "x", "ss"])),
    st.just(repeated_attribute), st.just(laughs),
    st.builds(garbage, st.integers(min_value=0, max_value=5000),
              st.sampled_from(["<", "&", "<c r='XFD9'>", "]]>", "<!--", "\x00", "<?x?>", "</row>"])))
rewrites = st.lists(st.one_of(st.sampled_from(SAME), other), min_size=1, max_size=3)


@pytest.fixture(scope="module")
def reader():
    from tests.reading_child import Reader

    with Reader(timeout=120) as read:
        yield read


@pytest.fixture(scope="module")
def original(reader):
    got = reader(SOURCE)
    assert got["outcome"] == "read", got
    with zipfile.ZipFile(SOURCE) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    return parts, got["sheets"]


def test_every_rewrite_that_means_the_same_reads_the_same(tmp_path, reader, original):
    parts, sheets = original
    for fn in SAME:
        got = reader(_write(tmp_path / f"{fn.__name__}.xlsx", parts, [fn]))
        assert got["outcome"] == "read" and got["sheets"] == sheets, (fn.__name__, got)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rewrites)
def test_rewritten_workbooks_end_in_danish_or_a_read_in_bounded_memory(tmp_path, reader, original,
                                                                       rewrite):
    parts, sheets = original
    got = reader(_write(tmp_path / "fuzz.xlsx", parts, rewrite))
    names = [fn.__name__ for fn in rewrite]
    assert got["outcome"] in ("read", "error"), (names, got)
    assert got["peak_mib"] < PEAK_MIB, (names, got)
    if got["outcome"] == "error":
        text = got["text"]
        assert "fil fuzz.xlsx" in text and "Traceback" not in text and "Error" not in text, text
    if all(fn in SAME for fn in rewrite):
        assert got["outcome"] == "read" and got["sheets"] == sheets, (names, got)


def _write(path: Path, parts: dict[str, bytes], rewrite) -> Path:
    xml = parts[SHEET].decode()
    for fn in rewrite:
        xml = fn(xml)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, xml.encode("utf-8", "surrogatepass") if name == SHEET else data)
    return path
