#!/usr/bin/python3
"""The benchmark behind bench/run: fetch against curl and aiohttp on a private local nginx.

Run it through bench/run (see bench/README.md). Python 3 standard library only; the aiohttp
client is bench/aiohttp_fetch.py, run with Debian's /usr/bin/python3.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
DEBIAN_PYTHON = "/usr/bin/python3"  # the `python3` on PATH may be a build without aiohttp
CONCURRENCY = 50
ORIGINS = 200  # workload 3: https://127.0.0.2 ... 127.0.0.201
SMALL_SIZE = 1400
PAGE_SIZE = 100 * 1024
PAGES = 15
MIB = 1024 * 1024
CLK_TCK = os.sysconf("SC_CLK_TCK")


class BenchError(Exception):
    """A failure that ends the benchmark with a message (and exit status 1)."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Tools and workloads


@dataclasses.dataclass(frozen=True)
class Tool:
    key: str
    label: str


TOOLS = [
    Tool("fetch", "fetch"),
    Tool("curl-h1", "curl --http1.1"),
    Tool("curl-h2", "curl (HTTP/2)"),
    Tool("aiohttp", "aiohttp shared session"),
    Tool("aiohttp-per-url", "aiohttp session per URL"),
]
TOOL_KEYS = [tool.key for tool in TOOLS] + ["wrk"]
# (tool, workload) pairs left out unless --include-slow, with the reason.
SLOW = {("aiohttp-per-url", 5): "100 000 TLS handshakes take minutes per run; workload 2 "
                               "shows the same per-URL cost"}


@dataclasses.dataclass
class Workload:
    number: int
    title: str
    urls: list[str]
    expected_bytes: int  # sum of the bodies of all URLs


def make_workloads(port: int, quick: bool, big_size: int) -> dict[int, Workload]:
    base = f"https://127.0.0.1:{port}"
    small_one_host = lambda n: [f"{base}/small.txt?i={i}" for i in range(n)]  # noqa: E731
    n2 = 1_000 if quick else 10_000
    n3 = 2 * ORIGINS if quick else 2_000
    n5 = 10_000 if quick else 100_000
    origins = [f"https://127.0.0.{2 + k}:{port}" for k in range(ORIGINS)]
    return {
        1: Workload(1, f"{PAGES} pages of 100 KiB, 1 host",
                    [f"{base}/page-{i:02d}.html" for i in range(1, PAGES + 1)], PAGES * PAGE_SIZE),
        2: Workload(2, f"{n2:,} small URLs, 1 host", small_one_host(n2), n2 * SMALL_SIZE),
        3: Workload(3, f"{n3:,} small URLs, {ORIGINS} origins",
                    [f"{origins[i % ORIGINS]}/small.txt?i={i}" for i in range(n3)], n3 * SMALL_SIZE),
        4: Workload(4, f"1 body of {big_size // MIB} MiB", [f"{base}/big.bin"], big_size),
        5: Workload(5, f"{n5:,} small URLs, 1 host", small_one_host(n5), n5 * SMALL_SIZE),
    }


# --------------------------------------------------------------------------------------------
# Running one child and measuring it

_current_child: subprocess.Popen | None = None


@dataclasses.dataclass
class Measurement:
    wall_s: float
    cpu_s: float      # user + sys of the child and the descendants it waited for
    maxrss_mib: float
    status: int       # exit status, or -signal
    server_cpu_s: float = 0.0   # nginx's CPU during the run
    other_cpu_s: float = 0.0    # CPU used meanwhile by everything else on the machine
    connections: int | None = None  # TCP connections nginx accepted during the run
    requests: int | None = None     # requests nginx served during the run
    timed_out: bool = False


def kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def process_cpu_s(pid: int | None) -> float:
    """user + sys CPU seconds of a running process (0 when unknown)."""
    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime
    except (OSError, IndexError, ValueError):
        return 0.0


def machine_busy_s() -> float:
    """CPU seconds all CPUs have spent not idle since boot (from /proc/stat)."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(x) for x in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


# Peak RSS. A child's ru_maxrss starts at the RSS of the process it was forked from (Linux
# records the old memory map's high-water mark at exec), so wait4() on a child of this
# Python runner, which holds 100 000 URLs, would report at least the runner's size. GNU time
# forks the tool from its own tiny process and reports the tool's own maximum with %M; the
# tool's CPU still comes from our wait4() on time (time itself adds well under 1 ms).
# Without /usr/bin/time, VmHWM of the tool is sampled from /proc every 5 ms instead.
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def vm_hwm_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def measure(argv: list[str], stdout: Path | str, stderr: Path, timeout_s: float,
            server: Nginx | None = None) -> Measurement:
    """Runs argv to completion: wall time, CPU from wait4(), peak RSS, and what the server
    and the rest of the machine did meanwhile."""
    global _current_child
    server_pid = server.pid if server else None
    rss_file = Path(stderr).with_suffix(".rss")
    if GNU_TIME:
        argv = [GNU_TIME, "-f", "%M", "-o", str(rss_file), "--", *argv]
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        status_before = server.status() if server else None
        server_before = process_cpu_s(server_pid)
        busy_before = machine_busy_s()
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                start_new_session=True)
        _current_child = proc
        timed_out = threading.Event()
        finished = threading.Event()
        sampled_hwm = [0.0]

        def on_timeout() -> None:
            timed_out.set()
            kill_group(proc)

        def sample_hwm() -> None:
            while not finished.wait(0.005):
                sampled_hwm[0] = max(sampled_hwm[0], vm_hwm_mib(proc.pid))

        timer = threading.Timer(timeout_s, on_timeout)
        timer.start()
        sampler = None
        if not GNU_TIME:
            sampler = threading.Thread(target=sample_hwm, daemon=True)
            sampler.start()
        try:
            _, wait_status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
            finished.set()
        wall = time.perf_counter() - start
        if sampler:
            sampler.join()
        busy = machine_busy_s() - busy_before
        server_cpu = process_cpu_s(server_pid) - server_before
        proc.returncode = os.waitstatus_to_exitcode(wait_status)
        _current_child = None
    kill_group(proc)  # anything the child left behind in its session
    cpu = usage.ru_utime + usage.ru_stime
    if GNU_TIME:
        try:  # the last line; time writes "Command exited with non-zero status N" before it
            maxrss_mib = int(rss_file.read_text().split()[-1]) / 1024
        except (OSError, ValueError, IndexError):
            maxrss_mib = 0.0
    else:
        maxrss_mib = sampled_hwm[0]
    m = Measurement(wall_s=wall, cpu_s=cpu, maxrss_mib=maxrss_mib,
                    status=proc.returncode, server_cpu_s=server_cpu,
                    other_cpu_s=max(0.0, busy - cpu - server_cpu), timed_out=timed_out.is_set())
    status_after = server.status() if server else None
    if status_before and status_after:
        # Each status request is itself one connection and one request.
        m.connections = status_after[0] - status_before[0] - 1
        m.requests = status_after[1] - status_before[1] - 1
    return m


def tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join("    " + line for line in text[-lines:])


def describe_status(m: Measurement, timeout_s: float) -> str:
    if m.timed_out:
        return f"killed after the {timeout_s:.0f} s time limit"
    if m.status < 0:
        return f"killed by signal {-m.status}"
    return f"exit status {m.status}"


# --------------------------------------------------------------------------------------------
# Prerequisites and the fetch binary


def find_program(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path="/usr/local/sbin:/usr/sbin:/sbin")


def check_prerequisites(tools: set[str], build: bool) -> dict[str, str]:
    """Paths of the programs needed; raises BenchError listing everything that is missing."""
    needed = ["nginx", "openssl"]
    if tools & {"curl-h1", "curl-h2"}:
        needed.append("curl")
    if "wrk" in tools:
        needed.append("wrk")
    if build:
        needed += ["cmake", "c++"]
    found: dict[str, str] = {}
    missing: list[str] = []
    for name in needed:
        path = find_program(name)
        if path:
            found[name] = path
        else:
            missing.append(f"{name} (not found on PATH or in /usr/sbin)")

    if tools & {"aiohttp", "aiohttp-per-url"}:
        probe = subprocess.run([DEBIAN_PYTHON, "-c", "import aiohttp"], capture_output=True,
                               check=False) if os.access(DEBIAN_PYTHON, os.X_OK) else None
        if probe is None or probe.returncode != 0:
            missing.append(f"aiohttp for {DEBIAN_PYTHON} (Debian package python3-aiohttp)")
    if "curl-h2" in tools and "curl" in found:
        version = subprocess.run([found["curl"], "-V"], capture_output=True, text=True,
                                 check=False).stdout
        if "HTTP2" not in version:
            missing.append("curl with HTTP/2 support (Debian's curl has it)")
    if "nginx" in found:
        configure = subprocess.run([found["nginx"], "-V"], capture_output=True, text=True,
                                   check=False).stderr
        for module in ("http_ssl_module", "http_v2_module", "http_stub_status_module"):
            if f"--with-{module}" not in configure:
                missing.append(f"nginx built with {module} (Debian's nginx-light has it)")

    if missing:
        raise BenchError("missing prerequisites:\n  - " + "\n  - ".join(missing) +
                         "\ninstall them with:  scripts/deps.sh --bench")
    return found


def build_fetch(log_path: Path) -> Path:
    build_dir = REPO / "build-bench"
    steps = [
        ["cmake", "-S", str(REPO), "-B", str(build_dir), "-DCMAKE_BUILD_TYPE=Release",
         "-DFETCH_BUILD_TESTS=OFF"],
        ["cmake", "--build", str(build_dir), "-j2"],
    ]
    log(f"bench: building fetch (Release) in {build_dir} ...")
    start = time.monotonic()
    with open(log_path, "wb") as out:
        for step in steps:
            result = subprocess.run(step, stdout=out, stderr=subprocess.STDOUT, cwd=REPO,
                                    check=False)
            if result.returncode != 0:
                raise BenchError(
                    f"building fetch failed ({' '.join(step)} exited {result.returncode}):\n"
                    f"{tail(log_path, 25)}\n"
                    "give a built binary with --fetch PATH, or leave fetch out with "
                    "--tools curl-h1,curl-h2,aiohttp,aiohttp-per-url,wrk")
    binary = build_dir / "fetch"
    if not os.access(binary, os.X_OK):
        raise BenchError(f"the build finished but {binary} is not there")
    log(f"bench: built {binary} in {time.monotonic() - start:.0f} s")
    return binary


# --------------------------------------------------------------------------------------------
# Test PKI, docroot and nginx


def run_quiet(argv: list[str], what: str) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BenchError(f"{what} failed ({' '.join(argv[:3])} ...):\n{result.stderr}")


def make_pki(openssl: str, directory: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a leaf for localhost, 127.0.0.1 ... 127.0.0.201 and ::1 (ECDSA P-256)."""
    directory.mkdir()
    sans = ["DNS:localhost", "IP:::1"] + [f"IP:127.0.0.{k}" for k in range(1, ORIGINS + 2)]
    (directory / "ext.cnf").write_text(
        "[ca]\n"
        "basicConstraints = critical, CA:true\n"
        "keyUsage = critical, keyCertSign, cRLSign\n"
        "subjectKeyIdentifier = hash\n"
        "[leaf]\n"
        "basicConstraints = critical, CA:false\n"
        "keyUsage = critical, digitalSignature\n"
        "extendedKeyUsage = serverAuth\n"
        f"subjectAltName = {', '.join(sans)}\n"
        "subjectKeyIdentifier = hash\n"
        "authorityKeyIdentifier = keyid\n")
    ca_key, ca, key, csr, leaf = (directory / name for name in
                                  ("ca.key", "ca.pem", "leaf.key", "leaf.csr", "leaf.pem"))
    ext = str(directory / "ext.cnf")
    for path in (ca_key, key):
        run_quiet([openssl, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                   "-out", str(path)], "openssl genpkey")
    run_quiet([openssl, "req", "-new", "-x509", "-key", str(ca_key), "-subj",
               "/CN=fetch bench throwaway CA", "-days", "2", "-config", ext, "-extensions", "ca",
               "-out", str(ca)], "openssl req (CA)")
    run_quiet([openssl, "req", "-new", "-key", str(key), "-subj", "/CN=localhost",
               "-config", ext, "-out", str(csr)], "openssl req (leaf)")
    run_quiet([openssl, "x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
               "-CAcreateserial", "-days", "2", "-extfile", ext, "-extensions", "leaf",
               "-out", str(leaf)], "openssl x509 (sign leaf)")
    return ca, leaf, key


def make_docroot(directory: Path, big_size: int) -> None:
    directory.mkdir()
    line = "fetch bench small.txt: 1400 bytes of plain text, the same for every request.\n"
    small = (line * (SMALL_SIZE // len(line) + 1))[:SMALL_SIZE - 1] + "\n"
    (directory / "small.txt").write_text(small)
    for i in range(1, PAGES + 1):
        head = f"<!doctype html>\n<html><head><title>page {i:02d}</title></head><body>\n"
        foot = "</body></html>\n"
        paragraph = (f"<p>Page {i:02d} of the fetch benchmark: about one hundred kilobytes of "
                     "HTML, like an ordinary article page without its images.</p>\n")
        body_size = PAGE_SIZE - len(head) - len(foot)
        body = (paragraph * (body_size // len(paragraph) + 1))[:body_size]
        (directory / f"page-{i:02d}.html").write_text(head + body + foot)
    with open(directory / "big.bin", "wb") as big:
        big.truncate(big_size)  # sparse: instant, and reads of holes cost no disk I/O
    for path in directory.iterdir():
        if path.stat().st_size != {"small.txt": SMALL_SIZE, "big.bin": big_size}.get(path.name,
                                                                                   PAGE_SIZE):
            raise BenchError(f"docroot file {path.name} has the wrong size")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Nginx:
    def __init__(self, program: str, directory: Path, docroot: Path, leaf: Path, key: Path):
        self.program = program
        self.dir = directory
        self.docroot = docroot
        self.leaf = leaf
        self.key = key
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.status_port = 0  # plain HTTP, 127.0.0.1 only: stub_status at /status
        self.error_log = directory / "error.log"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def config(self) -> str:
        d = self.dir
        listens = "\n".join(f"    listen 127.0.0.{k}:{self.port} ssl http2;"
                            for k in range(1, ORIGINS + 2))
        temps = "\n".join(f"  {name}_temp_path {d}/temp/{name};"
                          for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        return f"""# generated by bench/bench.py
worker_processes 1;
daemon off;
master_process off;
pid {d}/nginx.pid;
error_log {self.error_log} warn;
worker_rlimit_nofile 16384;
events {{
  worker_connections 8192;
}}
http {{
  access_log off;
{temps}
  types {{
    text/plain txt;
    text/html html;
    application/octet-stream bin;
  }}
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  keepalive_timeout 60s;
  ssl_protocols TLSv1.2 TLSv1.3;
  ssl_certificate {self.leaf};
  ssl_certificate_key {self.key};
  server {{
{listens}
    server_name localhost;
    root {self.docroot};
  }}
  server {{
    listen 127.0.0.1:{self.status_port};
    location = /status {{
      stub_status;
    }}
  }}
}}
"""

    def start(self) -> None:
        (self.dir / "temp").mkdir(parents=True, exist_ok=True)
        for attempt in range(5):  # a free port can be taken by someone else before nginx binds
            self.port = free_port()
            self.status_port = free_port()
            conf = self.dir / "nginx.conf"
            conf.write_text(self.config())
            self.error_log.write_text("")
            self.proc = subprocess.Popen(
                [self.program, "-p", str(self.dir), "-c", str(conf), "-e", str(self.error_log)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=open(self.dir / "stderr.log", "wb"), start_new_session=True)
            if self._wait_ready():
                return
            self.stop()
            errors = self.error_log.read_text(errors="replace")
            if "Address already in use" not in errors:
                break
            log(f"bench: port {self.port} was taken, trying another ({attempt + 1}/5)")
        raise BenchError("nginx did not start:\n" + self.error_log.read_text(errors="replace") +
                         (self.dir / "stderr.log").read_text(errors="replace"))

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + 10
        pending = [("127.0.0.1", self.port), (f"127.0.0.{ORIGINS + 1}", self.port),
                   ("127.0.0.1", self.status_port)]
        while pending and time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with socket.create_connection(pending[0], timeout=0.5):
                    pending.pop(0)
            except OSError:
                time.sleep(0.02)
        return not pending

    def status(self) -> tuple[int, int] | None:
        """nginx's counters since it started: (accepted connections, requests)."""
        try:
            with socket.create_connection(("127.0.0.1", self.status_port), timeout=5) as conn:
                conn.sendall(b"GET /status HTTP/1.0\r\nHost: localhost\r\n\r\n")
                data = b""
                while chunk := conn.recv(4096):
                    data += chunk
        except OSError:
            return None
        found = re.search(rb"\n\s*(\d+)\s+(\d+)\s+(\d+)\s*\n", data)
        return (int(found[1]), int(found[3])) if found else None

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


# --------------------------------------------------------------------------------------------
# The benchmark proper


@dataclasses.dataclass
class Row:
    workload: Workload
    tool: Tool
    runs: list[Measurement]

    @property
    def urls(self) -> int:
        return len(self.workload.urls)

    def median(self, field: str) -> float:
        return statistics.median(getattr(m, field) for m in self.runs)

    @property
    def peak_rss(self) -> float:
        return max(m.maxrss_mib for m in self.runs)


class Bench:
    def __init__(self, args: argparse.Namespace, programs: dict[str, str], fetch: Path | None,
                 tmp: Path, nginx: Nginx, ca: Path, workloads: dict[int, Workload]):
        self.args = args
        self.programs = programs
        self.fetch = fetch
        self.tmp = tmp
        self.nginx = nginx
        self.ca = ca
        self.workloads = workloads
        self.timeout_s = 120 if args.quick else 600
        self.rows: list[Row] = []
        self.notes: list[str] = []
        self.wrk: list[tuple[Measurement, float]] = []  # (measurement, requests/s)

    # -- command lines --------------------------------------------------------------------

    def write_inputs(self, workload: Workload) -> tuple[Path, Path]:
        urls = self.tmp / f"urls-{workload.number}.txt"
        urls.write_text("".join(url + "\n" for url in workload.urls))
        curl_config = self.tmp / f"curl-{workload.number}.cfg"
        curl_config.write_text("".join(f'url = "{url}"\noutput = "/dev/null"\n'
                                       for url in workload.urls))
        return urls, curl_config

    def command(self, tool: str, urls: Path, curl_config: Path) -> list[str]:
        ca = str(self.ca)
        j = str(CONCURRENCY)
        if tool == "fetch":
            return [str(self.fetch), "--cacert", ca, "-j", j, "--format", "tsv", "-q", str(urls)]
        if tool in ("curl-h1", "curl-h2"):
            http = ["--http1.1"] if tool == "curl-h1" else []
            return [self.programs["curl"], "-Z", "--parallel-max", j, *http, "--cacert", ca,
                    "-s", "-S", "--no-progress-meter", "--fail", "-K", str(curl_config)]
        if tool in ("aiohttp", "aiohttp-per-url"):
            extra = ["--session-per-url"] if tool == "aiohttp-per-url" else []
            return [DEBIAN_PYTHON, str(BENCH_DIR / "aiohttp_fetch.py"), "--cacert", ca,
                    "-j", j, *extra, str(urls)]
        raise AssertionError(tool)

    # -- checks -------------------------------------------------------------------------

    def fail(self, workload: Workload, tool: Tool, m: Measurement, stderr: Path,
             why: str) -> None:
        hint = ""
        if tool.key == "fetch":
            hint = ("\n(a benchmark of failures is worthless: fix fetch, give another binary with "
                    "--fetch PATH, or leave it out with --tools)")
        raise BenchError(f"{tool.label} failed on workload {workload.number} "
                         f"({workload.title}): {why}, {describe_status(m, self.timeout_s)}\n"
                         f"its standard error ended with:\n{tail(stderr) or '    (nothing)'}"
                         f"{hint}")

    def verify_fetch(self, workload: Workload, urls: Path, curl_config: Path) -> None:
        """One untimed run with the TSV kept: every URL once, all ok, every body byte there."""
        out = self.tmp / f"fetch-{workload.number}.tsv"
        err = self.tmp / "fetch-verify.err"
        tool = TOOLS[0]
        m = measure(self.command("fetch", urls, curl_config), out, err, self.timeout_s)
        if m.status != 0 or m.timed_out:
            self.fail(workload, tool, m, err, "the correctness run did not succeed")
        lines = out.read_text(errors="replace").splitlines()
        records = [line.split("\t") for line in lines]
        ok = sum(1 for r in records if len(r) > 3 and r[3] == "true")
        body_bytes = sum(int(r[6]) for r in records if len(r) > 6 and r[6].isdigit())
        new_connections = sum(1 for r in records if len(r) > 15 and r[15] == "false")
        problems = []
        if len(records) != len(workload.urls):
            problems.append(f"{len(records)} output lines for {len(workload.urls)} URLs")
        if ok != len(workload.urls):
            bad = next((line for line, r in zip(lines, records) if len(r) < 4 or r[3] != "true"),
                       "")
            problems.append(f"{ok} of {len(workload.urls)} URLs ok; first bad line: {bad[:300]}")
        if body_bytes != workload.expected_bytes:
            problems.append(f"{body_bytes} body bytes, expected {workload.expected_bytes}")
        if problems:
            self.fail(workload, tool, m, err, "; ".join(problems))
        self.notes.append(f"w{workload.number}: fetch verified: {ok} URLs ok, {body_bytes:,} body "
                          f"bytes, {new_connections} new connections (reused=false)")

    def check_run(self, workload: Workload, tool: Tool, m: Measurement, err: Path) -> None:
        if m.status != 0 or m.timed_out:
            self.fail(workload, tool, m, err, "a timed run did not succeed")
        if m.requests is not None and m.requests < len(workload.urls):
            self.fail(workload, tool, m, err, f"nginx served only {m.requests} requests for "
                      f"{len(workload.urls)} URLs")
        if tool.key.startswith("aiohttp"):
            text = err.read_text(errors="replace")
            found = re.search(r"aiohttp: (\d+) ok, (\d+) failed, (\d+) bytes", text)
            if not found or int(found[1]) != len(workload.urls) or \
                    int(found[3]) != workload.expected_bytes:
                self.fail(workload, tool, m, err, f"expected {len(workload.urls)} ok and "
                          f"{workload.expected_bytes} bytes")

    # -- the runs -------------------------------------------------------------------------

    def run_workload(self, workload: Workload, tools: list[Tool]) -> None:
        urls, curl_config = self.write_inputs(workload)
        skipped = [t for t in tools if (t.key, workload.number) in SLOW and
                   not self.args.include_slow]
        for tool in skipped:
            self.notes.append(f"w{workload.number}: {tool.label} skipped: "
                              f"{SLOW[tool.key, workload.number]} (--include-slow runs it)")
        tools = [t for t in tools if t not in skipped]
        if any(t.key == "fetch" for t in tools):
            log(f"bench: w{workload.number}: checking fetch's output once ...")
            self.verify_fetch(workload, urls, curl_config)
        runs: dict[str, list[Measurement]] = {t.key: [] for t in tools}
        for rep in range(self.args.runs):
            order = tools if rep % 2 == 0 else list(reversed(tools))  # ABBA: drift cancels
            for tool in order:
                err = self.tmp / f"{tool.key}.err"
                m = measure(self.command(tool.key, urls, curl_config), os.devnull, err,
                            self.timeout_s, self.nginx)
                self.check_run(workload, tool, m, err)
                runs[tool.key].append(m)
                log(f"bench: w{workload.number} run {rep + 1}/{self.args.runs} {tool.label:24} "
                    f"{m.wall_s:8.3f} s wall {m.cpu_s:8.3f} s CPU {m.maxrss_mib:7.1f} MiB")
        self.rows += [Row(workload, tool, runs[tool.key]) for tool in tools]

    def run_wrk(self) -> None:
        seconds = 2 if self.args.quick else 5
        url = f"https://127.0.0.1:{self.nginx.port}/small.txt"
        argv = [self.programs["wrk"], "-t1", f"-c{CONCURRENCY}", f"-d{seconds}s", url]
        out, err = self.tmp / "wrk.out", self.tmp / "wrk.err"
        for rep in range(self.args.runs):
            m = measure(argv, out, err, seconds + 60, self.nginx)
            text = out.read_text(errors="replace")
            found = re.search(r"Requests/sec:\s*([\d.]+)", text)
            errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", text)
            if m.status != 0 or not found:
                raise BenchError(f"wrk failed ({describe_status(m, seconds + 60)}):\n"
                                 f"{tail(out)}\n{tail(err)}")
            if errors:
                raise BenchError(f"wrk saw errors: {errors[0]}\n{tail(out)}")
            self.wrk.append((m, float(found[1])))
            log(f"bench: wrk run {rep + 1}/{self.args.runs}: {float(found[1]):,.0f} req/s, "
                f"{m.cpu_s:.2f} s CPU")


# --------------------------------------------------------------------------------------------
# Report


def first_line(argv: list[str], stream: str = "stdout") -> str:
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    text = (result.stdout if stream == "stdout" else result.stderr) or result.stdout
    return text.strip().splitlines()[0] if text.strip() else "?"


def machine_lines(programs: dict[str, str], fetch: Path | None, args) -> list[str]:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    rev = first_line(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    versions = [f"nginx {first_line([programs['nginx'], '-v'], 'stderr').split('/')[-1]}",
                first_line([programs["openssl"], "version"])]
    if "curl" in programs:
        versions.append(" ".join(first_line([programs["curl"], "-V"]).split()[:2]))
    if args.tools & {"aiohttp", "aiohttp-per-url"}:
        versions.append("aiohttp " + first_line(
            [DEBIAN_PYTHON, "-c", "import aiohttp, sys; print(aiohttp.__version__, "
             "'on Python', sys.version.split()[0])"]))
    if "wrk" in programs:
        versions.append(first_line([programs["wrk"], "-v"]).split(" [")[0])
    lines = [
        f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {model}, "
        f"{mem_gib:.0f} GiB RAM, Linux {os.uname().release}",
        "- measured: wall time by the runner; CPU (user + sys) from wait4(); peak RSS " +
        ("by /usr/bin/time (%M)" if GNU_TIME else
         "sampled from /proc/PID/status VmHWM every 5 ms (/usr/bin/time is missing; "
         "`apt-get install time` makes it exact)"),
        f"- fetch: {fetch if fetch else '(not run)'} (repository at {rev})",
        f"- tools: {', '.join(versions)}",
        f"- settings: {args.runs} run(s) per tool and workload, median shown; concurrency "
        f"{CONCURRENCY}; HTTPS with an ECDSA P-256 leaf; nginx: 1 worker, keep-alive"
        f"{'; --quick sizes' if args.quick else ''}",
    ]
    return lines


def fmt(value: float, digits: int = 3) -> str:
    return f"{value:,.{digits}f}"


def report(bench: Bench, programs: dict[str, str], fetch: Path | None, complete: bool,
           failure: str) -> str:
    out = ["# fetch benchmark" + ("" if complete else " (INCOMPLETE: stopped early)"), ""]
    out += machine_lines(programs, fetch, bench.args) + [""]
    if failure:
        out += ["```", failure, "```", ""]
    header = ("| workload | tool | wall s | CPU s | peak RSS MiB | req/s | CPU µs/req | "
              "conns | nginx CPU s | wall fetch/tool | CPU fetch/tool |")
    out += [header, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"] if bench.rows else \
        ["(no workload finished)"]
    by_workload: dict[int, list[Row]] = {}
    for row in bench.rows:
        by_workload.setdefault(row.workload.number, []).append(row)
    for number, rows in by_workload.items():
        fetch_row = next((r for r in rows if r.tool.key == "fetch"), None)
        for row in rows:
            wall, cpu = row.median("wall_s"), row.median("cpu_s")
            ratio_wall = ratio_cpu = "–"
            if fetch_row:
                ratio_wall = fmt(fetch_row.median("wall_s") / wall, 2)
                ratio_cpu = fmt(fetch_row.median("cpu_s") / cpu, 2) if cpu > 0 else "–"
            label = f"**{row.tool.label}**" if row.tool.key == "fetch" else row.tool.label
            conns = [m.connections for m in row.runs if m.connections is not None]
            conns_text = fmt(statistics.median(conns), 0) if conns else "?"
            out.append(f"| {number}: {row.workload.title} | {label} | {fmt(wall)} | {fmt(cpu)} | "
                       f"{fmt(row.peak_rss, 1)} | {fmt(row.urls / wall, 0)} | "
                       f"{fmt(cpu / row.urls * 1e6, 0)} | {conns_text} | "
                       f"{fmt(row.median('server_cpu_s'), 2)} | {ratio_wall} | {ratio_cpu} |")
    out += ["", "Ratios are fetch's median divided by the tool's median: below 1 fetch is "
            "faster / uses less CPU, above 1 it is slower. Wall and CPU are medians; CPU is user + "
            "sys of the client process; peak RSS is the largest of the runs; conns is how many "
            "TCP connections nginx accepted (median); nginx CPU s is the server's CPU during the "
            "run (median)."]

    extra = []
    for number in (4,):
        for row in by_workload.get(number, []):
            extra.append(f"w4 throughput: {row.tool.label}: "
                         f"{row.workload.expected_bytes / MIB / row.median('wall_s'):,.0f} MiB/s")
    small = {r.workload.number: r for r in by_workload.get(2, []) + by_workload.get(5, [])
             if r.tool.key == "fetch"}
    if 2 in small and 5 in small:
        extra.append(f"fetch memory: peak RSS {small[2].peak_rss:.1f} MiB for "
                     f"{small[2].urls:,} URLs, {small[5].peak_rss:.1f} MiB for "
                     f"{small[5].urls:,} URLs (flat memory means these are close)" +
                     ("; WARNING: it grew with the number of URLs"
                      if small[5].peak_rss > 1.5 * small[2].peak_rss else ""))
    if bench.wrk:
        rps = statistics.median(r for _, r in bench.wrk)
        wrk_cpu = statistics.median(m.cpu_s / (r * m.wall_s) for m, r in bench.wrk)
        srv_cpu = statistics.median(m.server_cpu_s / (r * m.wall_s) for m, r in bench.wrk)
        extra.append(f"ceiling (wrk -t1 -c{CONCURRENCY}, HTTP/1.1 keep-alive on /small.txt, "
                     f"median of {len(bench.wrk)}): {rps:,.0f} req/s; wrk used "
                     f"{wrk_cpu * 1e6:.1f} µs CPU/req, nginx {srv_cpu * 1e6:.1f} µs CPU/req")
    extra += bench.notes
    measurements = [m for row in bench.rows for m in row.runs] + [m for m, _ in bench.wrk]
    wall_total = sum(m.wall_s for m in measurements)
    if wall_total > 0:
        others = sum(m.other_cpu_s for m in measurements) / wall_total
        busiest = max(m.other_cpu_s / m.wall_s for m in measurements if m.wall_s > 0)
        extra.append(f"other load: processes outside the benchmark kept {others:.2f} of "
                     f"{os.cpu_count()} CPUs busy on average during the timed runs (busiest run: "
                     f"{busiest:.2f})" + (
                         "; WARNING: the machine was not quiet, wall times are noisy (CPU times "
                         "much less so); rerun on an idle machine" if others > 0.15 else ""))
    if extra:
        out += [""] + [f"- {line}" for line in extra]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------
# Main


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run",
        description="Compare fetch with curl and aiohttp on a private local nginx over HTTPS. "
                    "Prints a markdown table and writes it to bench/out/results-DATE.md.")
    parser.add_argument("--fetch", metavar="PATH",
                        help="the fetch binary to measure (default: build build-bench/fetch)")
    parser.add_argument("--runs", type=int, metavar="N",
                        help="timed runs per tool and workload; the median is shown (default 5)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: 1 run and smaller workloads (about 30 s plus the build)")
    parser.add_argument("--workloads", default="1,2,3,4,5", metavar="LIST",
                        help="which workloads, e.g. 1,2 (default all: 1,2,3,4,5)")
    parser.add_argument("--include-slow", action="store_true",
                        help="also run aiohttp session-per-URL on workload 5 (minutes per run)")
    parser.add_argument("--tools", default=",".join(TOOL_KEYS), metavar="LIST",
                        help=f"which tools (default all: {','.join(TOOL_KEYS)})")
    args = parser.parse_args(argv)
    if args.runs is None:
        args.runs = 1 if args.quick else 5
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    try:
        args.workloads = sorted({int(w) for w in args.workloads.split(",") if w.strip()})
    except ValueError:
        parser.error("--workloads takes numbers from 1 to 5, e.g. 1,2")
    if not args.workloads or not set(args.workloads) <= {1, 2, 3, 4, 5}:
        parser.error("--workloads takes numbers from 1 to 5, e.g. 1,2")
    args.tools = {t.strip() for t in args.tools.split(",") if t.strip()}
    unknown = args.tools - set(TOOL_KEYS)
    if unknown or not args.tools:
        parser.error(f"--tools takes names from {','.join(TOOL_KEYS)}")
    if args.fetch and "fetch" not in args.tools:
        parser.error("--fetch given but fetch left out of --tools")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    build = "fetch" in args.tools and not args.fetch
    try:
        programs = check_prerequisites(args.tools, build)
    except BenchError as error:
        log(f"bench: {error}")
        return 2

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)

    # Installed explicitly: a shell starts background jobs with SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    tmp = Path(tempfile.mkdtemp(prefix="fetch-bench-"))
    nginx: Nginx | None = None
    bench: Bench | None = None
    fetch: Path | None = None
    complete = False
    failure = ""
    try:
        if "fetch" in args.tools:
            if args.fetch:
                found = args.fetch if "/" in args.fetch else shutil.which(args.fetch)
                fetch = Path(found or args.fetch).resolve()
                if not os.access(fetch, os.X_OK) or fetch.is_dir():
                    raise BenchError(f"--fetch {args.fetch}: not an executable file")
            else:
                fetch = build_fetch(tmp / "build.log")
        big_size = (32 if args.quick else 256) * MIB
        log(f"bench: test CA, docroot and nginx in {tmp}")
        ca, leaf, key = make_pki(programs["openssl"], tmp / "pki")
        make_docroot(tmp / "www", big_size)
        nginx = Nginx(programs["nginx"], tmp / "nginx", tmp / "www", leaf, key)
        nginx.start()
        log(f"bench: nginx pid {nginx.pid} on port {nginx.port} "
            f"(127.0.0.1 ... 127.0.0.{ORIGINS + 1})")
        workloads = make_workloads(nginx.port, args.quick, big_size)
        bench = Bench(args, programs, fetch, tmp, nginx, ca, workloads)
        started = time.monotonic()
        if "wrk" in args.tools:
            bench.run_wrk()
        tools = [t for t in TOOLS if t.key in args.tools]
        for number in args.workloads:
            if tools:
                bench.run_workload(workloads[number], tools)
        complete = True
        log(f"bench: done in {time.monotonic() - started:.0f} s")
    except BenchError as error:
        failure = f"bench: error: {error}"
    except KeyboardInterrupt:
        failure = "bench: interrupted"
    except SystemExit as stop:  # SIGTERM or SIGHUP, see on_signal
        failure = f"bench: stopped by signal {int(stop.code) - 128}"
    finally:
        if _current_child is not None:
            kill_group(_current_child)
        if nginx:
            nginx.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    if bench and (bench.rows or bench.wrk):
        text = report(bench, programs, fetch, complete, failure)
        print(text, end="")
        out_dir = BENCH_DIR / "out"
        out_dir.mkdir(exist_ok=True)
        stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H%M%S")
        path = out_dir / f"results-{stamp}{'' if complete else '-incomplete'}.md"
        path.write_text(text)
        log(f"bench: wrote {path.relative_to(REPO)}")
    if failure:
        log(failure)
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
