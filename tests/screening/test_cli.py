"""The command-line contract: JSON lines in, JSON lines out, same order."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_jsonl_contract(screener):
    msgs = ["hello all", "call 07700 900123 please", "", "yes rose, agree",
            "I'm not safe at home, my partner hit me", "<p><at>Priya</at>&nbsp;hi</p>"] * 50
    stdin = "\n".join(json.dumps({"text": m}) for m in msgs) + "\n"
    proc = subprocess.run([sys.executable, "-m", "screening"], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, check=True, timeout=300)
    lines = proc.stdout.splitlines()
    assert len(lines) == len(msgs)
    for msg, line in zip(msgs, lines, strict=True):
        out = json.loads(line)
        expected = screener.scan(msg)
        # issue 10 allows two added fields, present exactly when there is an alert
        extra = {"safeguarding_category", "reason"} if expected.safeguarding else set()
        assert set(out) == {"findings", "safeguarding"} | extra
        assert isinstance(out["safeguarding"], bool)
        assert out["safeguarding"] == (expected.safeguarding is not None)
        assert [(f["start"], f["end"], f["category"]) for f in out["findings"]] == [
            (f.start, f.end, f.category) for f in expected.findings]
        for f in out["findings"]:
            assert set(f) == {"start", "end", "category", "score"}
            assert f["score"] >= 0.5
    assert json.loads(lines[1])["findings"]
    assert json.loads(lines[4])["safeguarding"] is True


@pytest.mark.slow
def test_text_mode():
    proc = subprocess.run([sys.executable, "-m", "screening", "--text", "ring 07700 900123"],
                          capture_output=True, text=True, cwd=ROOT, check=True, timeout=120)
    assert "CONTACT" in proc.stdout and "flagged: True" in proc.stdout
