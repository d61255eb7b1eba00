"""SqlBotStorage: botbuilder's own Storage contract (StorageBaseTests) on every backend."""

from __future__ import annotations

import importlib
import sys
import types
from datetime import UTC, datetime
from enum import Enum

import pytest
from botbuilder.core import StoreItem
from botbuilder.dialogs import DialogInstance, DialogState

from handlers.state_storage import SqlBotStorage
from store import ETagConflict, Store


def _storage_base_tests() -> type:
    """botbuilder.testing's StorageBaseTests.

    It imports botbuilder.azure only for an isinstance check; that package needs `six`
    (through azure-storage-queue), which requirements.txt does not pin. Without it, a stand-in
    module is used just for that import, and removed again at once.
    """
    try:
        return importlib.import_module("botbuilder.testing").StorageBaseTests
    except ModuleNotFoundError as exc:
        if exc.name != "six":
            raise
    stand_in = types.ModuleType("botbuilder.azure")
    stand_in.CosmosDbPartitionedStorage = type("CosmosDbPartitionedStorage", (), {})
    sys.modules["botbuilder.azure"] = stand_in
    try:
        return importlib.import_module("botbuilder.testing").StorageBaseTests
    finally:
        del sys.modules["botbuilder.azure"]


StorageBaseTests = _storage_base_tests()

BASE_TESTS = [
    "return_empty_object_when_reading_unknown_key",
    "handle_null_keys_when_reading",
    "handle_null_keys_when_writing",
    "does_not_raise_when_writing_no_items",
    "create_object",
    "handle_crazy_keys",
    "update_object",
    "delete_object",
    "delete_unknown_object",
    "perform_batch_operations",
    "proceeds_through_waterfall",
]


def test_every_base_test_is_run() -> None:
    defined = {
        name
        for name, value in vars(StorageBaseTests).items()
        if isinstance(value, staticmethod) and not name.startswith("_")
    }
    assert defined == set(BASE_TESTS)


@pytest.fixture
def storage(store: Store) -> SqlBotStorage:
    return SqlBotStorage(store, allowed_modules=(__name__,))


@pytest.mark.parametrize("name", BASE_TESTS)
async def test_storage_base_tests(storage: SqlBotStorage, name: str) -> None:
    assert await getattr(StorageBaseTests, name)(storage) is True


# ---- beyond the base tests ------------------------------------------------------------------


class Mood(Enum):
    CALM = "calm"


class Notes:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
        self.mood = Mood.CALM
        self.tags = ("a", "b")


async def test_store_item_objects_carry_etags(storage: SqlBotStorage) -> None:
    await storage.write({"obj": StoreItem(count=1, e_tag="*")})
    first = (await storage.read(["obj"]))["obj"]
    assert isinstance(first, StoreItem)
    assert first.count == 1 and first.e_tag

    first.count = 2
    await storage.write({"obj": first})
    second = (await storage.read(["obj"]))["obj"]
    assert second.count == 2 and second.e_tag != first.e_tag

    first.count = 3  # still holds the old eTag
    with pytest.raises(ETagConflict):
        await storage.write({"obj": first})
    assert (await storage.read(["obj"]))["obj"].count == 2

    first.e_tag = "*"
    await storage.write({"obj": first})
    assert (await storage.read(["obj"]))["obj"].count == 3


async def test_stale_dict_etag_conflicts_and_deleted_item_conflicts(
    storage: SqlBotStorage,
) -> None:
    await storage.write({"k": {"n": 1}})
    read = (await storage.read(["k"]))["k"]
    await storage.write({"k": dict(read, n=2)})
    with pytest.raises(ETagConflict):
        await storage.write({"k": dict(read, n=3)})
    await storage.delete(["k"])
    with pytest.raises(ETagConflict):
        await storage.write({"k": dict(read, n=4)})
    assert await storage.read(["k"]) == {}
    with pytest.raises(Exception, match="Keys are required"):
        await storage.delete(None)  # type: ignore[arg-type]


async def test_dialog_state_and_nested_values_round_trip(storage: SqlBotStorage) -> None:
    instance = DialogInstance()
    instance.id = "waterfall"
    instance.state = {"stepIndex": 1, "values": {"name": "Zoë"}, "options": None}
    state = {"dialogState": DialogState([instance]), "notes": Notes("hi"), "n": [1, 2.5, None]}
    await storage.write({"conv": state})

    got = (await storage.read(["conv"]))["conv"]
    assert isinstance(got, dict) and got["e_tag"]
    dialog_state = got["dialogState"]
    assert isinstance(dialog_state, DialogState)
    (restored,) = dialog_state.dialog_stack
    assert isinstance(restored, DialogInstance)
    assert restored.id == "waterfall"
    assert restored.state == {"stepIndex": 1, "values": {"name": "Zoë"}, "options": None}
    notes = got["notes"]
    assert isinstance(notes, Notes)
    assert (notes.text, notes.at, notes.mood, notes.tags) == (
        "hi",
        datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
        Mood.CALM,
        ["a", "b"],
    )
    assert got["n"] == [1, 2.5, None]


async def test_user_supplied_keys_cannot_smuggle_types(storage: SqlBotStorage) -> None:
    # e.g. an Adaptive Card submit payload kept in dialog state
    hostile = {
        "$type": "object",
        "class": "os:system",
        "state": {},
        "py/reduce": [{"py/function": "os.system"}, ["true"]],
        "$$already": 1,
    }
    await storage.write({"k": {"submitted": hostile}})
    got = (await storage.read(["k"]))["k"]
    assert got["submitted"] == hostile


async def test_classes_outside_allowed_modules_are_refused(store: Store) -> None:
    storage = SqlBotStorage(store)  # this test module is not allowed here
    with pytest.raises(TypeError, match="not allowed"):
        await storage.write({"k": {"notes": Notes("x")}})
    assert await storage.read(["k"]) == {}

    # nor is a stored class name honoured on read
    await store.state_write(
        "evil", {"$type": "object", "class": "subprocess:Popen", "state": {}}, None
    )
    with pytest.raises(TypeError, match="not allowed"):
        await storage.read(["evil"])


async def test_unserialisable_values_are_refused(storage: SqlBotStorage) -> None:
    loop: dict[str, object] = {}
    loop["self"] = loop
    with pytest.raises(ValueError, match="self-referencing"):
        await storage.write({"k": loop})
    with pytest.raises(TypeError):
        await storage.write({"k": {"s": {1, 2}}})
    with pytest.raises(TypeError):
        await storage.write({"k": {1: "int key"}})
    with pytest.raises(ValueError):
        await storage.write({"k": {"f": float("nan")}})
    assert await storage.read(["k"]) == {}


async def test_long_keys(storage: SqlBotStorage) -> None:
    long_a = "msteams/conversations/19:" + "a" * 900 + "/"
    long_b = "msteams/conversations/19:" + "a" * 901 + "/"
    await storage.write({long_a: {"n": 1}, long_b: {"n": 2}})
    got = await storage.read([long_a, long_b, "short"])
    assert {k: v["n"] for k, v in got.items()} == {long_a: 1, long_b: 2}
    await storage.delete([long_a])
    assert set(await storage.read([long_a, long_b])) == {long_b}
