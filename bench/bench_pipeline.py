"""Pipeline overhead and parallel speed-up: a whole piece against the local fake OpenRouter.

Every answer is streamed with fixed latencies (a first-token delay, then a delay per chunk),
so the server's time is known exactly. The script prints:

- overhead ratio: wall time of a run / the server's latency on the critical path (the
  slowest platform's calls, end to end). 1.00 would mean the pipeline costs nothing;
- speed-up: wall time with the platforms one at a time / with all three in parallel.

    uv run python bench/bench_pipeline.py [--runs N] [--first-token-ms N] [--chunk-ms N]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from app.agents.generate import start_piece
from app.agents.options import PipelineOptions
from app.agents.runner import PipelineRunner
from app.db.engine import Database, open_database
from app.domain.status import PieceStatus
from tests.agents.conftest import PROJECT_REF, make_client, make_project
from tests.agents.helpers import agent_of
from tests.fakes.openrouter_server import FakeOpenRouter, Scenario, default_responder

PLATFORMS = ["blog", "linkedin", "x"]


class TimedResponder:
    """The fake's default answers, streamed with fixed latencies that are added up per
    platform (the lanes run in parallel, so each platform is its own path)."""

    def __init__(self, first_token: float, per_chunk: float) -> None:
        self.first_token = first_token
        self.per_chunk = per_chunk
        self.latency: dict[str, float] = defaultdict(float)
        self._lock = threading.Lock()

    def __call__(self, body: dict[str, Any]) -> Scenario:
        scenario = dataclasses.replace(
            default_responder(body), first_token_delay=self.first_token, delay=self.per_chunk
        )
        chunks = max(1, math.ceil(len(scenario.text) / scenario.chunk_size))
        _, platform = agent_of(body)
        with self._lock:
            self.latency[platform] += self.first_token + self.per_chunk * (chunks - 1)
        return scenario

    def reset(self) -> None:
        with self._lock:
            self.latency.clear()

    @property
    def critical_path(self) -> float:
        return max(self.latency.values())

    @property
    def total(self) -> float:
        return sum(self.latency.values())


def one_run(db: Database, fake: FakeOpenRouter, parallel: int, timed: TimedResponder) -> float:
    piece_id = start_piece(
        db,
        project_ref=PROJECT_REF,
        skill_name="blog-post",
        platforms=PLATFORMS,
        template_inputs={"topic": "Linen for a hot summer"},
    )
    llm, ledger = make_client(fake, db)
    runner = PipelineRunner(db, llm, max_parallel=parallel, options=PipelineOptions())
    timed.reset()
    try:
        started = time.perf_counter()
        result = runner.run(piece_id)
        elapsed = time.perf_counter() - started
    finally:
        llm.close()
        ledger.close()
    if result.status != PieceStatus.AWAITING_REVIEW:
        raise SystemExit(f"the run ended {result.status}: {result.platforms}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each kind (default 3)")
    parser.add_argument("--first-token-ms", type=float, default=150.0)
    parser.add_argument("--chunk-ms", type=float, default=4.0)
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'bench.db'}"
        db = open_database(url)
        make_project(db)
        timed = TimedResponder(args.first_token_ms / 1000, args.chunk_ms / 1000)
        overheads: list[float] = []
        parallel_times: list[float] = []
        serial_times: list[float] = []
        with FakeOpenRouter() as fake:
            fake.set_responder(timed)
            one_run(db, fake, 3, timed)  # warm-up: imports, compiled templates, connections
            for _ in range(args.runs):
                wall = one_run(db, fake, 3, timed)
                parallel_times.append(wall)
                overheads.append(wall / timed.critical_path)
                critical, total = timed.critical_path, timed.total
                serial_times.append(one_run(db, fake, 1, timed))
        db.dispose()

    report = {
        "database": "sqlite (temporary file)" if not args.database else "as given",
        "first_token_ms": args.first_token_ms,
        "chunk_ms": args.chunk_ms,
        "server_latency_critical_path_s": round(critical, 3),
        "server_latency_all_calls_s": round(total, 3),
        "parallel_wall_s": round(statistics.median(parallel_times), 3),
        "serial_wall_s": round(statistics.median(serial_times), 3),
        "overhead_ratio": round(statistics.median(overheads), 3),
        "parallel_speedup": round(
            statistics.median(serial_times) / statistics.median(parallel_times), 3
        ),
    }
    for key, value in report.items():
        print(f"{key:34} {value}")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
