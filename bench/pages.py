"""Benchmark: the pages people open most, side by side with a bare endpoint.

Builds a scratch PostgreSQL database with the demo (`--scale`: the first guide follows
25 young people and their team 300), signs in as a young person, a guide and a leader,
starts one app process (uvicorn, as `trinvis serve` does) and one bare Starlette process
that serves each page's bytes from memory, and then runs `wrk -t1 -c16` against each
page and its bare copy in turn (`--rounds` alternations of `--seconds` each), so the
ratio holds however busy the machine is. Prints requests/s, p50/p99 latency, the app's
CPU per request, the SQL statements one request sends (counted in process on the same
database) and the ratio to bare.

    .venv/bin/python bench/pages.py --scale
    .venv/bin/python bench/pages.py --pages youth_home,caseload --rounds 5

Everything stays on 127.0.0.1; every run is bounded by the rounds and seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlmodel import col, select  # noqa: E402
from sqlmodel.ext.asyncio.session import AsyncSession  # noqa: E402

from app.clock import utcnow  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.models import Role, Team, User, Youth  # noqa: E402
from app.security.sessions import start_session  # noqa: E402
from tests.database import create_database, drop_database, migrate  # noqa: E402

SECRET = "bench-secret-key-0123456789abcdef-0123456789"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
SCALE_CASELOAD = 25
SCALE_TEAM = 300


@dataclass(frozen=True)
class Page:
    name: str
    role: str  # "" for nobody signed in
    path: str  # may hold {youth_id}: a young person on the guide's own caseload


PAGES = [
    Page("youth_home", "youth", "/"),
    Page("youth_plan", "youth", "/plan"),
    Page("youth_messages", "youth", "/messages"),
    Page("youth_checkins", "youth", "/checkins"),
    Page("caseload", "guide", "/"),
    Page("guide_inbox", "guide", "/guide/inbox"),
    Page("youth_page", "guide", "/guide/youth/{youth_id}"),
    Page("leader_overview", "leader", "/"),
    # What every request pays before a page does its own work, for reading the rows
    # above: the framework and middleware alone (a public answer, no database), and a
    # signed-in request with the sign-in check, one read and a one-line fragment.
    Page("floor_public", "", "/healthz"),
    Page("floor_signed_in", "youth", "/messages/badge"),
]


@dataclass
class People:
    tokens: dict[str, str]
    youth_id: int  # the young person the guide opens (on their own caseload)
    caseload: int


@dataclass
class Run:
    rps: list[float] = field(default_factory=list)
    p50: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    errors: int = 0


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- the world ---------------------------------------------------------------------------


async def build_world(url: str, scale: bool) -> People:
    from app.demo import load_demo_data, people

    if scale:
        # Enough young people for a team of 300; moved onto guides of 25 below.
        people.YOUTH_COUNT = SCALE_TEAM
    engine = make_engine(url)
    now = utcnow()
    async with AsyncSession(engine, expire_on_commit=False) as db:
        await load_demo_data(db, now=now)
        await db.commit()
    async with AsyncSession(engine, expire_on_commit=False) as db:
        guide = (
            await db.exec(select(User).where(User.role == Role.guide).order_by(col(User.id)))
        ).first()
        leader = (await db.exec(select(User).where(User.role == Role.leader))).first()
        assert guide is not None and guide.id is not None and leader is not None
        if scale:
            await _scale(db, guide=guide, now=now)
        young = (
            await db.exec(
                select(Youth, User)
                .join(User, col(User.id) == col(Youth.user_id))
                .where(Youth.guide_id == guide.id)
                .order_by(col(Youth.id))
            )
        ).all()
        youth, youth_user = young[0]
        assert youth.id is not None
        tokens = {
            "youth": await start_session(db, user=youth_user, now=now),
            "guide": await start_session(db, user=guide, now=now),
            "leader": await start_session(db, user=leader, now=now),
        }
        await db.commit()
    await engine.dispose()
    return People(tokens=tokens, youth_id=youth.id, caseload=len(young))


async def _scale(db: AsyncSession, *, guide: User, now: object) -> None:
    """The first guide keeps 25 young people; the others go to colleagues of 25 each
    in the same team, so that team follows 300."""
    team = await db.get(Team, guide.team_id)
    assert team is not None and team.id is not None
    youth_ids = list((await db.exec(select(Youth.id).order_by(col(Youth.id)))).all())
    colleagues = list(
        (
            await db.exec(
                select(User.id).where(
                    User.role == Role.guide, User.team_id == team.id, User.id != guide.id
                )
            )
        ).all()
    )
    needed = (len(youth_ids) - SCALE_CASELOAD + SCALE_CASELOAD - 1) // SCALE_CASELOAD
    for i in range(len(colleagues), needed):
        extra = User(
            role=Role.guide,
            name=f"Bench Guide {i}",
            email=f"bench{i}@bench.example",
            team_id=team.id,
        )
        db.add(extra)
        await db.flush()
        colleagues.append(extra.id)
    owners = [guide.id] * SCALE_CASELOAD + [
        colleagues[i // SCALE_CASELOAD] for i in range(len(youth_ids) - SCALE_CASELOAD)
    ]
    for youth_id, owner in zip(youth_ids, owners, strict=True):
        await db.exec(
            text("UPDATE youth SET guide_id = :g WHERE id = :y"), params={"g": owner, "y": youth_id}
        )
    await db.flush()


# -- processes ---------------------------------------------------------------------------


def app_env(url: str, base: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "TRINVIS_ENV": "test",
        "TRINVIS_PUBLIC_BASE_URL": base,
        "TRINVIS_SECRET_KEY": SECRET,
        "TRINVIS_RUN_WORKER_IN_PROCESS": "false",
        "TRINVIS_LOG_LEVEL": "WARNING",
    }


def start(
    command: list[str], env: dict[str, str], log: Path, base: str, ready: str
) -> subprocess.Popen:
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=out)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"process stopped; see {log}")
        try:
            if httpx.get(base + ready, timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit(f"process did not start within 60 s; see {log}")


def bare_main(directory: str, port: int) -> None:
    """The bare endpoint: a Starlette route answering each page's bytes from memory."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    bodies = {p.stem: p.read_bytes() for p in Path(directory).glob("*.html")}

    async def page(request: Request) -> Response:
        return Response(bodies[request.path_params["name"]], media_type="text/html")

    async def ready(_request: Request) -> Response:
        return Response("ok")

    app = Starlette(routes=[Route("/readyz", ready), Route("/{name}", page)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_config=None)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- measuring ---------------------------------------------------------------------------


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(
    url: str, seconds: float, cookie: str | None, pid: int, connections: int = 16
) -> tuple[float, float, float, float, int]:
    """requests/s, p50 ms, p99 ms, CPU ms of `pid` per request, non-2xx responses."""
    command = [WRK, "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    before = cpu_seconds(pid)
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    used = cpu_seconds(pid) - before
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]

    def latency(q: str) -> float:
        value, unit = re.search(rf"\s{q}%\s+([\d.]+)(us|ms|s)\b", out).groups()  # type: ignore[union-attr]
        return float(value) * _UNITS[unit]

    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return (
        rps,
        latency("50"),
        latency("99"),
        used * 1000 / max(1, total),
        int(bad.group(1)) if bad else 0,
    )


async def count_statements(
    url: str, people: People, pages: list[Page], out: Path
) -> dict[str, int]:
    """One request per page through the whole app in this process; saves each body."""
    from app.main import create_app
    from app.settings import get_settings
    from tests.queries import statements_sent

    os.environ.update(app_env(url, "http://127.0.0.1"))
    get_settings.cache_clear()
    from app.db import dispose_engine, get_engine

    app = create_app()
    counts = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            for page in pages:
                cookies = {"trinvis_session": people.tokens[page.role]} if page.role else {}
                path = page.path.format(youth_id=people.youth_id)
                await client.get(path, cookies=cookies)  # warm: statements compiled once
                with statements_sent(get_engine()) as sent:
                    response = await client.get(path, cookies=cookies)
                if response.status_code != 200:
                    raise SystemExit(f"{page.name}: {path} answered {response.status_code}")
                counts[page.name] = len(sent)
                (out / f"{page.name}.html").write_bytes(response.content)
    await dispose_engine()
    return counts


def measure(args: argparse.Namespace, url: str, tmp: Path) -> None:
    pages = [p for p in PAGES if not args.pages or p.name in args.pages.split(",")]
    print(f"loading the demo{' at scale' if args.scale else ''} …", flush=True)
    people = asyncio.run(build_world(url, args.scale))
    bodies = tmp / "bodies"
    bodies.mkdir()
    counts = asyncio.run(count_statements(url, people, pages, bodies))

    app_port, bare_port = free_port(), free_port()
    app_base, bare_base = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{bare_port}"
    app = start(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(app_port)],
        app_env(url, app_base),
        tmp / "app.log",
        app_base,
        "/readyz",
    )
    bare = start(
        [sys.executable, __file__, "--bare-serve", str(bodies), "--port", str(bare_port)],
        dict(os.environ),
        tmp / "bare.log",
        bare_base,
        "/readyz",
    )
    load_before = os.getloadavg()
    try:
        results: dict[str, tuple[Run, Run]] = {}
        for page in pages:
            cookie = f"trinvis_session={people.tokens[page.role]}" if page.role else None
            path = page.path.format(youth_id=people.youth_id)
            mine, plain = Run(), Run()
            # Warm both (compiled statements, pools, templates) before counting.
            wrk(app_base + path, 1, cookie, app.pid)
            wrk(f"{bare_base}/{page.name}", 1, None, bare.pid)
            for _ in range(args.rounds):
                for run, target, pid, sends in (
                    (mine, app_base + path, app.pid, cookie),
                    (plain, f"{bare_base}/{page.name}", bare.pid, None),
                ):
                    rps, p50, p99, cpu, bad = wrk(
                        target, args.seconds, sends, pid, args.connections
                    )
                    run.rps.append(rps)
                    run.p50.append(p50)
                    run.p99.append(p99)
                    run.cpu_ms.append(cpu)
                    run.errors += bad
            results[page.name] = (mine, plain)
            print(f"  {page.name}: {statistics.median(mine.rps):,.0f} requests/s", flush=True)
    finally:
        for process in (app, bare):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    load_after = os.getloadavg()
    print()
    print(
        f"PostgreSQL, one app process, wrk -t1 -c{args.connections}, "
        f"{args.rounds} x {args.seconds:g} s "
        f"alternating; guide's caseload {people.caseload}; "
        f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after (2 cores)"
    )
    header = (
        f"{'page':<16} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms':>7} {'SQL':>4} "
        f"{'bare req/s':>10} {'bare p50':>8} {'bare CPU':>8} {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    for page in pages:
        mine, plain = results[page.name]
        rps, bare_rps = statistics.median(mine.rps), statistics.median(plain.rps)
        note = f"  ({mine.errors} non-2xx!)" if mine.errors else ""
        print(
            f"{page.name:<16} {rps:>8,.0f} {statistics.median(mine.p50):>7.1f} "
            f"{statistics.median(mine.p99):>7.1f} {statistics.median(mine.cpu_ms):>7.2f} "
            f"{counts[page.name]:>4} {bare_rps:>10,.0f} {statistics.median(plain.p50):>8.2f} "
            f"{statistics.median(plain.cpu_ms):>8.3f} "
            f"{bare_rps / max(rps, 0.01):>5.0f}x{note}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", action="store_true", help="a guide with 25, a team with 300")
    parser.add_argument("--pages", default="", help="comma-separated page names (default all)")
    parser.add_argument("--rounds", type=int, default=3, help="alternations per page")
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds per wrk run")
    parser.add_argument(
        "--connections", type=int, default=16, help="wrk's open connections (default 16)"
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
        ),
        help="server to create a scratch database on (dropped afterwards)",
    )
    parser.add_argument("--bare-serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_serve:
        bare_main(args.bare_serve, args.port)
        return
    if not (1 <= args.rounds <= 20 and 0.5 <= args.seconds <= 60 and 1 <= args.connections <= 256):
        parser.error("--rounds must be 1..20, --seconds 0.5..60, --connections 1..256")
    name = f"trinvis_bench_{uuid.uuid4().hex[:8]}"
    url = create_database(args.postgres_url, name)
    try:
        migrate(url)
        with tempfile.TemporaryDirectory(prefix="trinvis-bench-") as tmp:
            measure(args, url, Path(tmp))
    finally:
        drop_database(args.postgres_url, make_url(url).database or "")


if __name__ == "__main__":
    main()
