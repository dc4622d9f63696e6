"""Pydantic's validation errors, turned into located, readable problems."""

from __future__ import annotations

import difflib
from functools import cache
from typing import Any

from pydantic import BaseModel, ValidationError

from drillsim.scenarios.problems import Problem, format_path
from drillsim.scenarios.source import Source


@cache
def _all_models(root: type[BaseModel]) -> tuple[type[BaseModel], ...]:
    """Every model class reachable from ``root``'s fields."""
    seen: list[type[BaseModel]] = []

    def visit(tp: Any) -> None:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if tp in seen:
                return
            seen.append(tp)
            for f in tp.model_fields.values():
                visit(f.annotation)
        for arg in getattr(tp, "__args__", ()) or ():
            visit(arg)
        for meta in getattr(tp, "__metadata__", ()) or ():
            visit(meta)
        origin = getattr(tp, "__origin__", None)
        if origin is not None and origin is not tp:
            visit(origin)

    visit(root)
    return tuple(seen)


def _field_names(model: type[BaseModel]) -> set[str]:
    return {f.alias or name for name, f in model.model_fields.items()}


def suggest_key(root: type[BaseModel], key: str, siblings: set[str]) -> str:
    """``" (did you mean 'population'?)"`` for a mistyped key, from the fields of the models
    that accept all of the key's valid siblings."""
    candidates: set[str] = set()
    for model in _all_models(root):
        names = _field_names(model)
        if siblings and siblings <= names:
            candidates |= names
    # never the key itself: a key valid elsewhere (a parameter's 'dist' on an option) is
    # not a typo of itself
    close = difflib.get_close_matches(key, sorted(candidates - siblings - {key}), n=1,
                                      cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _got(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _message(err: dict[str, Any], root: type[BaseModel], src: Source,
             found: tuple[Any, ...]) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "missing":
        if isinstance(err["loc"][-1], int):
            return f"this list needs more items (item {err['loc'][-1] + 1} is missing)"
        return f"missing required field '{err['loc'][-1]}'"
    if kind == "string_pattern_mismatch":
        return (f"expected an id without spaces, commas, brackets or '#', got "
                f"{_got(err.get('input'))}")
    if kind == "extra_forbidden":
        key = str(err["loc"][-1])
        parent = src.locate(found[:-1])[1] if found else ()
        node = _get(src.data, parent)
        siblings = {str(k) for k in node if k != key} if isinstance(node, dict) else set()
        return f"unknown key '{key}'{suggest_key(root, key, siblings)}"
    msg = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    msg = msg.replace("Input should be", "expected").replace("Input tag", "tag")
    if kind == "union_tag_invalid":
        ctx = err["ctx"]
        return (f"unknown {ctx['discriminator'].strip(chr(39))} {ctx['tag']!r}; expected one "
                f"of {ctx['expected_tags']}")
    if kind in ("model_type", "dict_type"):
        return f"expected a mapping of keys, got {_got(err.get('input'))}"
    if kind == "list_type":
        return f"expected a list, got {_got(err.get('input'))}"
    if "input" in err and kind not in ("value_error", "union_tag_invalid", "condition",
                                      "assertion_error"):
        if ", got " not in msg and " got " not in msg:
            msg += f", got {_got(err['input'])}"
        else:
            msg += f" ({_got(err['input'])})"
    return msg


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def problems_from(exc: ValidationError, src: Source, root: type[BaseModel],
                  prefix: tuple[Any, ...] = ()) -> list[Problem]:
    """One problem per pydantic error, located in the source file."""
    out = []
    for err in exc.errors(include_url=False):
        loc = (*prefix, *err["loc"])
        if err["type"] == "union_tag_invalid":
            loc = (*loc, err["ctx"]["discriminator"].strip("'"))
        location, found = src.locate(loc)
        shown = found
        if err["type"] in ("missing", "extra_forbidden", "union_tag_invalid") and loc and \
                isinstance(loc[-1], str) and loc[-1] not in found:
            shown = (*found, loc[-1])
        out.append(Problem(location, format_path(shown), _message(err, root, src, found)))
    return _merge_alternatives(_dedupe(out))


def _merge_alternatives(problems: list[Problem]) -> list[Problem]:
    """Errors from each member of a union at the same place become one message:
    "expected a list or 'all', got 'everyone'"."""
    groups: dict[tuple[Any, str], list[Problem]] = {}
    for p in problems:
        groups.setdefault((p.location, p.field), []).append(p)
    out = []
    for (location, field), group in groups.items():
        got = {p.message.rpartition(", got ")[2] for p in group}
        expecting = all(p.message.startswith("expected ") and ", got " in p.message
                        for p in group)
        if len(group) > 1 and expecting and len(got) == 1:
            wants = [p.message.removeprefix("expected ").rpartition(", got ")[0] for p in group]
            out.append(Problem(location, field,
                               f"expected {' or '.join(wants)}, got {got.pop()}"))
        else:
            out.extend(group)
    return out


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        key = (p.location, p.field, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
