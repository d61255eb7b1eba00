"""The scan worker's batch function: one message the engine fails on does not hold back the
others, and is not reported as clean."""

from __future__ import annotations

from typing import Any

import pytest

import services.scan_worker as pipeline
from screening import Finding, ScanResult


class FussyScreener:
    def scan(self, text: str, roster: Any = ()) -> ScanResult:
        if "poison" in text:
            raise ValueError("the engine cannot handle this text")
        if "Priya" in text:
            return ScanResult(findings=[Finding(0, 5, "PERSON", 0.9, "test")])
        return ScanResult()

    def scan_many(self, items: Any) -> list[ScanResult]:
        return [self.scan(text, roster) for text, roster in items]


@pytest.fixture
def fussy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "_worker_screener", FussyScreener())


def test_a_message_the_engine_fails_on_is_left_out_of_its_batch(fussy: None) -> None:
    results = pipeline._scan_batch([("Priya said", []), ("poison", []), ("fine", [])])
    assert results[0] is not None and results[0].findings == [(0, 5, "PERSON", 0.9, "test")]
    assert results[1] is None  # not scanned: the claim stays and the scan is retried later
    assert results[2] == pipeline.Scanned([], None)


def test_a_batch_without_trouble_is_scanned_at_once(fussy: None) -> None:
    assert pipeline._scan_batch([("fine", []), ("also fine", [])]) == [
        pipeline.Scanned([], None), pipeline.Scanned([], None)]
