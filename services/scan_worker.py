"""What runs where the screener runs (a worker process, or one thread when there are none):
loading the engine once per process, scanning a batch, and the pool that hosts it. Results
come back as plain values, since they cross a process boundary."""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

_SCREENERS: dict[tuple[str, float], Any] = {}


def load_screener(model: str, threshold: float) -> Any:
    """Load the screening engine (slow: call in a thread). Loaded once per process."""
    key = (model, threshold)
    if key not in _SCREENERS:
        from screening import Screener, ScreeningConfig

        _SCREENERS[key] = Screener.load(ScreeningConfig(model=model, threshold=threshold))
    return _SCREENERS[key]


_worker_screener: Any = None


def _init_scan_worker(model: str, threshold: float) -> None:
    global _worker_screener
    _worker_screener = load_screener(model, threshold)


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _exit_with_parent(parent_pid: int) -> None:
    """Make this worker process end when the bot does, even on SIGKILL (no clean shutdown
    reaches it then): the kernel's parent-death signal on Linux, and a watch on the parent
    pid everywhere (a worker left behind holds ~265 MB and they pile up with each crash)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(0)
    threading.Thread(target=_watch_parent, args=(parent_pid,), name="parent-watch",
                     daemon=True).start()


def _watch_parent(parent_pid: int, every: float = 1.0) -> None:
    while os.getppid() == parent_pid:
        time.sleep(every)
    os._exit(0)


def _init_scan_process(model: str, threshold: float, parent_pid: int) -> None:
    _exit_with_parent(parent_pid)
    _init_scan_worker(model, threshold)


@dataclass(frozen=True)
class Scanned:
    """A scan result as plain values (it crosses a process boundary)."""

    findings: list[tuple[int, int, str, float, str]]
    safeguarding: tuple[str, str] | None


def _scanned(result: Any) -> Scanned:
    sg = result.safeguarding
    return Scanned(
        [(f.start, f.end, f.category, float(f.score), f.rule) for f in result.findings],
        (sg.level, sg.reason) if sg else None,
    )


def _scan_batch(work: Sequence[tuple[str, Sequence[str]]]) -> list[Scanned | None]:
    """Scan a batch; if the batch fails, each message alone, so that one message the engine
    cannot handle (None) does not hold back the others."""
    try:
        return [_scanned(result) for result in _worker_screener.scan_many(work)]
    except Exception:
        pass
    out: list[Scanned | None] = []
    for text, names in work:
        try:
            out.append(_scanned(_worker_screener.scan(text, roster=names)))
        except Exception:
            out.append(None)
    return out


def scan_executor(model: str, threshold: float, processes: int) -> Executor:
    """Where scans run: `processes` worker processes (no GIL contention with the event loop
    and the database threads), or one thread in this process when 0."""
    if processes <= 0:
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="screening",
                                  initializer=_init_scan_worker, initargs=(model, threshold))
    return ProcessPoolExecutor(max_workers=processes,
                               mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_scan_process,
                               initargs=(model, threshold, os.getpid()))
