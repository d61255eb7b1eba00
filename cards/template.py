"""Adaptive Card templates: JSON files whose string leaves may contain ``${name}``.

Binding happens after JSON parsing and only inside string leaves, in a single pass,
so quotes, braces or ``${...}`` in the data can neither break the JSON nor be expanded
again. A leaf that is exactly ``${name}`` is replaced by the value itself (any JSON
value, e.g. a list of elements built in Python); inside a longer string the value
must be a string or a number.
"""

from __future__ import annotations

import copy
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

TEMPLATE_DIR: Path = Path(__file__).parent / "templates"

_PLACEHOLDER_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_NAME_RE = re.compile(r"^[a-z0-9_]+$")


class TemplateError(ValueError):
    """A template is missing, malformed, or was given the wrong values."""


@lru_cache(maxsize=None)
def _load(template_name: str) -> Any:
    if not _NAME_RE.match(template_name):
        raise TemplateError(f"invalid template name {template_name!r}")
    file = TEMPLATE_DIR / f"{template_name}.json"
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TemplateError(f"no card template {template_name!r}") from None
    except json.JSONDecodeError as exc:
        raise TemplateError(f"card template {template_name!r} is not valid JSON: {exc}") from None


@lru_cache(maxsize=None)
def placeholders(template_name: str) -> frozenset[str]:
    """The placeholder names a template uses."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, str):
            found.update(_PLACEHOLDER_RE.findall(node))
        elif isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for item in node.values():
                walk(item)

    walk(_load(template_name))
    return frozenset(found)


def _bind_string(text: str, values: dict[str, Any], template_name: str) -> Any:
    whole = _PLACEHOLDER_RE.fullmatch(text)
    if whole:
        return copy.deepcopy(values[whole.group(1)])

    def replace(match: re.Match[str]) -> str:
        value = values[match.group(1)]
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise TemplateError(
                f"template {template_name!r}: ${{{match.group(1)}}} is inside text, "
                f"so its value must be a string, got {type(value).__name__}"
            )
        return str(value)

    return _PLACEHOLDER_RE.sub(replace, text)


def _bind(node: Any, values: dict[str, Any], template_name: str) -> Any:
    if isinstance(node, str):
        return _bind_string(node, values, template_name)
    if isinstance(node, list):
        return [_bind(item, values, template_name) for item in node]
    if isinstance(node, dict):
        return {key: _bind(item, values, template_name) for key, item in node.items()}
    return node


def render(template_name: str, **values: Any) -> dict[str, Any]:
    """Return a fresh card dict from ``templates/<template_name>.json`` with values bound.

    Raises TemplateError if a placeholder has no value or a value has no placeholder.
    """
    wanted = placeholders(template_name)
    missing = wanted - values.keys()
    unknown = values.keys() - wanted
    if missing:
        raise TemplateError(f"template {template_name!r}: missing values for {sorted(missing)}")
    if unknown:
        raise TemplateError(f"template {template_name!r}: unknown placeholders {sorted(unknown)}")
    card = _bind(_load(template_name), values, template_name)
    if not isinstance(card, dict):
        raise TemplateError(f"template {template_name!r} is not a JSON object")
    return card
