"""How the desktop app feels: event-loop stalls while agents stream, and start-up time.

1. Responsiveness: a 5 ms QTimer measures how late the GUI event loop serves it, first with
   an idle loop, then while three platforms stream at a high token rate from the local fake
   OpenRouter into the live run monitor. Printed: the worst and 99th-percentile lateness of
   each, and their ratio (streaming / idle).
2. Start-up: wall time from launching a process to the first paint of its main window,
   for `copydesk` (the real start, database opened on a worker) and for a bare QApplication
   showing an empty QMainWindow. Printed: the medians and their ratio.

    uv run python bench/bench_gui.py [--runs N] [--chunk-ms N] [--skip-startup | --startup-only]

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

# A long draft in Markdown paragraphs, as a writer agent streams it.
STREAM_TEXT = (
    "## Summer linen\n\n"
    + (
        "Linen is a fabric that gets better with every wash, and our summer pieces are cut "
        "to be worn for many seasons. Each one is sewn by hand in the Porto studio, from "
        "deadstock cloth that would otherwise go to waste.\n\n"
    )
    * 24
)


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


_SERVER = textwrap.dedent(
    """
    import dataclasses, sys
    from tests.fakes.openrouter_server import FakeOpenRouter, default_responder, reply
    text, delay = sys.argv[1], float(sys.argv[2]) / 1000

    def responder(body):
        if body.get("response_format"):
            return dataclasses.replace(default_responder(body), chunk_size=4, delay=delay)
        return reply(text, chunk_size=4, delay=delay)

    with FakeOpenRouter() as fake:
        fake.set_responder(responder)
        print(fake.base_url, flush=True)
        for line in sys.stdin:
            print(len(fake.chat_requests), flush=True)
    """
)


class FakeServer:
    """The fake OpenRouter in a process of its own, as a real server would be: its threads
    must not compete with the app's for the interpreter."""

    def __init__(self, chunk_ms: float) -> None:
        self.chunk_ms = chunk_ms

    def __enter__(self) -> FakeServer:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SERVER, STREAM_TEXT, str(self.chunk_ms)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.base_url = self.process.stdout.readline().strip()
        return self

    def chat_calls(self) -> int:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("count\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def _run_loop_for(seconds: float) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


@dataclasses.dataclass
class Stalls:
    worst_ms: float
    p99_ms: float
    ticks: int
    seconds: float = 0.0
    chars: int = 0
    status: str = ""


def measure_idle(seconds: float) -> Stalls:
    probe = LatenessProbe()
    probe.start()
    _run_loop_for(seconds)
    probe.stop()
    return Stalls(probe.worst(), probe.p99(), len(probe.samples), seconds)


def measure_streaming(chunk_ms: float) -> tuple[Stalls, Stalls, int]:
    """Two runs of a three-platform piece, live in the run monitor: the session's first
    (which also loads and compiles the prompt templates) and a second one."""
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
    from tests.fakes.openrouter_server import TEST_KEY
    from ui.backend import Backend
    from ui.desktop import Desktop
    from ui.run.manager import RunManager
    from ui.run.monitor import RunsPage

    with tempfile.TemporaryDirectory(prefix="copydesk-bench-") as tmp, FakeServer(chunk_ms) as fake:
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            os.environ[name] = str(Path(tmp) / name.lower())
        os.environ["OPENROUTER_API_KEY"] = TEST_KEY
        db = open_database(f"sqlite:///{tmp}/bench.db")
        seed_defaults(db)
        with OpenRouterClient(fake.base_url, TEST_KEY) as client:
            models = refresh(db, client).models
        with db.session() as session:
            client_row = ensure_client(session, "Bench")
            project_id = create_project(session, client_row.id, "Store").id
        config = Config(database_url=db.url, base_url=fake.base_url, paths=app_paths())
        desktop = Desktop.create(config, ErrorRouter())
        ledger = DatabaseLedger(db)
        backend = Backend(config, db, ledger, PriceBook.from_models(models), desktop.keys)
        manager = RunManager(desktop)
        manager.set_backend(backend)
        page = RunsPage(manager)
        page.resize(1400, 850)
        page.show()
        try:
            first = _stream_one(manager, _new_piece(db, str(project_id)))
            second = _stream_one(manager, _new_piece(db, str(project_id)))
        finally:
            desktop.tasks.wait_for_done(30000)
            page.close()
            ledger.close()
            db.dispose()
        calls = fake.chat_calls()
    return first, second, calls


def _new_piece(db: Any, project_ref: str) -> Any:
    from app.agents.generate import start_piece

    return start_piece(
        db,
        project_ref=project_ref,
        skill_name="product-launch-announcement",
        platforms=PLATFORMS,
        template_inputs={
            "product_name": "Summer linen",
            "launch_date": "2025-06-01",
            "audience": "Wedding guests",
        },
        options={"max_iterations": 0, "score_threshold": 0},
    )


def _stream_one(manager: Any, piece_id: Any) -> Stalls:
    """Run one piece to its end while the probe watches the event loop."""
    finished: list[str] = []
    chars = [0]

    def done(finished_id: Any, status: str, *_rest: object) -> None:
        if finished_id == piece_id:
            finished.append(status)

    def count(events: list[Any]) -> None:
        chars[0] += sum(len(getattr(event, "text", "")) for event in events)

    manager.run_finished.connect(done)
    probe = LatenessProbe()
    started = time.perf_counter()
    probe.start()
    run = manager.start(piece_id)
    run.events.connect(count)
    while not finished:
        _run_loop_for(0.05)
    probe.stop()
    manager.run_finished.disconnect(done)
    return Stalls(
        probe.worst(),
        probe.p99(),
        len(probe.samples),
        time.perf_counter() - started,
        chars[0],
        finished[0],
    )


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


def _print_stalls(label: str, stalls: Stalls, idle: Stalls) -> None:
    rate = stalls.chars / 4 / stalls.seconds if stalls.seconds else 0.0
    print(
        f"  {label:<22} worst {stalls.worst_ms:6.1f} ms ({stalls.worst_ms / idle.worst_ms:5.1f}×)"
        f"   p99 {stalls.p99_ms:5.1f} ms ({stalls.p99_ms / idle.p99_ms:5.1f}×)"
        f"   ≈{rate:,.0f} tokens/s streamed, {stalls.seconds:.1f} s, {stalls.status}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="start-up runs of each kind")
    parser.add_argument("--chunk-ms", type=float, default=1.0, help="delay between 4-char chunks")
    parser.add_argument("--idle-seconds", type=float, default=3.0)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--skip-startup", action="store_true", help="measure responsiveness only")
    which.add_argument("--startup-only", action="store_true", help="measure start-up only")
    args = parser.parse_args()
    if not args.startup_only:
        measure_responsiveness(args.idle_seconds, args.chunk_ms)
    if not args.skip_startup:
        print_startup(args.runs)


def measure_responsiveness(idle_seconds: float, chunk_ms: float) -> None:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    idle = measure_idle(idle_seconds)
    idle = dataclasses.replace(idle, worst_ms=max(idle.worst_ms, 0.1), p99_ms=max(idle.p99_ms, 0.1))
    first, second, calls = measure_streaming(chunk_ms)
    print(f"Event-loop lateness of a {TICK_MS} ms timer (ratios to the idle loop)")
    print(f"  {'idle loop':<22} worst {idle.worst_ms:6.1f} ms          p99 {idle.p99_ms:5.1f} ms")
    _print_stalls("3 platforms, 1st run", first, idle)
    _print_stalls("3 platforms, 2nd run", second, idle)
    print(f"  ({calls} model calls; the first run also compiles the prompt templates)")
    del app


def print_startup(runs: int) -> None:
    startup = measure_startup(runs)
    print(f"Start-up to the first painted window (median of {runs})")
    print(f"  bare QApplication + QMainWindow: {startup['bare_s'] * 1000:7.0f} ms")
    print(f"  copydesk:                        {startup['copydesk_s'] * 1000:7.0f} ms")
    print(f"  ratio copydesk / bare:           {startup['copydesk_s'] / startup['bare_s']:.2f}")


if __name__ == "__main__":
    main()
