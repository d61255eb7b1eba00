"""Load and validate a study file, reporting problems as one readable line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from study.model import Study

DEFAULT_STUDY_FILE: Path = Path(__file__).parent / "default.yaml"


class StudyError(Exception):
    """A study file is missing or invalid. ``str()`` is one line naming the file and problem."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"study file {self.path}: {problem}")


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys, which plain safe_load silently overwrites."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node)
        if key in mapping:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", mark)
        mapping[key] = loader.construct_object(value_node)
    return mapping


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        what = exc.problem or "invalid YAML"
        return f"YAML syntax error at line {mark.line + 1}, column {mark.column + 1}: {what}"
    return f"YAML syntax error: {exc}".replace("\n", " ")


def _validation_problem(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    first = errors[0]
    problem = _describe(first)
    if len(errors) > 1:
        problem += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return problem


def _describe(error: ErrorDetails) -> str:
    path = ".".join(str(part) for part in error["loc"]) or "(top level)"
    kind = error["type"]
    if kind == "missing":
        message = "field required"
    elif kind == "extra_forbidden":
        message = "unknown field"
    elif kind == "value_error" and "error" in error.get("ctx", {}):
        message = str(error["ctx"]["error"])
    else:
        message = error["msg"]
        message = message[:1].lower() + message[1:]
    return f"{path}: {message}".replace("\n", " ")


def load_study(path: str | Path) -> Study:
    """Read, parse and validate a study YAML file; raise StudyError on any problem."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StudyError(file, "file not found") from None
    except UnicodeDecodeError:
        raise StudyError(file, "file is not valid UTF-8 text") from None
    except OSError as exc:
        raise StudyError(file, f"cannot read file ({exc.strerror or exc})") from None

    try:
        # A SafeLoader subclass: as safe as yaml.safe_load, but duplicate keys are errors.
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        raise StudyError(file, _yaml_problem(exc)) from None

    if data is None:
        raise StudyError(file, "file is empty")
    if not isinstance(data, dict):
        raise StudyError(file, f"expected a mapping of fields, got {type(data).__name__}")

    try:
        return Study.model_validate(data)
    except ValidationError as exc:
        raise StudyError(file, _validation_problem(exc)) from None
