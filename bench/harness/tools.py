"""The tools measured, and the command line of each: fetch (and the baseline build), curl
HTTP/1.1 and HTTP/2 (and HTTP/2 --compressed on the WAN workloads), aiohttp (shared session,
session per URL), and wrk (the ceiling); and which tools run on which workloads."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from harness.common import BENCH_DIR, CONCURRENCY, DEBIAN_PYTHON
from harness.workloads import Workload, write_url_list


@dataclasses.dataclass(frozen=True)
class Tool:
    key: str
    label: str


FETCH = Tool("fetch", "fetch")
FETCH_BASE = Tool("fetch-base", "fetch-base")  # --fetch-baseline PATH: the build to compare with
TOOLS = [
    FETCH,
    FETCH_BASE,
    Tool("curl-h1", "curl --http1.1"),
    Tool("curl-h2", "curl (HTTP/2)"),
    Tool("curl-h2-compressed", "curl (HTTP/2) --compressed"),
    Tool("aiohttp", "aiohttp shared session"),
    Tool("aiohttp-per-url", "aiohttp session per URL"),
]
FETCH_KEYS = {FETCH.key, FETCH_BASE.key}
AIOHTTP_KEYS = {"aiohttp", "aiohttp-per-url"}
CURL_KEYS = {"curl-h1", "curl-h2", "curl-h2-compressed"}
WAN_ONLY = {"curl-h2-compressed"}       # not in the loopback table
LOOPBACK_ONLY = {"aiohttp-per-url", "wrk"}  # not in the WAN table
# The names --tools takes (fetch-base is there when --fetch-baseline is given).
SELECTABLE = [tool.key for tool in TOOLS if tool is not FETCH_BASE] + ["wrk"]
# (tool, workload) pairs left out unless --include-slow, with the reason.
SLOW = {("aiohttp-per-url", 5): "100 000 TLS handshakes take minutes per run; workload 2 "
                               "shows the same per-URL cost"}


def runs_on(tool: Tool, workload: Workload) -> bool:
    """Whether the tool belongs in the workload's table (loopback or WAN)."""
    return tool.key not in (LOOPBACK_ONLY if workload.wan else WAN_ONLY)


@dataclasses.dataclass(frozen=True)
class Inputs:
    """One workload's URLs in the forms the tools read."""
    urls: Path         # one URL per line: fetch, aiohttp_fetch.py
    curl_config: Path  # url/output pairs: curl (100 000 arguments do not fit a command line)


def write_inputs(workload: Workload, directory: Path) -> Inputs:
    curl_config = directory / f"curl-{workload.number}.cfg"
    curl_config.write_text("".join(f'url = "{url}"\noutput = "/dev/null"\n'
                                   for url in workload.urls))
    return Inputs(write_url_list(workload, directory), curl_config)


@dataclasses.dataclass(frozen=True)
class Commands:
    """Builds each tool's command line; every tool runs CONCURRENCY at a time and trusts only
    the run's CA."""
    ca: Path
    programs: dict[str, str]     # paths of nginx, openssl, curl, wrk (as found)
    binaries: dict[str, Path]    # fetch and fetch-base, by tool key
    fetch_args: tuple[str, ...] = ()  # --fetch-args: more options for fetch (not fetch-base)

    def fetch(self, key: str, urls: Path, output_format: str = "tsv") -> list[str]:
        """fetch or fetch-base; the timed runs write TSV (to /dev/null), the correctness run
        JSON Lines."""
        extra = list(self.fetch_args) if key == "fetch" else []
        return [str(self.binaries[key]), "--cacert", str(self.ca), "-j", str(CONCURRENCY),
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
            return self.fetch(key, inputs.urls)
        if key in CURL_KEYS:
            return self.curl(key, inputs.curl_config)
        if key in AIOHTTP_KEYS:
            return self.aiohttp(key, inputs.urls)
        raise AssertionError(key)

    def wrk(self, url: str, seconds: int) -> list[str]:
        """wrk: one thread, CONCURRENCY keep-alive connections (it does not verify certificates)."""
        return [self.programs["wrk"], "-t1", f"-c{CONCURRENCY}", f"-d{seconds}s", url]
