"""The composite `Store` implements every port with the port's own signatures, so a caller
typed with a port gets exactly what the wiring hands it."""

from __future__ import annotations

import inspect
from typing import Protocol

import pytest

import store.ports as ports
from store import Store

PORTS = [
    value for value in vars(ports).values()
    if inspect.isclass(value) and issubclass(value, Protocol)
    and value.__module__ == ports.__name__
]


def _members(port: type) -> list[str]:
    return [name for klass in port.__mro__ if klass.__module__ == ports.__name__
            for name, value in vars(klass).items()
            if not name.startswith("_") and inspect.isfunction(value)]


def test_every_port_is_listed() -> None:
    assert len(PORTS) >= 12


@pytest.mark.parametrize("port", PORTS, ids=lambda p: p.__name__)
def test_store_implements_the_port(port: type) -> None:
    for name in _members(port):
        wanted = inspect.signature(getattr(port, name))
        found = inspect.signature(getattr(Store, name))
        assert found == wanted, f"{port.__name__}.{name}: {found} != {wanted}"
        assert inspect.iscoroutinefunction(getattr(Store, name)), name
