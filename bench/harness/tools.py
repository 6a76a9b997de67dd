"""The tools measured, and the command line of each: fetch over HTTP/2 and over HTTP/1.1 (and
the baseline build), curl HTTP/1.1 and HTTP/2 (and HTTP/2 --compressed on the WAN workloads),
aiohttp (shared session, session per URL), h2load (the HTTP/2 ceiling) and wrk (the HTTP/1.1
ceiling); and which tools run on which workloads."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from harness.common import BENCH_DIR, CONCURRENCY, DEBIAN_PYTHON
from harness.workloads import Workload, write_url_list

HTTP1 = "1.1"  # HTTP versions as fetch's http_version field spells them
HTTP2 = "2"


@dataclasses.dataclass(frozen=True)
class Tool:
    key: str
    label: str
    http: str | None  # the HTTP version it speaks to the bench's nginx; None: its records say


FETCH = Tool("fetch", "fetch (HTTP/2)", HTTP2)  # the default: ALPN offers h2, nginx picks it
FETCH_H1 = Tool("fetch-h1", "fetch --http1.1", HTTP1)  # the same binary, offering HTTP/1.1 only
# --fetch-baseline PATH: the build to compare with. A build from before HTTP/2 speaks 1.1; a
# later one says what it spoke in its records' http_version.
FETCH_BASE = Tool("fetch-base", "fetch-base", None)
H2LOAD = Tool("h2load", "h2load (HTTP/2 ceiling)", HTTP2)
TOOLS = [
    FETCH,
    FETCH_H1,
    FETCH_BASE,
    Tool("curl-h1", "curl --http1.1", HTTP1),
    Tool("curl-h2", "curl (HTTP/2)", HTTP2),
    Tool("curl-h2-compressed", "curl (HTTP/2) --compressed", HTTP2),
    Tool("aiohttp", "aiohttp shared session", HTTP1),
    Tool("aiohttp-per-url", "aiohttp session per URL", HTTP1),
    H2LOAD,
]
FETCH_KEYS = {FETCH.key, FETCH_H1.key, FETCH_BASE.key}
BUILD_UNDER_TEST = {FETCH.key, FETCH_H1.key}  # the --fetch binary (or build-bench/fetch)
AIOHTTP_KEYS = {"aiohttp", "aiohttp-per-url"}
CURL_KEYS = {"curl-h1", "curl-h2", "curl-h2-compressed"}
WAN_ONLY = {"curl-h2-compressed"}       # not in the loopback table
LOOPBACK_ONLY = {"aiohttp-per-url", H2LOAD.key, "wrk"}  # not in the WAN table
# The tools whose standard output the checks read (h2load's counts); the others' goes to
# /dev/null.
KEEPS_STDOUT = {H2LOAD.key}
# The names --tools takes (fetch-base is there when --fetch-baseline is given).
SELECTABLE = [tool.key for tool in TOOLS if tool is not FETCH_BASE] + ["wrk"]
# (tool, workload) pairs left out unless --include-slow, with the reason.
SLOW = {("aiohttp-per-url", 5): "100 000 TLS handshakes take minutes per run; workload 2 "
                               "shows the same per-URL cost"}


def runs_on(tool: Tool, workload: Workload) -> bool:
    """Whether the tool belongs in the workload's table (loopback or WAN). h2load sends every
    request to its first URL's origin, so it runs only where there is one."""
    if tool.key == H2LOAD.key and not workload.one_origin():
        return False
    return tool.key not in (LOOPBACK_ONLY if workload.wan else WAN_ONLY)


@dataclasses.dataclass(frozen=True)
class Inputs:
    """One workload's URLs in the forms the tools read."""
    urls: Path         # one URL per line: fetch, aiohttp_fetch.py, h2load
    curl_config: Path  # url/output pairs: curl (100 000 arguments do not fit a command line)
    count: int         # how many URLs


def write_inputs(workload: Workload, directory: Path) -> Inputs:
    curl_config = directory / f"curl-{workload.number}.cfg"
    curl_config.write_text("".join(f'url = "{url}"\noutput = "/dev/null"\n'
                                   for url in workload.urls))
    return Inputs(write_url_list(workload, directory), curl_config, len(workload.urls))


@dataclasses.dataclass(frozen=True)
class Commands:
    """Builds each tool's command line; every tool runs CONCURRENCY at a time and trusts only
    the run's CA."""
    ca: Path
    programs: dict[str, str]     # paths of nginx, openssl, curl, h2load, wrk (as found)
    binaries: dict[str, Path]    # fetch and fetch-base, by tool key (fetch-h1 runs fetch's)
    fetch_args: tuple[str, ...] = ()  # --fetch-args: for fetch's timed runs only

    def fetch(self, key: str, urls: Path, output_format: str = "tsv",
              extra: tuple[str, ...] = ()) -> list[str]:
        """fetch, fetch-h1 or fetch-base; the timed runs write TSV (to /dev/null), the
        correctness run JSON Lines. `extra` comes after the format, so that a -w among it
        wins."""
        binary = self.binaries[FETCH.key if key == FETCH_H1.key else key]
        http = ["--http1.1"] if key == FETCH_H1.key else []
        return [str(binary), *http, "--cacert", str(self.ca), "-j", str(CONCURRENCY),
                "--format", output_format, "-q", *extra, str(urls)]

    def curl(self, key: str, curl_config: Path) -> list[str]:
        http = {"curl-h1": ["--http1.1"], "curl-h2-compressed": ["--compressed"]}.get(key, [])
        return [self.programs["curl"], "-Z", "--parallel-max", str(CONCURRENCY), *http,
                "--cacert", str(self.ca), "-s", "-S", "--no-progress-meter", "--fail",
                "-K", str(curl_config)]

    def aiohttp(self, key: str, urls: Path) -> list[str]:
        extra = ["--session-per-url"] if key == "aiohttp-per-url" else []
        return [DEBIAN_PYTHON, str(BENCH_DIR / "aiohttp_fetch.py"), "--cacert", str(self.ca),
                "-j", str(CONCURRENCY), *extra, str(urls)]

    def timed(self, key: str, inputs: Inputs) -> list[str]:
        """The command line of a timed run of tool `key` on one workload."""
        if key in FETCH_KEYS:
            return self.fetch(key, inputs.urls,
                              extra=self.fetch_args if key != FETCH_BASE.key else ())
        if key in CURL_KEYS:
            return self.curl(key, inputs.curl_config)
        if key in AIOHTTP_KEYS:
            return self.aiohttp(key, inputs.urls)
        if key == H2LOAD.key:
            return self.h2load(inputs.urls, inputs.count)
        raise AssertionError(key)

    def h2load(self, urls: Path, count: int) -> list[str]:
        """h2load: one connection carrying CONCURRENCY streams at a time, each URL of the file
        once (it does not verify certificates)."""
        return [self.programs["h2load"], "-n", str(count), "-c", "1", "-m", str(CONCURRENCY),
                "-i", str(urls)]

    def wrk(self, url: str, seconds: int) -> list[str]:
        """wrk: one thread, CONCURRENCY keep-alive connections (it does not verify certificates)."""
        return [self.programs["wrk"], "-t1", f"-c{CONCURRENCY}", f"-d{seconds}s", url]
