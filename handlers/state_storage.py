"""botbuilder `Storage` on the bot's own database (the store's `bot_state` table).

The store knows nothing of botbuilder; every botbuilder type stays in this module.

eTags follow botbuilder's storages (MemoryStorage, BlobStorage, CosmosDbPartitionedStorage):
- every item read carries the row's current `e_tag` (a dict key, or an attribute of an object);
- a write whose item has no `e_tag`, or `e_tag` None or "*", overwrites (last write wins);
- a write naming another eTag raises `store.ETagConflict` (the item changed, or was deleted,
  since it was read); an empty `e_tag` ("") raises too.

Serialisation is plain JSON without jsonpickle: dicts, lists, strings, numbers, booleans and
None as they are; datetimes, enums and objects (botbuilder's DialogState, DialogInstance,
Activity, StoreItem, ...) as tagged dicts. Objects are rebuilt only from classes in allowed
modules (botbuilder's, plus any the bot names), so stored data, including dict keys a user
supplied, can never make the reader import or call anything else.
"""

from __future__ import annotations

import hashlib
import importlib
import math
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import Any

from botbuilder.core import Storage

from store.ports import BotStateStore

DEFAULT_ALLOWED_MODULES = ("botbuilder.", "botframework.")

_TYPE = "$type"
_KEY_LIMIT = 500  # bot_state.key is VARCHAR(512)


class SqlBotStorage(Storage):
    """botbuilder `Storage` backed by `store.ports.BotStateStore`."""

    def __init__(self, store: BotStateStore, *, allowed_modules: Iterable[str] = ()) -> None:
        super().__init__()
        self._store = store
        self._allowed = tuple(DEFAULT_ALLOWED_MODULES) + tuple(allowed_modules)

    async def read(self, keys: list[str]) -> dict[str, object]:
        if keys is None:
            raise Exception("Keys are required when reading")
        wanted = {_db_key(key): key for key in keys}
        if not wanted:
            return {}
        rows = await self._store.state_read(list(wanted))
        result: dict[str, object] = {}
        for db_key, row in rows.items():
            key = wanted.get(db_key)
            if key is None:
                continue
            item = self._decode(row.data)
            if isinstance(item, dict):
                item["e_tag"] = row.etag
            else:
                item.e_tag = row.etag
            result[key] = item
        return result

    async def write(self, changes: dict[str, object]) -> None:
        if changes is None:
            raise Exception("Changes are required when writing")
        if not changes:
            return
        for key, change in changes.items():
            if isinstance(change, dict):
                e_tag = change.get("e_tag")
            else:
                e_tag = getattr(change, "e_tag", None)
            if e_tag == "":
                raise Exception("SqlBotStorage.write(): etag missing")
            data = self._encode_item(change)
            expected = None if e_tag in (None, "*") else str(e_tag)
            await self._store.state_write(_db_key(key), data, expected)

    async def delete(self, keys: list[str]) -> None:
        if keys is None:
            raise Exception("Keys are required when deleting")
        await self._store.state_delete([_db_key(key) for key in keys])

    # ---- serialisation ----------------------------------------------------------------------

    def _encode_item(self, item: object) -> dict[str, Any]:
        if isinstance(item, dict):
            encoded = self._encode({k: v for k, v in item.items() if k != "e_tag"}, set())
        elif _is_plain_object(item):
            encoded = self._encode_object(item, {id(item)}, drop=("e_tag",))
        else:
            raise TypeError(f"store items are dicts or objects, not {type(item).__name__}")
        assert isinstance(encoded, dict)
        return encoded

    def _encode(self, value: Any, active: set[int]) -> Any:
        if isinstance(value, Enum):  # before str/int: botbuilder's enums subclass them
            return {
                _TYPE: "enum",
                "class": self._class_name(type(value)),
                "value": self._encode(value.value, active),
            }
        if value is None or isinstance(value, bool | int | str):
            return value
        if isinstance(value, float):
            if not math.isfinite(value):
                raise ValueError("cannot store a non-finite float in bot state")
            return value
        if isinstance(value, datetime):
            return {_TYPE: "datetime", "value": value.isoformat()}
        if isinstance(value, date):
            return {_TYPE: "date", "value": value.isoformat()}
        if isinstance(value, time):
            return {_TYPE: "time", "value": value.isoformat()}
        if isinstance(value, timedelta):
            return {_TYPE: "timedelta", "value": value.total_seconds()}
        if isinstance(value, dict | list | tuple) or _is_plain_object(value):
            if id(value) in active:
                raise ValueError("cannot store a self-referencing object in bot state")
            active.add(id(value))
            try:
                if isinstance(value, dict):
                    return {_escape(k): self._encode(v, active) for k, v in _str_keys(value)}
                if isinstance(value, list | tuple):
                    return [self._encode(v, active) for v in value]
                return self._encode_object(value, active)
            finally:
                active.discard(id(value))
        raise TypeError(f"cannot store a {type(value).__name__} in bot state")

    def _encode_object(self, value: object, active: set[int], drop: tuple[str, ...] = ()) -> Any:
        attributes = {k: v for k, v in vars(value).items() if k not in drop}
        return {
            _TYPE: "object",
            "class": self._class_name(type(value)),
            "state": {_escape(k): self._encode(v, active) for k, v in _str_keys(attributes)},
        }

    def _decode(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self._decode(v) for v in value]
        if not isinstance(value, dict):
            return value
        kind = value.get(_TYPE)
        if kind is None:
            return {_unescape(k): self._decode(v) for k, v in value.items()}
        if kind == "object":
            cls = self._class(value["class"])
            obj = cls.__new__(cls)
            obj.__dict__.update({_unescape(k): self._decode(v) for k, v in value["state"].items()})
            return obj
        if kind == "enum":
            return self._class(value["class"])(self._decode(value["value"]))
        if kind == "datetime":
            return datetime.fromisoformat(value["value"])
        if kind == "date":
            return date.fromisoformat(value["value"])
        if kind == "time":
            return time.fromisoformat(value["value"])
        if kind == "timedelta":
            return timedelta(seconds=value["value"])
        raise ValueError(f"unknown tagged value in bot state: {kind!r}")

    def _class_name(self, cls: type) -> str:
        name = f"{cls.__module__}:{cls.__qualname__}"
        self._check_module(cls.__module__, name)
        if "<locals>" in cls.__qualname__:
            raise TypeError(f"cannot store an instance of a local class: {name}")
        return name

    def _class(self, name: str) -> type:
        module_name, _, qualname = name.partition(":")
        self._check_module(module_name, name)
        target: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            target = getattr(target, part)
        if not isinstance(target, type):
            raise TypeError(f"not a class: {name}")
        return target

    def _check_module(self, module: str, name: str) -> None:
        if not any(module == p.rstrip(".") or module.startswith(p) for p in self._allowed):
            raise TypeError(f"class {name} is not allowed in bot state")


def _is_plain_object(value: object) -> bool:
    return hasattr(value, "__dict__") and not isinstance(value, type) and not callable(value)


def _str_keys(mapping: dict[Any, Any]) -> Iterable[tuple[str, Any]]:
    for key, value in mapping.items():
        if not isinstance(key, str):
            raise TypeError(f"bot state dict keys must be strings, not {type(key).__name__}")
        yield key, value


def _escape(key: str) -> str:
    # Tagged values are dicts with a "$type" key: a stored key starting with "$" gets one more.
    return "$" + key if key.startswith("$") else key


def _unescape(key: str) -> str:
    return key[1:] if key.startswith("$") else key


def _db_key(key: str) -> str:
    if len(key) <= _KEY_LIMIT:
        return key
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return f"{key[: _KEY_LIMIT - 80]}#sha256:{digest}"
