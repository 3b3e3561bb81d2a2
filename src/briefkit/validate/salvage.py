"""Salvage: a brief's values that failed the schema in, a typed `Brief` good enough to check
the rest of the brief with out (or None).

A wrong value must not hide the brief's other mistakes: a bad `status:` or an unknown key says
nothing about cross-references, notes or house templates, which can only be checked on a
typed brief. So the values the schema refused are left out (their defaults apply) and
required keys that are missing get a stand-in, and the schema is tried again. The result is
used only to find more mistakes: a brief with errors is never rendered to a file.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any, Optional

from pydantic import ValidationError

from briefkit.validate import schema

ROUNDS = 6
# By the last step of an error's location (a key, or a list index, which has none).
_STAND_INS: dict[str | int, object] = {"date": dt.date(2000, 1, 1)}
_GONE = object()  # a list item left out; removed after each round so indexes stay valid


def salvage(data: Any) -> Optional[schema.Brief]:
    if not isinstance(data, dict):
        return None
    data = copy.deepcopy(data)
    filled: set[tuple] = set()
    for _ in range(ROUNDS):
        try:
            return schema.Brief.model_validate(data)
        except ValidationError as exc:
            changed = False
            for error in exc.errors():
                loc = tuple(p for p in error["loc"] if p not in schema.SHAPE_TAGS)
                if error["type"] == "missing" and loc not in filled:
                    filled.add(loc)
                    changed |= _put(data, loc, _STAND_INS.get(loc[-1], "untitled"))
                else:
                    changed |= _drop(data, loc if error["type"] != "missing" else loc[:-1])
            if not changed:
                return None
            data = _compact(data)
    return None


def _compact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_compact(v) for v in value if v is not _GONE]
    return value


def _parent(data: Any, loc: tuple) -> Any:
    for part in loc[:-1]:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data


def _put(data: Any, loc: tuple, value: Any) -> bool:
    parent = _parent(data, loc) if loc else None
    if isinstance(parent, dict) and loc[-1] not in parent:
        parent[loc[-1]] = value
        return True
    return False


def _drop(data: Any, loc: tuple) -> bool:
    """Leave out the value at `loc`, or the nearest enclosing one that exists."""
    while loc:
        parent = _parent(data, loc)
        key = loc[-1]
        if isinstance(parent, dict) and key in parent:
            del parent[key]
            return True
        if isinstance(parent, list) and isinstance(key, int) and 0 <= key < len(parent):
            changed = parent[key] is not _GONE
            parent[key] = _GONE
            return changed
        loc = loc[:-1]
    return False
