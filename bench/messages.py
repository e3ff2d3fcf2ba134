"""Benchmark: N young people connected by Server-Sent Events, M guides sending to them.

Starts the app as uvicorn subprocesses on loopback (one on SQLite; two or more sharing
one PostgreSQL database), connects the young people round-robin across the processes,
lets the guides send at a fixed total rate for a fixed time, and prints what was sent
per second, the delivery latency (guide's POST started -> young person's stream got the
message) at p50/p95/p99, and the app processes' memory per open connection.

    .venv/bin/python bench/messages.py --clients 1000 --guides 20 --rate 50 --duration 20
    .venv/bin/python bench/messages.py --database postgres --processes 2 --clients 1000

Everything stays on 127.0.0.1; every loop is bounded by the duration or a count.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import httpx
from sqlalchemy.engine import make_url

from app.clock import utcnow

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlmodel.ext.asyncio.session import AsyncSession  # noqa: E402

from app.db import make_engine  # noqa: E402
from app.models import GuideAssignment, ReadinessGroup, Role, User, Youth  # noqa: E402
from app.security.sessions import start_session  # noqa: E402
from app.services.client_keys import new_client_key  # noqa: E402
from tests.database import create_database, drop_database, migrate  # noqa: E402

SECRET = "bench-secret-key-0123456789abcdef-0123456789"


@dataclass
class Person:
    user_id: int
    token: str
    youth_id: int | None = None


@dataclass
class Results:
    sent_at: dict[str, float] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    # (when the POST started, latency): for --timeline
    timeline: list[tuple[float, float]] = field(default_factory=list)
    sent_ok: int = 0
    send_errors: int = 0
    connected: int = 0
    connect_errors: int = 0


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def build_world(url: str, clients: int, guides: int) -> tuple[list[Person], list[Person]]:
    engine = make_engine(url)
    now = utcnow()
    staff: list[Person] = []
    young: list[Person] = []
    async with AsyncSession(engine, expire_on_commit=False) as db:
        guide_users = [
            User(role=Role.guide, name=f"Guide {i}", email=f"g{i}@bench.example")
            for i in range(guides)
        ]
        db.add_all(guide_users)
        await db.flush()
        for guide in guide_users:
            staff.append(Person(guide.id or 0, await start_session(db, user=guide, now=now)))
        for i in range(clients):
            guide = guide_users[i % guides]
            person = User(role=Role.youth, name=f"Ung {i}", phone=f"+4590{i:06d}")
            db.add(person)
            await db.flush()
            youth = Youth(
                user_id=person.id or 0,
                birth_date=date(2004, 1, 1),
                readiness_group=ReadinessGroup.education_ready,
                guide_id=guide.id,
                course_started_on=now.date(),
            )
            db.add(youth)
            await db.flush()
            db.add(GuideAssignment(youth_id=youth.id or 0, guide_id=guide.id or 0, started_at=now))
            token = await start_session(db, user=person, now=now)
            young.append(Person(person.id or 0, token, youth.id))
        await db.commit()
    await engine.dispose()
    return staff, young


def start_apps(url: str, count: int, logdir: Path) -> list[tuple[subprocess.Popen, str]]:
    apps = []
    for i in range(count):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "TRINVIS_ENV": "test",
            "TRINVIS_PUBLIC_BASE_URL": base,
            "TRINVIS_SECRET_KEY": SECRET,
            "TRINVIS_RUN_WORKER_IN_PROCESS": "false",
            "TRINVIS_LOG_LEVEL": "WARNING",
        }
        log = (logdir / f"app{i}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=log,
        )
        apps.append((process, base))
    for process, base in apps:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"app process stopped; see {logdir}")
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            raise SystemExit("app did not start within 30 s")
    return apps


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


async def sse_client(
    base: str, person: Person, results: Results, stop: asyncio.Event, ready: asyncio.Event
) -> None:
    """A minimal SSE reader on a raw socket: thousands of these must be cheap."""
    port = int(base.rsplit(":", 1)[1])
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
    except OSError:
        results.connect_errors += 1
        ready.set()
        return
    request = (
        "GET /messages/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Cookie: trinvis_session={person.token}\r\nAccept: text/event-stream\r\n\r\n"
    )
    writer.write(request.encode())
    try:
        status = await asyncio.wait_for(reader.readline(), 30)
        if b" 200 " not in status:
            results.connect_errors += 1
            return
        results.connected += 1
        ready.set()
        while not stop.is_set():
            line = await reader.readline()
            if not line:
                return
            if line.startswith(b"data: ") and b"bench:" in line:
                now = time.monotonic()
                marker = line.split(b"bench:", 1)[1][:32].decode()
                started = results.sent_at.pop(marker, None)
                if started is not None:
                    results.latencies.append(now - started)
                    results.timeline.append((started, now - started))
    except (TimeoutError, OSError, asyncio.CancelledError):
        pass
    finally:
        ready.set()
        writer.close()


async def guide_sender(
    base: str, guide: Person, caseload: list[Person], results: Results, queue: asyncio.Queue
) -> None:
    """A guide's browser tab: one kept-alive connection, the same POST our script sends.

    Plain HTTP/1.1 on a socket, like the stream readers: the load generator shares the
    two cores with the app, so it must cost as little as it can (httpx cost a fifth of
    a core at 50 requests/s).
    """
    port = int(base.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    # Double-submit CSRF: the header must equal the cookie; any fresh value will do.
    csrf = uuid.uuid4().hex
    cookie = f"trinvis_session={guide.token}; trinvis_csrf={csrf}"
    turn = 0
    try:
        while True:
            item = await queue.get()
            if item is None:
                return
            youth = caseload[turn % len(caseload)]
            turn += 1
            marker = new_client_key()
            body = urlencode(
                {"body": f"Hej, husk mødet i morgen bench:{marker}", "client_key": marker}
            ).encode()
            head = (
                f"POST /guide/youth/{youth.youth_id}/messages HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{port}\r\nCookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\n"
                "HX-Request: true\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            )
            results.sent_at[marker] = time.monotonic()
            try:
                writer.write(head.encode() + body)
                status = await asyncio.wait_for(_read_response(reader), 10)
            except (OSError, TimeoutError, asyncio.IncompleteReadError):
                results.send_errors += 1
                return
            if status == 200:
                results.sent_ok += 1
            else:
                results.send_errors += 1
    finally:
        writer.close()


async def _read_response(reader: asyncio.StreamReader) -> int:
    """Read one response (status line, headers, Content-Length body); return the status."""
    status = int((await reader.readline()).split(b" ", 2)[1])
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(args: argparse.Namespace, url: str, logdir: Path) -> None:
    print(f"building {args.clients} young people and {args.guides} guides …", flush=True)
    staff, young = await build_world(url, args.clients, args.guides)
    apps = start_apps(url, args.processes, logdir)
    bases = [base for _, base in apps]
    pids = [process.pid for process, _ in apps]
    try:
        await asyncio.sleep(1)
        baseline = sum(rss_bytes(pid) for pid in pids)
        results = Results()
        stop = asyncio.Event()
        readers = []
        started = time.monotonic()
        for offset in range(0, len(young), 100):
            batch = []
            for i, person in enumerate(young[offset : offset + 100], start=offset):
                ready = asyncio.Event()
                readers.append(
                    asyncio.create_task(
                        sse_client(bases[i % len(bases)], person, results, stop, ready)
                    )
                )
                batch.append(ready.wait())
            await asyncio.wait_for(asyncio.gather(*batch), 60)
        connect_seconds = time.monotonic() - started
        await asyncio.sleep(args.settle)
        connected_rss = sum(rss_bytes(pid) for pid in pids)
        print(
            f"connected {results.connected}/{len(young)} streams in {connect_seconds:.1f} s "
            f"({results.connect_errors} failed)",
            flush=True,
        )

        queue: asyncio.Queue = asyncio.Queue()
        caseloads = [young[g :: len(staff)] for g in range(len(staff))]
        senders = [
            asyncio.create_task(
                guide_sender(bases[(g + 1) % len(bases)], guide, caseloads[g], results, queue)
            )
            for g, guide in enumerate(staff)
        ]
        total = int(args.rate * args.duration)
        send_start = time.monotonic()
        for n in range(total):
            due = send_start + n / args.rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            queue.put_nowait(n)
        for _ in senders:
            queue.put_nowait(None)
        await asyncio.gather(*senders)
        send_seconds = time.monotonic() - send_start
        await asyncio.sleep(2)  # let the last deliveries arrive
        stop.set()
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)

        lat_ms = [x * 1000 for x in results.latencies]
        per_connection = (connected_rss - baseline) / max(1, results.connected)
        print(f"database: {args.database}, app processes: {args.processes}")
        print(
            f"sent: {results.sent_ok} ok, {results.send_errors} failed in {send_seconds:.1f} s "
            f"= {results.sent_ok / send_seconds:.1f} messages/s (target rate {args.rate}/s)"
        )
        print(
            f"delivered: {len(lat_ms)} of {results.sent_ok} "
            f"({len(results.sent_at)} not seen by a stream)"
        )
        if lat_ms:
            print(
                "delivery latency ms: "
                f"p50 {percentile(lat_ms, 0.5):.1f}  p95 {percentile(lat_ms, 0.95):.1f}  "
                f"p99 {percentile(lat_ms, 0.99):.1f}  max {max(lat_ms):.1f}  "
                f"mean {statistics.fmean(lat_ms):.1f}"
            )
        if args.timeline and results.timeline:
            print("delivery latency by second of sending (p50 / p95 ms, messages):")
            windows: dict[int, list[float]] = {}
            for started_at, latency in results.timeline:
                windows.setdefault(int((started_at - send_start) // 2) * 2, []).append(latency)
            for second, values in sorted(windows.items()):
                ms = [v * 1000 for v in values]
                print(
                    f"  {second:3d}-{second + 2:<3d} s  {percentile(ms, 0.5):7.1f} / "
                    f"{percentile(ms, 0.95):7.1f}  ({len(ms)})"
                )
        print(
            f"app memory: {baseline / 2**20:.0f} MiB before, {connected_rss / 2**20:.0f} MiB "
            f"with streams open = {per_connection / 1024:.1f} KiB per connection"
        )
    finally:
        for process, _ in apps:
            process.terminate()
        for process, _ in apps:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000, help="connected young people (N)")
    parser.add_argument(
        "--guides",
        type=int,
        default=50,
        help="guides sending (M); each stays under the per-person send limit",
    )
    parser.add_argument("--rate", type=float, default=50.0, help="messages per second, total")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of sending")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--processes", type=int, default=None, help="app processes")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
        ),
        help="server to create a scratch database on (dropped afterwards)",
    )
    parser.add_argument(
        "--timeline", action="store_true", help="also print latency per 2 s of sending"
    )
    parser.add_argument("--settle", type=float, default=3.0, help="seconds after connecting")
    args = parser.parse_args()
    if args.processes is None:
        args.processes = 1 if args.database == "sqlite" else 2
    if args.database == "sqlite" and args.processes != 1:
        parser.error("SQLite serves from one process (the in-process hub); use --database postgres")
    if not (1 <= args.clients <= 20000 and 1 <= args.guides <= args.clients):
        parser.error("--clients must be 1..20000 and --guides 1..clients")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, args.clients * 2 + 1000)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    with tempfile.TemporaryDirectory(prefix="trinvis-bench-") as tmp:
        logdir = Path(tmp)
        if args.database == "sqlite":
            url = f"sqlite+aiosqlite:///{logdir / 'bench.db'}"
            migrate(url)
            asyncio.run(run(args, url, logdir))
        else:
            name = f"trinvis_bench_{uuid.uuid4().hex[:8]}"
            url = create_database(args.postgres_url, name)
            try:
                migrate(url)
                asyncio.run(run(args, url, logdir))
            finally:
                drop_database(args.postgres_url, make_url(url).database or "")


if __name__ == "__main__":
    main()
