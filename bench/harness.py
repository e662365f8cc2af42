"""The method every benchmark shares (docs/benchmarks.md explains it to readers of the results).

A benchmark is a module `bench/<name>.py` with `def run(bench: Bench) -> list[Record]`. `run.py`
points the process at a throwaway database (`configure`), sets Django up with `bench.settings`
and calls it. `Bench` gives it `fresh_database()` (empty and migrated), `wall_clock(...)` (a step
timed in seconds), `serve()` (gunicorn on a free local port, always stopped) and `measure(...)`
(baselines and targets requested in interleaved rounds, checked, summarised as p50/p95 and the
ratio of target p95 to baseline p95). The baselines, B0 and B1, live in `bench/urls.py`.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import platform
import random
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from chidao.accounts.models import User

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
SCALES = ("small", "province", "national")
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/chidao_bench"
REQUESTS = 200
WARMUP = 20
READY_TIMEOUT_S = 30.0


class BenchError(RuntimeError):
    """The benchmark cannot give a trustworthy number (wrong answer, server down, unsafe database)."""


# --- numbers ---------------------------------------------------------------------------------


def percentile(samples: Sequence[float], q: float) -> float:
    """Nearest-rank percentile: a value that was actually observed (p95 of 200 is the 190th)."""
    if not samples:
        raise BenchError("no samples")
    ordered = sorted(samples)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Record:
    """One line of `bench/results/<name>-<scale>.json`.

    `metric, unit, n, p50, p95, baseline, ratio` are always present; the rest only when set.
    `baseline` is the baseline's p95 and `ratio` = p95 / baseline. `limit` applies to
    `limit_on` ("ratio" or "p95": at most; "min": a rate of at least) and `pass` says whether it
    held; `other_ratios` gives p95 over further baselines' p95, for information. Wall-clock records keep each run in `samples` and
    this process's CPU seconds in `cpu_samples`: on a busy machine the wall clock grows and the
    CPU time does not (on PostgreSQL the server's CPU is not counted).
    """

    metric: str
    unit: str
    n: int
    p50: float
    p95: float
    baseline: float | None = None
    ratio: float | None = None
    request: str | None = None
    baseline_metric: str | None = None
    baseline_p50: float | None = None
    limit: float | None = None
    limit_on: str | None = None
    passed: bool | None = None
    other_ratios: dict[str, float] | None = None
    samples: list[float] | None = None
    cpu_samples: list[float] | None = None

    def as_json(self) -> dict[str, Any]:
        data = {("pass" if key == "passed" else key): value for key, value in asdict(self).items()}
        return {key: value for key, value in data.items() if key in CORE_FIELDS or value is not None}


CORE_FIELDS = ("metric", "unit", "n", "p50", "p95", "baseline", "ratio")


def summarize(
    metric: str, unit: str, samples: Sequence[float], *, limit: float | None = None, keep_samples: bool = False
) -> Record:
    """A record of raw samples; `limit`, when given, applies to p95."""
    digits = 3
    p95 = round(percentile(samples, 95), digits)
    record = Record(metric, unit, len(samples), round(percentile(samples, 50), digits), p95)
    if limit is not None:
        record.limit, record.limit_on, record.passed = limit, "p95", p95 <= limit
    if keep_samples:
        record.samples = [round(s, digits) for s in samples]
    return record


# --- databases -------------------------------------------------------------------------------


class Database(Protocol):
    @property
    def url(self) -> str: ...

    def reset(self) -> None:
        """Leave the database empty (no tables); Django connections must be closed first."""


@dataclass
class SqliteDatabase:
    path: Path

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def reset(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


@dataclass
class PostgresDatabase:
    url: str

    @property
    def name(self) -> str:
        return urlsplit(self.url).path.lstrip("/")

    def reset(self) -> None:
        import psycopg
        from psycopg import sql

        # The database is dropped on every run: refuse anything that does not look like a bench copy.
        if "bench" not in self.name:
            raise BenchError(f"refusing to drop database {self.name!r}: its name must contain 'bench'")
        try:
            with psycopg.connect(self.url, dbname="postgres", autocommit=True, connect_timeout=5) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        except psycopg.OperationalError as exc:
            raise BenchError(f"cannot reach PostgreSQL (set BENCH_DATABASE_URL): {exc}") from exc


def configure(scale: str, workdir: Path) -> Database:
    """Point this process, and the server it will start, at a bench database; before django.setup().

    SQLite for `small`, else PostgreSQL at $BENCH_DATABASE_URL. CHIDAO_VAR_DIR goes to `workdir`,
    so a run never touches the developer's var/, and DEBUG and production mode are forced off.
    """
    if scale not in SCALES:
        raise BenchError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    database: Database
    if scale == "small":
        database = SqliteDatabase(workdir / "bench.sqlite3")
    else:
        database = PostgresDatabase(os.environ.get("BENCH_DATABASE_URL", DEFAULT_POSTGRES_URL))
    for name in ("CHIDAO_PRODUCTION", "SECURE_SSL_REDIRECT"):
        os.environ.pop(name, None)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": database.url,
            "CHIDAO_VAR_DIR": str(workdir / "var"),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
    )
    return database


# --- the HTTP server -------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerConfig:
    """gunicorn as deployed (docs/deploy.md): sync workers; two, one per core of the reference box."""

    workers: int = 2
    worker_class: str = "sync"
    threads: int = 1


@dataclass
class Server:
    host: str
    port: int
    config: ServerConfig
    log: Path

    def client(self, headers: dict[str, str] | None = None) -> Client:
        return Client(self.host, self.port, headers or {})


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(workdir: Path, config: ServerConfig, ready_path: str = "/bench/b0/") -> Iterator[Server]:
    """gunicorn serving `chidao.wsgi` with `bench.settings` until the block ends (even on error)."""
    host = "127.0.0.1"
    port = _free_port(host)
    log = workdir / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "chidao.wsgi:application", f"--bind={host}:{port}", f"--chdir={ROOT}"]
    command += [f"--workers={config.workers}", f"--worker-class={config.worker_class}", f"--threads={config.threads}"]
    command += ["--timeout=60", "--graceful-timeout=5", f"--error-logfile={log}", "--log-level=warning"]
    process = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy())
    server = Server(host, port, config, log)
    try:
        _wait_until_ready(server, process, ready_path)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_ready(server: Server, process: subprocess.Popen[bytes], path: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited with {process.returncode}:\n{_tail(server.log)}")
        try:
            status, _body, _ms = server.client().get(path)
        except OSError:
            time.sleep(0.1)
            continue
        if status == 200:
            return
        raise BenchError(f"gunicorn answered {status} on {path}:\n{_tail(server.log)}")
    raise BenchError(f"gunicorn not ready after {READY_TIMEOUT_S:.0f}s:\n{_tail(server.log)}")


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class Client:
    """One `http.client` connection, reopened transparently when the server closes it.

    gunicorn's sync workers close the connection after each response (so does nginx's default
    proxying to them), so each timed request includes a loopback TCP connect, as in production.
    """

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.connection = http.client.HTTPConnection(host, port, timeout=60)
        self.headers = headers

    def get(self, path: str) -> tuple[int, bytes, float]:
        """Status, body and the wall-clock milliseconds from sending to the last byte read."""
        try:
            return self._get(path)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # A kept-alive connection the server dropped while idle: retry once on a new one.
            self.connection.close()
            return self._get(path)

    def _get(self, path: str) -> tuple[int, bytes, float]:
        started = time.perf_counter()
        self.connection.request("GET", path, headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        return response.status, body, (time.perf_counter() - started) * 1000


# --- measuring -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """A URL to time.

    Baselines have no `baseline`. A target names the baseline it is judged against and the
    largest acceptable ratio of its p95 to that baseline's p95 (`limit`); `also` names further
    baselines whose ratios are reported, not judged. `anonymous` endpoints are requested
    without the session cookie.
    """

    metric: str
    path: str
    contains: tuple[str, ...] = ()
    check: Callable[[bytes], None] | None = None
    baseline: str | None = None
    limit: float | None = None
    also: tuple[str, ...] = ()
    anonymous: bool = False


def b0(*, anonymous: bool = False) -> Endpoint:
    """B0: a constant response through the full middleware stack."""
    metric = "b0_constant_anonymous" if anonymous else "b0_constant"
    return Endpoint(metric, "/bench/b0/", contains=("ok",), anonymous=anonymous)


def b1(unit_pk: int, unit_name: str, *, anonymous: bool = False) -> Endpoint:
    """B1: one Unit by primary key, its name as JSON."""

    def check(body: bytes) -> None:
        if json.loads(body) != {"name": unit_name}:
            raise BenchError(f"b1 answered {body[:200]!r}, expected {unit_name!r}")

    metric = "b1_unit_by_pk_anonymous" if anonymous else "b1_unit_by_pk"
    return Endpoint(metric, f"/bench/b1/{unit_pk}/", check=check, anonymous=anonymous)


def verify(client: Client, endpoint: Endpoint) -> None:
    """Fail loudly unless `endpoint` answers 200 with the expected content."""
    status, body, _ms = client.get(endpoint.path)
    if status != 200:
        raise BenchError(f"{endpoint.metric}: GET {endpoint.path} answered {status}: {body[:300]!r}")
    text = body.decode("utf-8", errors="replace")
    missing = [s for s in endpoint.contains if s not in text]
    if missing:
        raise BenchError(f"{endpoint.metric}: GET {endpoint.path} lacks {missing!r}; body starts {text[:300]!r}")
    if endpoint.check is not None:
        endpoint.check(body)


def measure(
    server: Server,
    endpoints: Sequence[Endpoint],
    *,
    headers: dict[str, str],
    requests: int = REQUESTS,
    warmup: int = WARMUP,
    seed: int = 0,
) -> dict[str, list[float]]:
    """Milliseconds per endpoint: `warmup` untimed rounds, then `requests` timed rounds.

    Each round requests every endpoint once, in an order shuffled per round, so drift (CPU
    frequency, caches, a neighbour's load) hits baselines and targets alike, and no endpoint always
    follows the same one. Every timed response must be 200.
    """
    with_session, anonymous = server.client(headers), server.client({})

    def client_for(endpoint: Endpoint) -> Client:
        return anonymous if endpoint.anonymous else with_session

    for endpoint in endpoints:
        verify(client_for(endpoint), endpoint)
    order = list(endpoints)
    rng = random.Random(seed)
    samples: dict[str, list[float]] = {e.metric: [] for e in endpoints}
    for round_number in range(warmup + requests):
        rng.shuffle(order)
        for endpoint in order:
            status, body, ms = client_for(endpoint).get(endpoint.path)
            if status != 200:
                raise BenchError(f"{endpoint.metric}: GET {endpoint.path} answered {status}: {body[:300]!r}")
            if round_number >= warmup:
                samples[endpoint.metric].append(ms)
    for endpoint in endpoints:
        verify(client_for(endpoint), endpoint)
    return samples


def http_records(endpoints: Sequence[Endpoint], samples: dict[str, list[float]]) -> list[Record]:
    records = {e.metric: summarize(e.metric, "ms", samples[e.metric]) for e in endpoints}
    for endpoint in endpoints:
        record = records[endpoint.metric]
        record.request = f"GET {endpoint.path}" + (" (anonymous)" if endpoint.anonymous else "")
        if endpoint.baseline is None:
            continue
        base = records[endpoint.baseline]
        record.baseline, record.baseline_metric, record.baseline_p50 = base.p95, base.metric, base.p50
        record.ratio = round(record.p95 / base.p95, 3)
        if endpoint.limit is not None:
            record.limit, record.limit_on, record.passed = endpoint.limit, "ratio", record.ratio <= endpoint.limit
        if endpoint.also:
            record.other_ratios = {name: round(record.p95 / records[name].p95, 3) for name in endpoint.also}
    return list(records.values())


# --- sessions --------------------------------------------------------------------------------


class Laps:
    """Seconds spent on each step of a data load (`lap("units")` after the units), for the facts
    of a results file."""

    def __init__(self) -> None:
        self.steps: dict[str, float] = {}
        self._clock = time.perf_counter()

    def __call__(self, step: str) -> None:
        now = time.perf_counter()
        self.steps[step] = round(now - self._clock, 2)
        self._clock = now


def login_headers(user: User) -> dict[str, str]:
    """A Cookie header for a session of `user`, second factor verified, built without the login form.

    Creates a confirmed TOTP device when the user has none, so RequireTwoFactorMiddleware lets
    an administrator through.
    """
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from chidao.accounts.middleware import TOUCHED_KEY

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[TOUCHED_KEY] = int(time.time())  # as a login through the form leaves it
    session.save()
    return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}"}


# --- the run ---------------------------------------------------------------------------------


@dataclass
class Bench:
    """What a benchmark's `run()` receives. Add facts about the data set to `dataset`."""

    name: str
    scale: str
    workdir: Path
    database: Database
    requests: int = REQUESTS
    warmup: int = WARMUP
    server_config: ServerConfig = field(default_factory=ServerConfig)
    dataset: dict[str, Any] = field(default_factory=dict)
    load_at_start: tuple[float, float, float] = field(default_factory=os.getloadavg)

    @property
    def postgres(self) -> bool:
        return isinstance(self.database, PostgresDatabase)

    def fresh_database(self) -> None:
        """Drop everything and migrate: the state right after installing chidao."""
        from django.core.management import call_command
        from django.db import connections

        connections.close_all()
        self.database.reset()
        call_command("migrate", verbosity=0, interactive=False)

    def wall_clock(
        self,
        metric: str,
        step: Callable[[], object],
        *,
        runs: int,
        prepare: Callable[[], None],
        limit: float | None = None,
    ) -> Record:
        """Seconds taken by `step`, `runs` times, each after `prepare()` (untimed)."""
        seconds, cpu = [], []
        for _ in range(runs):
            prepare()
            started, cpu_started = time.perf_counter(), time.process_time()
            step()
            seconds.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
        record = summarize(metric, "s", seconds, limit=limit, keep_samples=True)
        record.cpu_samples = [round(s, 3) for s in cpu]
        return record

    @contextmanager
    def serve(self) -> Iterator[Server]:
        from django.db import connections

        if self.postgres:
            # Planner statistics as autovacuum would have them in a running system; without them
            # (autovacuum off, or not yet run after the load) plans depend on the timing of a run.
            with connections["default"].cursor() as cursor:
                cursor.execute("ANALYZE")
        # The server's workers must not wait on a lock or transaction held by this process.
        connections.close_all()
        with serve(self.workdir, self.server_config) as server:
            yield server

    def measure(self, server: Server, endpoints: Sequence[Endpoint], *, headers: dict[str, str]) -> list[Record]:
        samples = measure(server, endpoints, headers=headers, requests=self.requests, warmup=self.warmup)
        return http_records(endpoints, samples)


# PostgreSQL settings that move the numbers: plan choice, cache size, commit cost.
POSTGRES_SETTINGS = ("random_page_cost", "shared_buffers", "work_mem", "synchronous_commit", "autovacuum")


def machine_info() -> dict[str, Any]:
    """CPU, cores, memory, Python, Django, gunicorn, and the database vendor and version."""
    import django
    from django.db import connection

    cpu = platform.processor() or platform.machine()
    memory_kb = 0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    except OSError:
        pass
    database: dict[str, Any] = {"vendor": connection.vendor, "version": sqlite3.sqlite_version}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for name in ("server_version", *POSTGRES_SETTINGS):
                cursor.execute(f"SHOW {name}")
                database["version" if name == "server_version" else name] = str(cursor.fetchone()[0])
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": metadata.version("gunicorn"),
        "database": database,
    }


def _git_commit() -> str | None:
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def write_results(bench: Bench, records: Sequence[Record], started: float) -> tuple[Path, Path]:
    """`<name>-<scale>.json` (the list of records) and `<name>-<scale>.meta.json` (where and how)."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stem = RESULTS_DIR / f"{bench.name}-{bench.scale}"
    results, meta = stem.with_suffix(".json"), stem.with_suffix(".meta.json")
    config = bench.server_config
    info = {
        "benchmark": bench.name,
        "scale": bench.scale,
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "duration_s": round(time.time() - started, 1),
        "git_commit": _git_commit(),
        "machine": machine_info(),
        # 1, 5 and 15-minute load averages: above the core count, other work shared the CPUs.
        "load_average": {
            "start": [round(x, 2) for x in bench.load_at_start],
            "end": [round(x, 2) for x in os.getloadavg()],
        },
        "server": {
            "gunicorn": f"{config.workers} {config.worker_class} worker(s), {config.threads} thread(s) each",
            "client": "one sequential http.client connection on 127.0.0.1",
        },
        "method": {
            "requests": bench.requests,
            "warmup_rounds": bench.warmup,
            "order": "rounds over every endpoint, order shuffled per round (seed 0)",
            "percentile": "nearest rank",
            "ratio": "target p95 / baseline p95",
        },
        "dataset": bench.dataset,
    }
    results.write_text(json.dumps([r.as_json() for r in records], ensure_ascii=False, indent=2) + "\n")
    meta.write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n")
    return results, meta


def format_table(records: Sequence[Record]) -> str:
    header = ("metric", "unit", "n", "p50", "p95", "baseline", "ratio", "limit", "pass", "other ratios")
    rows = [header]
    for r in records:
        digits = 3 if r.unit == "s" else 2
        limit = ""
        if r.limit is not None:
            if r.limit_on == "ratio":
                limit = f"≤ {r.limit:g}x"
            elif r.limit_on == "min":  # a rate that must reach the limit
                limit = f"≥ {r.limit:g} {r.unit}"
            else:
                limit = f"≤ {r.limit:g} {r.unit}"
        rows.append(
            (
                r.metric,
                r.unit,
                str(r.n),
                f"{r.p50:.{digits}f}",
                f"{r.p95:.{digits}f}",
                "" if r.baseline is None else f"{r.baseline_metric} {r.baseline:.2f}",
                "" if r.ratio is None else f"{r.ratio:.2f}",
                limit,
                "" if r.passed is None else ("yes" if r.passed else "NO"),
                ", ".join(f"{v:.2f} vs {k}" for k, v in (r.other_ratios or {}).items()),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
