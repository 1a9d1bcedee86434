"""Reading the configuration files: YAML → models, every problem at once, in Danish, by line.

A problem names the file, the line and what to write instead ("linje 42, delmål
afdelingsmoeder → indikator deltagelse → baseline → procent: 28/388 giver 7,2 pct., ikke 7,7
pct. ..."). pydantic's own checks and the cross-checks (checks.py) are both collected, for every
file, before anything runs.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import InputError, Problem
from . import checks, model
from .view import Config

HELHEDSPLAN_FILE = "helhedsplan.yaml"
DELAFTALER_DIR = "delaftaler"
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _field_names() -> list[str]:
    names: set[str] = set()
    for obj in vars(model).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel):
            names |= set(obj.model_fields)
    return sorted(names)


FIELD_NAMES = _field_names()


class _Source:
    """One YAML file: its data, and the line of every key and list item."""

    def __init__(self, path: Path, label: str):
        self.path, self.label = path, label
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise InputError(Problem(f"filen findes ikke: {path}", file=label)) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(Problem(f"filen kan ikke læses ({exc}). Gem den som UTF-8.",
                                     file=label)) from None
        try:
            self.node = yaml.compose(text)
            self.data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"linje {mark.line + 1}: " if mark else ""
            raise InputError(Problem(
                f"{where}filen er ikke gyldig YAML ({getattr(exc, 'problem', exc)}). Tjek "
                "indrykningen (mellemrum, ikke tabulator) og at en værdi med ': ' står i "
                "anførselstegn.", file=label)) from None

    def duplicate_problems(self) -> list[Problem]:
        """A key written twice in one place: YAML keeps only the last, silently."""
        out, todo = [], [self.node] if self.node is not None else []
        while todo:
            node = todo.pop()
            if isinstance(node, yaml.MappingNode):
                first: dict[str, int] = {}
                for key, value in node.value:
                    line = key.start_mark.line + 1
                    if key.value in first:
                        out.append((line, Problem(
                            f"linje {line}: '{key.value}' står to gange her (også linje "
                            f"{first[key.value]}), og kun den sidste ville blive brugt. Slet "
                            "den ene, eller ret navnet", file=self.label)))
                    first.setdefault(key.value, line)
                    todo.append(value)
            elif isinstance(node, yaml.SequenceNode):
                todo.extend(node.value)
        return [problem for _, problem in sorted(out, key=lambda found: found[0])]

    def line(self, where: tuple) -> int | None:
        """The line of the deepest key or item of `where` that the file has."""
        node, line = self.node, (self.node.start_mark.line + 1 if self.node else None)
        for part in where:
            if isinstance(node, yaml.MappingNode):
                hit = next((v for k, v in node.value if k.value == str(part)), None)
                key = next((k for k, v in node.value if k.value == str(part)), None)
                if hit is None:
                    continue  # a pydantic branch name ('andel'), not a key of the file
                node, line = hit, key.start_mark.line + 1
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    break
                node = node.value[part]
                line = node.start_mark.line + 1
        return line

    def path_text(self, where: tuple) -> str:
        """'delmål afdelingsmoeder → indikator deltagelse → baseline → procent'."""
        words, data = [], self.data
        named = {"delmaal": "delmål", "indikatorer": "indikator", "vaerdier": "værdi",
                 "maal": "mål", "sammenligning": "sammenligning"}
        last_key = None
        for part in where:
            if isinstance(data, dict) and str(part) in data:
                data = data[str(part)]
                last_key = str(part)
                if not isinstance(data, list):
                    words.append(str(part))
            elif isinstance(data, list) and isinstance(part, int) and part < len(data):
                item = data[part]
                label = named.get(last_key, last_key)
                ident = item.get("id") or item.get("enhed") or item.get("navn") if isinstance(
                    item, dict) else None
                words.append(f"{label} {ident}" if ident is not None else f"{label} nr. {part + 1}")
                data = item
        return " → ".join(words)

    def problem(self, where: tuple, message: str) -> Problem:
        line = self.line(where)
        head = ", ".join(x for x in (f"linje {line}" if line else "", self.path_text(where)) if x)
        return Problem(f"{head}: {message}" if head else message, file=self.label)


def _danish(err: dict) -> str:
    """pydantic's error → what to write instead, in Danish."""
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    shown = repr(value) if not isinstance(value, dict | list) else ""
    found = f" (fundet: {shown})" if shown and kind != "missing" else ""
    key = str(err["loc"][-1]) if err["loc"] else ""
    if kind == "missing":
        return f"'{key}' mangler: skriv '{key}: …'"
    if kind == "extra_forbidden":
        if key in FIELD_NAMES:  # a right name in the wrong place
            return (f"'{key}' hører ikke til her: tjek indrykningen (den hører til under en "
                    "anden nøgle), eller slet linjen")
        close = difflib.get_close_matches(key, FIELD_NAMES, n=1, cutoff=0.6)
        hint = f" Mente du '{close[0]}'?" if close else " Slet linjen, eller ret navnet."
        return f"'{key}' kendes ikke her.{hint}"
    if kind == "union_tag_invalid":
        return (f"type '{ctx.get('tag')}' findes ikke: brug andel, antal, svarfordeling eller "
                "aktivitetsmaal")
    if kind == "union_tag_not_found":
        return "'type' mangler: skriv fx 'type: andel' (andel, antal, svarfordeling eller aktivitetsmaal)"
    if kind == "literal_error":
        return f"skal være en af {ctx.get('expected', '')}{found}".replace(" or ", " eller ")
    if kind.startswith("int_"):
        return f"skal være et helt tal{found}"
    if kind.startswith("float_"):
        return f"skal være et tal (med punktum som decimaltegn: 6.3){found}"
    if kind.startswith("bool_"):
        return f"skal være true eller false{found}"
    if kind.startswith("date_") or kind.startswith("datetime_"):
        return f"skal være en dato som 2021-09-01{found}"
    if kind == "string_type":
        return f"skal være tekst{found}"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        if pattern.endswith(r"\.md$"):
            return f"skal være et filnavn, der ender på .md{found}"
        if pattern.endswith(r"\.xlsx$"):
            return f"skal være et filnavn, der ender på .xlsx{found}"
        return (f"skal være et kort id med små bogstaver, tal, - og _ (fx 'deltagelse'){found}")
    if kind == "string_too_long":
        return f"er for langt (højst {ctx.get('max_length')} tegn){found}"
    if kind == "too_short":
        return f"skal have mindst {ctx.get('min_length')} punkt(er)"
    if kind == "greater_than_equal":
        return f"skal være mindst {ctx.get('ge')}{found}"
    if kind == "greater_than":
        return f"skal være større end {ctx.get('gt')}{found}"
    if kind == "less_than_equal":
        limit = ctx.get("le")
        if isinstance(limit, int | float) and float(limit).is_integer():
            limit = f"{int(limit):,}".replace(",", ".")
        return f"må højst være {limit}{found}"
    if kind == "finite_number":
        return f"skal være et endeligt tal, ikke uendelig eller 'ikke et tal'{found}"
    if kind == "list_type":
        return "skal være en liste (linjer, der begynder med '- ')"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "skal være en samling af nøgler ('nøgle: værdi' på hver sin linje)"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"])).removeprefix("Value error, ")
    return err["msg"]


def _without_branches(where: tuple) -> tuple:
    return tuple(p for p in where if not (isinstance(p, str) and (
        p in model.KILDER or p in ("andel", "antal", "svarfordeling", "aktivitetsmaal")
        or "[" in p or p[:1].isupper() or p in ("int", "str", "float", "bool"))))


def _validate(src: _Source, cls) -> tuple[object | None, list[Problem]]:
    model_, problems, _ = _validate_mapped(src, cls)
    return model_, problems


def _validate_mapped(src: _Source, cls, data=None):
    """(model, problems, index map). When a delmål or an indicator is wrong, the rest is
    validated without it, so the cross-checks can report the other problems in the same run;
    the index map turns the positions in that rest back into the file's."""
    data = src.data if data is None else data
    try:
        return cls.model_validate(data if data is not None else {}), [], {}
    except ValidationError as exc:
        problems, seen = [], set()
        for err in exc.errors():
            where = tuple(err["loc"])
            plain = _without_branches(where)
            if err["type"] == "union_tag_invalid":  # point at the 'type:' line itself
                plain = (*plain, "type")
            if _wrong_branch(src.data, where):
                continue
            text = _danish(err)
            if (plain, text) in seen:
                continue
            seen.add((plain, text))
            problems.append(src.problem(plain, text))
        rest, index = _without_broken(data, exc)
        if cls is not model.Delaftale or rest is None:
            return None, problems, {}
        try:
            return cls.model_validate(rest), problems, index
        except ValidationError:
            return None, problems, {}


def _without_broken(data, exc: ValidationError):
    """The delaftale without the delmål and indicators that failed, and a map from positions in
    it to positions in the file: {('delmaal', i): i_file, ('delmaal', i, j): j_file}."""
    if not isinstance(data, dict) or not isinstance(data.get("delmaal"), list):
        return None, {}
    broken_delmaal, broken_ind = set(), set()
    for err in exc.errors():
        loc = _without_branches(tuple(err["loc"]))
        if loc[:1] != ("delmaal",) or len(loc) < 2 or not isinstance(loc[1], int):
            return None, {}  # a problem outside the delmål: nothing sensible to check
        if len(loc) >= 4 and loc[2] == "indikatorer" and isinstance(loc[3], int):
            broken_ind.add((loc[1], loc[3]))
        else:
            broken_delmaal.add(loc[1])
    rest, index = dict(data), {}
    kept = []
    for i, dm in enumerate(data["delmaal"]):
        if i in broken_delmaal or not isinstance(dm, dict):
            continue
        inds = [(j, x) for j, x in enumerate(dm.get("indikatorer") or [])
                if (i, j) not in broken_ind]
        if not inds:
            continue
        index[("delmaal", len(kept))] = i
        for new_j, (j, _) in enumerate(inds):
            index[("delmaal", len(kept), new_j)] = j
        kept.append(dict(dm, indikatorer=[x for _, x in inds]))
    if not kept:
        return None, {}
    rest["delmaal"] = kept
    return rest, index


def _in_file(where: tuple, index: dict) -> tuple:
    """A cross-check's position in the validated rest → its position in the file."""
    if not index or len(where) < 2 or where[0] != "delmaal":
        return where
    out = list(where)
    out[1] = index.get(("delmaal", where[1]), where[1])
    if len(where) >= 4 and where[2] == "indikatorer":
        out[3] = index.get(("delmaal", where[1], where[3]), where[3])
    return tuple(out)


def _wrong_branch(data, where: tuple) -> bool:
    """`Baseline | list[Baseline]` reports each branch of the union: only the branch that
    matches what the file has (a list, or not) is the analyst's problem."""
    for k, part in enumerate(where):
        if not isinstance(part, str) or _without_branches((part,)):
            continue
        value = _at(data, _without_branches(where[:k]))
        if part.startswith("list[") and not isinstance(value, list):
            return True
        if part[:1].isupper() and isinstance(value, list):
            return True
    return False


def _at(data, where: tuple):
    for part in where:
        if isinstance(data, dict):
            data = data.get(str(part))
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def load_all(config_dir: Path) -> tuple[model.Plan, dict[str, model.Delaftale]]:
    """Every configuration file of the helhedsplan, checked; InputError lists every problem."""
    config_dir = Path(config_dir)
    problems: list[Problem] = []
    label = f"config/{HELHEDSPLAN_FILE}"
    plan = None
    try:
        plan_src = _Source(config_dir / HELHEDSPLAN_FILE, label)
        plan, found = _validate(plan_src, model.Plan)
        problems += found + plan_src.duplicate_problems()
        if plan is not None:
            problems += [plan_src.problem(w, m) for w, m in checks.plan_problems(plan)]
    except InputError as err:
        problems += err.problems
    folder = config_dir / DELAFTALER_DIR
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")) if folder.is_dir() else []
    if not files:
        problems.append(Problem(f"der er ingen delaftaler: læg én fil pr. delaftale i "
                                f"config/{DELAFTALER_DIR}/ (fx sammenhaengskraft.yaml)",
                                file=f"config/{DELAFTALER_DIR}/"))
    sources: dict[str, _Source] = {}
    partial: dict[str, tuple] = {}
    delaftaler: dict[str, model.Delaftale] = {}
    for path in files:
        did = path.stem
        flabel = f"config/{DELAFTALER_DIR}/{path.name}"
        if not _ID.match(did):
            problems.append(Problem(
                "filnavnet er delaftalens id og bruges i mappenavne: brug små bogstaver, tal, - "
                f"og _ (fx '{re.sub(r'[^a-z0-9_-]+', '-', did.lower()).strip('-') or 'delaftale'}"
                ".yaml')", file=flabel))
            continue
        try:
            src = _Source(path, flabel)
        except InputError as err:
            problems += err.problems
            continue
        got, found, index = _validate_mapped(src, model.Delaftale)
        found += src.duplicate_problems()
        problems += found
        if got is not None and not found:
            sources[did], delaftaler[did] = src, got
        elif got is not None:  # checked across fields too, then left out: the file has errors
            partial[did] = (src, got, index)
    if plan is not None:
        everything = tuple(delaftaler.items())
        for did, d in delaftaler.items():
            cfg = Config(plan, d, did, everything)
            problems += [sources[did].problem(w, m) for w, m in checks.delaftale_problems(cfg)]
        for did, (src, d, index) in partial.items():
            cfg = Config(plan, d, did, everything)
            problems += [src.problem(_in_file(w, index), m)
                         for w, m in checks.delaftale_problems(cfg)]
        files_of = {}
        for did, d in delaftaler.items():
            cfg = Config(plan, d, did, everything)
            for name in (cfg.comments_file, cfg.indikatorark_file):
                if name in files_of and files_of[name] != did:
                    problems.append(sources[did].problem(
                        (), f"filnavnet {name} bruges også af delaftalen {files_of[name]}: "
                            "hver delaftale skal have sine egne bemærkninger og sit eget "
                            "indikatorark"))
                files_of[name] = did
    if problems:
        raise InputError(problems)
    return plan, delaftaler
