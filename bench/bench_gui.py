"""How the desktop app feels: event-loop stalls while agents stream, and start-up time.

1. Responsiveness: a 5 ms QTimer measures how late the GUI event loop serves it, first with
   an idle loop, then while three platforms stream at a high token rate from the local fake
   OpenRouter into the live run monitor. Printed: the worst and 99th-percentile lateness of
   each, and their ratio (streaming / idle).
2. Start-up: wall time from launching a process to the first paint of its main window,
   for `copydesk` (the real start, database opened on a worker) and for a bare QApplication
   showing an empty QMainWindow. Printed: the medians and their ratio.

    uv run python bench/bench_gui.py [--runs N] [--chunk-ms N] [--skip-startup]

Runs offscreen unless QT_QPA_PLATFORM says otherwise (e.g. xcb under Xvfb).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PLATFORMS = ["blog", "linkedin", "x"]
TICK_MS = 5

STREAM_TEXT = (
    "Linen is a fabric that gets better with every wash, and our summer pieces are cut "
    "to be worn for many seasons. "
) * 40


# -- 1. responsiveness ------------------------------------------------------------------------


class LatenessProbe:
    """A precise 5 ms timer that records how late each of its ticks arrives."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.samples: list[float] = []
        self._last = 0.0
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.samples.clear()
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.samples.append(max(0.0, (now - self._last) * 1000 - TICK_MS))
        self._last = now

    def worst(self) -> float:
        return max(self.samples, default=0.0)

    def p99(self) -> float:
        if len(self.samples) < 2:
            return self.worst()
        return statistics.quantiles(self.samples, n=100)[98]


def _run_loop_for(app: Any, seconds: float) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def measure_streaming(chunk_ms: float, idle_seconds: float) -> dict[str, float]:
    from PySide6.QtWidgets import QApplication

    from app.agents.generate import start_piece
    from app.config import Config
    from app.db.engine import open_database
    from app.db.seed import seed_defaults
    from app.llm.catalog import PriceBook, refresh
    from app.llm.client import OpenRouterClient
    from app.llm.ledger import DatabaseLedger
    from app.notifications import ErrorRouter
    from app.paths import app_paths
    from app.services.clients import ensure_client
    from app.services.projects import create_project
    from tests.fakes.openrouter_server import TEST_KEY, FakeOpenRouter, default_responder, reply
    from ui.backend import Backend
    from ui.desktop import Desktop
    from ui.run.manager import RunManager
    from ui.run.monitor import RunsPage

    app = QApplication.instance() or QApplication(sys.argv)
    probe = LatenessProbe()
    probe.start()
    _run_loop_for(app, idle_seconds)
    probe.stop()
    idle = (probe.worst(), probe.p99(), len(probe.samples))

    def responder(body: dict[str, Any]) -> Any:
        scenario = default_responder(body)
        if body.get("response_format"):
            return dataclasses.replace(scenario, chunk_size=4, delay=chunk_ms / 1000)
        return reply(STREAM_TEXT, chunk_size=4, delay=chunk_ms / 1000)

    with tempfile.TemporaryDirectory(prefix="copydesk-bench-") as tmp, FakeOpenRouter() as fake:
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            os.environ[name] = str(Path(tmp) / name.lower())
        os.environ["OPENROUTER_API_KEY"] = TEST_KEY
        fake.set_responder(responder)
        db = open_database(f"sqlite:///{tmp}/bench.db")
        seed_defaults(db)
        with OpenRouterClient(fake.base_url, TEST_KEY) as client:
            models = refresh(db, client).models
        with db.session() as session:
            client_row = ensure_client(session, "Bench")
            project_id = create_project(session, client_row.id, "Store").id
        piece_id = start_piece(
            db,
            project_ref=str(project_id),
            skill_name="product-launch-announcement",
            platforms=PLATFORMS,
            template_inputs={
                "product_name": "Summer linen",
                "launch_date": "2025-06-01",
                "audience": "Wedding guests",
            },
            options={"max_iterations": 0, "score_threshold": 0},
        )
        config = Config(database_url=db.url, base_url=fake.base_url, paths=app_paths())
        router = ErrorRouter()
        desktop = Desktop.create(config, router)
        ledger = DatabaseLedger(db)
        backend = Backend(config, db, ledger, PriceBook.from_models(models), desktop.keys)
        manager = RunManager(desktop)
        manager.set_backend(backend)
        page = RunsPage(manager)
        page.resize(1400, 850)
        page.show()

        finished: list[str] = []
        manager.run_finished.connect(lambda _pid, status, *_: finished.append(status))
        deltas = {"events": 0, "chars": 0}

        def count(events: list[Any]) -> None:
            deltas["events"] += len(events)
            deltas["chars"] += sum(len(getattr(e, "text", "")) for e in events)

        started = time.perf_counter()
        run = manager.start(piece_id)
        assert run is not None
        run.events.connect(count)
        probe.start()
        while not finished:
            _run_loop_for(app, 0.05)
        probe.stop()
        elapsed = time.perf_counter() - started
        streaming = (probe.worst(), probe.p99(), len(probe.samples))
        desktop.tasks.wait_for_done(30000)
        page.close()
        page.deleteLater()
        ledger.close()
        db.dispose()
        chat_calls = len(fake.chat_requests)

    return {
        "idle_worst_ms": idle[0],
        "idle_p99_ms": idle[1],
        "idle_ticks": idle[2],
        "stream_worst_ms": streaming[0],
        "stream_p99_ms": streaming[1],
        "stream_ticks": streaming[2],
        "run_seconds": elapsed,
        "chars": deltas["chars"],
        "batches": deltas["events"],
        "calls": chat_calls,
        "status_ok": float(finished == ["awaiting_review"]),
    }


# -- 2. start-up ------------------------------------------------------------------------------

_PAINT_FILTER = textwrap.dedent(
    """
    import os, sys, time
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    class FirstPaint(QObject):
        done = False
        def eventFilter(self, watched, event):
            if (not self.done and event.type() == QEvent.Type.Paint
                    and isinstance(watched, QMainWindow)):
                self.done = True
                print("PAINTED", time.time(), flush=True)
                QTimer.singleShot(0, QApplication.instance().quit)
            return False
    """
)

BARE = _PAINT_FILTER + textwrap.dedent(
    """
    app = QApplication(sys.argv)
    watcher = FirstPaint()
    app.installEventFilter(watcher)
    window = QMainWindow()
    window.resize(1280, 820)
    window.show()
    app.exec()
    """
)

COPYDESK = _PAINT_FILTER + textwrap.dedent(
    """
    from ui.application import create_application
    app = create_application()
    watcher = FirstPaint()
    app.installEventFilter(watcher)
    from ui.launcher import main
    sys.exit(main([]))
    """
)


def _time_to_paint(script: str, env: dict[str, str]) -> float:
    started = time.time()
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    for line in result.stdout.splitlines():
        if line.startswith("PAINTED "):
            return float(line.split()[1]) - started
    raise RuntimeError(f"no paint reported:\n{result.stdout}\n{result.stderr}")


def measure_startup(runs: int) -> dict[str, float]:
    bare, real = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="copydesk-start-") as tmp:
            env = {
                **os.environ,
                "PYTHONPATH": str(ROOT),
                "OPENROUTER_API_KEY": "sk-or-bench-key",
                "OPENROUTER_BASE_URL": "http://127.0.0.1:9/api/v1",
            }
            for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
                env[name] = str(Path(tmp) / name.lower())
            bare.append(_time_to_paint(BARE, env))
            real.append(_time_to_paint(COPYDESK, env))
    return {"bare_s": statistics.median(bare), "copydesk_s": statistics.median(real)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="start-up runs of each kind")
    parser.add_argument("--chunk-ms", type=float, default=1.0, help="delay between 4-char chunks")
    parser.add_argument("--idle-seconds", type=float, default=3.0)
    parser.add_argument("--skip-startup", action="store_true")
    args = parser.parse_args()

    stream = measure_streaming(args.chunk_ms, args.idle_seconds)
    rate = stream["chars"] / 4 / stream["run_seconds"]
    print("Event loop lateness of a 5 ms timer")
    print(
        f"  idle:      worst {stream['idle_worst_ms']:6.1f} ms   p99 {stream['idle_p99_ms']:5.1f} ms"
    )
    print(
        f"  streaming: worst {stream['stream_worst_ms']:6.1f} ms   p99 "
        f"{stream['stream_p99_ms']:5.1f} ms   (3 platforms, {stream['calls']:.0f} calls, "
        f"≈{rate:,.0f} tokens/s into the monitor in {stream['batches']:.0f} batches, "
        f"{stream['run_seconds']:.1f} s, finished: {bool(stream['status_ok'])})"
    )
    idle_worst = max(stream["idle_worst_ms"], 0.1)
    print(f"  ratio worst streaming / worst idle: {stream['stream_worst_ms'] / idle_worst:.2f}")
    print(
        f"  ratio p99 streaming / p99 idle:     "
        f"{stream['stream_p99_ms'] / max(stream['idle_p99_ms'], 0.1):.2f}"
    )
    if args.skip_startup:
        return
    startup = measure_startup(args.runs)
    print(f"Start-up to the first painted window (median of {args.runs})")
    print(f"  bare QApplication + QMainWindow: {startup['bare_s'] * 1000:7.0f} ms")
    print(f"  copydesk:                        {startup['copydesk_s'] * 1000:7.0f} ms")
    print(f"  ratio copydesk / bare:           {startup['copydesk_s'] / startup['bare_s']:.2f}")


if __name__ == "__main__":
    main()
