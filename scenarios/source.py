"""Reading scenario files with the position of every value.

A scenario is YAML; a value may be ``!include other.yaml`` (parsed the same way, errors located
in that file) or ``!include table.csv`` (a list of rows, numbers parsed). Every mapping entry and
list item is recorded with its file, line and column under its path in the data, so that any
later problem (schema or cross-reference) can be reported where it is. Duplicate keys, which
YAML loaders usually let the last one win, are problems here.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from drillsim.scenarios.problems import Location, Problem, ScenarioError, format_path

Path_ = tuple[Any, ...]
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
INCLUDE_TAG = "!include"
MAX_VALUES = 1_000_000
"""More values than this means an alias bomb (a 1,000,000-resident synthetic city has about
64,000; a 10-million one roughly ten times that)."""


class _TooLargeError(Exception):
    pass


@dataclass
class Source:
    """Data read from a scenario and its includes, with every value's location."""

    data: Any
    locations: dict[Path_, Location] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def locate(self, path: Path_) -> tuple[Location | None, Path_]:
        """The location of the longest prefix of ``path`` that exists in the data, and that
        prefix. Parts that are not in the data (e.g. a union's tag) are skipped."""
        node, found = self.data, ()
        for part in path:
            if _has(node, part):
                node, found = node[part], (*found, part)
        return self.locations.get(found), found

    def digest(self) -> str:
        """SHA-256 of the bytes of every file read, in reading order."""
        h = hashlib.sha256()
        for f in self.files:
            h.update(f.read_bytes())
        return h.hexdigest()


def _has(node: Any, part: Any) -> bool:
    if isinstance(node, dict):
        return isinstance(part, str | int) and part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def read_text(path: Path) -> str:
    """The text of ``path``; a located problem if it is missing, unreadable or binary."""
    loc = Location(str(path), 1, 1)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError([Problem(None, "", f"no such file: {path}")]) from None
    except IsADirectoryError:
        raise ScenarioError([Problem(None, "", f"{path} is a folder, not a file")]) from None
    except OSError as exc:
        raise ScenarioError([Problem(None, "", f"cannot read {path}: {exc.strerror}")]) from None
    if b"\x00" in raw[:8192]:
        raise ScenarioError([Problem(loc, "", "this is not a text file (it looks binary); a "
                                     "scenario is a YAML text file")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        where = Location(str(path), line, column)
        raise ScenarioError([Problem(where, "", f"this file is not UTF-8 text (byte "
                                     f"0x{raw[exc.start]:02x} here); save it as UTF-8")]) from None


def load(path: str | Path) -> Source:
    """Read a scenario file and its includes. Raises :class:`ScenarioError` if the file
    cannot be read or parsed; structure is checked later, by the schema."""
    src = Source(data=None)
    path = Path(path)
    src.data = _load_yaml(path, (), src, stack=())
    if src.problems:
        raise ScenarioError(src.problems)
    if src.data is None:
        raise ScenarioError([Problem(Location(str(path), 1, 1), "",
                                     "the file is empty; a scenario needs at least the sections "
                                     "meta, region and plan (run `drillsim new` for a start)")])
    return src


def _load_yaml(path: Path, at: Path_, src: Source, stack: tuple[Path, ...]) -> Any:
    text = read_text(path)
    src.files.append(path)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        src.problems.append(syntax_problem(exc, path, text, at))
        return None
    except yaml.YAMLError as exc:
        src.problems.append(Problem(Location(str(path), 1, 1), format_path(at),
                                    f"YAML error: {exc}"))
        return None
    if node is None:
        return None
    try:
        return _Walker(loader, path, src, (*stack, path.resolve())).value(node, at)
    except RecursionError:
        src.problems.append(Problem(Location(str(path), 1, 1), format_path(at),
                                    "a YAML alias refers to itself, or nesting is too deep"))
        return None
    except _TooLargeError:
        src.problems.append(Problem(Location(str(path), 1, 1), format_path(at),
                                    f"the file expands to more than {MAX_VALUES:,} values "
                                    "(YAML aliases repeated many times?)"))
        return None


_STARTS_AT_CONTEXT = ("while scanning a quoted scalar", "while scanning a simple key",
                      "while parsing a flow mapping", "while parsing a flow sequence")
"""Errors whose cause is where the construct began (an unclosed quote or bracket, a key
without its colon), not where the parser gave up."""


def syntax_problem(exc: yaml.MarkedYAMLError, path: Path, text: str, at: Path_) -> Problem:
    """A YAML syntax error located where the mistake is, in one line."""
    context = (exc.context or "").strip()
    use_context = exc.context_mark is not None and context.startswith(_STARTS_AT_CONTEXT)
    mark = exc.context_mark if use_context else (exc.problem_mark or exc.context_mark)
    loc = Location(str(path), mark.line + 1, mark.column + 1) if mark else None
    what = " ".join(s for s in (exc.context, exc.problem) if s) or "invalid YAML"
    lines = text.splitlines()
    bad = exc.problem_mark
    if bad is not None and bad.line < len(lines) and "\t" in lines[bad.line][: bad.column + 1]:
        what = "a tab character is used for indentation or spacing; YAML allows only spaces"
    elif context.startswith("while scanning a quoted scalar"):
        what = "this quoted text is never closed (no matching quote)"
    elif context.startswith("while scanning a simple key"):
        what = "this key has no ':' after it (write 'key: value', with a space after the colon)"
    elif context.startswith(("while parsing a flow mapping", "while parsing a flow sequence")):
        brackets = "{…}" if "mapping" in context else "[…]"
        what = f"this {brackets} is not closed, or an item in it is missing a comma"
    if use_context and bad is not None and bad.line != mark.line:
        what += f" (the parser noticed at line {bad.line + 1})"
    return Problem(loc, format_path(at), f"YAML syntax error: {what}")


class _Walker:
    def __init__(self, loader: Any, path: Path, src: Source, stack: tuple[Path, ...]) -> None:
        self.loader, self.path, self.src, self.stack = loader, path, src, stack

    def loc(self, node: yaml.Node) -> Location:
        return Location(str(self.path), node.start_mark.line + 1, node.start_mark.column + 1)

    def value(self, node: yaml.Node, at: Path_) -> Any:
        if len(self.src.locations) > MAX_VALUES:
            raise _TooLargeError
        self.src.locations.setdefault(at, self.loc(node))
        if node.tag == INCLUDE_TAG:
            return self.include(node, at)
        if node.tag.startswith("!") and not node.tag.startswith("!!"):
            hint = " (did you mean '!include'?)" if node.tag.startswith("!inc") else ""
            self.src.problems.append(Problem(self.loc(node), format_path(at),
                                             f"unknown YAML tag '{node.tag}'{hint}; the only "
                                             "tag drillsim reads is !include"))
            return None
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, at)
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, (*at, i)) for i, item in enumerate(node.value)]
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.MarkedYAMLError as exc:
            what = " ".join(s for s in (exc.context, exc.problem) if s) or "cannot be read"
            self.src.problems.append(Problem(self.loc(node), format_path(at), what))
            return None

    def mapping(self, node: yaml.MappingNode, at: Path_) -> dict[Any, Any]:
        self.loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.src.problems.append(Problem(self.loc(key_node), format_path(at),
                                                 "a key must be a plain name"))
                continue
            key = self.loader.construct_object(key_node)
            if not isinstance(key, str):
                self.src.problems.append(self.bad_key(key, key_node, value_node, at))
                continue
            if key in out:
                first = self.src.locations.get((*at, key))
                self.src.problems.append(Problem(
                    self.loc(key_node), format_path((*at, key)),
                    f"duplicate key '{key}' (first at line {first.line if first else '?'}); "
                    "YAML would silently keep only the last one"))
                continue
            self.src.locations[(*at, key)] = self.loc(key_node)
            out[key] = self.value(value_node, (*at, key))
        return out

    def bad_key(self, key: Any, key_node: yaml.Node, value_node: yaml.Node,
                at: Path_) -> Problem:
        msg = f"'{key_node.value}' is not a name; keys must be names"
        if isinstance(key, int | float) and value_node.tag.endswith(":null"):
            msg = (f"'{key_node.value}' stands where a key should be: inside {{…}} a comma "
                   "separates entries, so write numbers without thousands separators "
                   "(1500, not 1,500)")
        return Problem(self.loc(key_node), format_path(at), msg)

    def include(self, node: yaml.Node, at: Path_) -> Any:
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            self.src.problems.append(Problem(self.loc(node), format_path(at),
                                             "!include needs a file name, e.g. "
                                             "!include roads.yaml"))
            return None
        target = (self.path.parent / str(node.value).strip())
        if target.resolve() in self.stack:
            self.src.problems.append(Problem(self.loc(node), format_path(at),
                                             f"{target} includes itself (an include cycle)"))
            return None
        if not target.is_file():
            self.src.problems.append(Problem(self.loc(node), format_path(at),
                                             f"included file not found: {target}"))
            return None
        if target.suffix.lower() == ".csv":
            return _load_csv(target, at, self.src)
        try:
            return _load_yaml(target, at, self.src, self.stack)
        except ScenarioError as exc:
            self.src.problems.extend(exc.problems)
            return None


def _load_csv(path: Path, at: Path_, src: Source) -> list[dict[str, Any]]:
    """A CSV table as a list of rows (header names as keys). Cells stay text: the schema
    turns them into numbers where a number is expected, and ids such as division codes
    (110101) stay ids."""
    text = read_text(path)
    src.files.append(path)
    rows = []
    reader = csv.DictReader(io.StringIO(text))
    for i, row in enumerate(reader):
        line = reader.line_num
        src.locations[(*at, i)] = Location(str(path), line, 1)
        clean = {}
        for k, v in row.items():
            if k is None:
                src.problems.append(Problem(Location(str(path), line, 1), format_path((*at, i)),
                                            "this row has more cells than the header"))
                continue
            clean[k.strip()] = None if v is None else v.strip()
            src.locations[(*at, i, k.strip())] = Location(str(path), line, 1)
        rows.append(clean)
    return rows

