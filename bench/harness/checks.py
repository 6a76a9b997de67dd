"""Correctness, because a benchmark of failures is worthless: fetch's records of its
correctness run (every URL once, ok, every byte, the HTTP version), and every timed run's exit
status, server request count, the HTTP version nginx logged, and aiohttp's and h2load's totals.

fetch's records are read as JSON Lines (`--format json`) by key, never by position, and keys
this module does not know are ignored: fields can be added to the output contract freely.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import re
from pathlib import Path

from harness.common import BenchError, tail
from harness.measurement import Measurement, describe_status
from harness.tools import BUILD_UNDER_TEST, FETCH_BASE, H2LOAD, HTTP1, HTTP2, Tool
from harness.workloads import Workload


def failure(workload: Workload, tool: Tool, m: Measurement, stderr: Path, why: str,
            timeout_s: float) -> BenchError:
    """The error that stops the benchmark, with the end of the tool's standard error."""
    hint = ""
    if tool.key in BUILD_UNDER_TEST:
        hint = ("\n(a benchmark of failures is worthless: fix fetch, give another binary with "
                "--fetch PATH, or leave it out with --tools)")
    elif tool.key == FETCH_BASE.key:
        hint = ("\n(a benchmark of failures is worthless: give another binary with "
                "--fetch-baseline PATH, or run without it)")
    return BenchError(f"{tool.label} failed on workload {workload.number} "
                      f"({workload.title}): {why}, {describe_status(m, timeout_s)}\n"
                      f"its standard error ended with:\n{tail(stderr) or '    (nothing)'}"
                      f"{hint}")


@dataclasses.dataclass
class FetchRecords:
    """What a correctness run of fetch reported, one JSON object per output line."""
    lines: list[str]
    records: list[dict]            # the lines that are JSON objects
    not_json: list[int]            # 1-based numbers of the output lines that are not

    @classmethod
    def read(cls, path: Path) -> FetchRecords:
        lines = path.read_text(errors="replace").splitlines()
        records, not_json = [], []
        for number, line in enumerate(lines, 1):
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            if isinstance(record, dict):
                records.append(record)
            else:
                not_json.append(number)
        return cls(lines, records, not_json)

    @property
    def ok(self) -> int:
        return sum(1 for r in self.records if r.get("ok") is True)

    @property
    def body_bytes(self) -> int:
        return sum(r["bytes"] for r in self.records
                   if isinstance(r.get("bytes"), int) and not isinstance(r["bytes"], bool))

    @property
    def new_connections(self) -> int:
        return sum(1 for r in self.records if r.get("reused") is False)

    @property
    def http_versions(self) -> collections.Counter:
        """Records by their http_version ("1.1", "2"; None: a build from before the field)."""
        return collections.Counter(r.get("http_version") for r in self.records)

    def spoken_http(self) -> str | None:
        """The one HTTP version every record was fetched with: a build from before HTTP/2
        reports none and speaks only 1.1. None when the records disagree."""
        versions = {HTTP1 if v is None else v for v in self.http_versions}
        return versions.pop() if len(versions) == 1 else None

    def first_bad(self) -> str:
        """The first output line that is not an ok record (at most 300 characters)."""
        for line in self.lines:
            try:
                record = json.loads(line)
            except ValueError:
                return line[:300]
            if not isinstance(record, dict) or record.get("ok") is not True:
                return line[:300]
        return ""

    def url_problem(self, urls: list[str]) -> str:
        """"" when every URL has exactly one record, else what is missing or repeated."""
        wanted = collections.Counter(urls)
        got = collections.Counter(r.get("url") for r in self.records)
        missing = wanted - got
        extra = got - wanted
        if not missing and not extra:
            return ""
        parts = []
        if missing:
            parts.append(f"{sum(missing.values())} URLs without a record (first: "
                         f"{next(iter(missing))})")
        if extra:
            parts.append(f"{sum(extra.values())} records of unexpected or repeated URLs "
                         f"(first: {next(iter(extra))})")
        return "; ".join(parts)


def fetch_problems(workload: Workload, found: FetchRecords, http: str | None) -> list[str]:
    """Every URL once, all ok, every body byte there, each fetched with HTTP version `http`
    (when given; else any one version); [] when so."""
    expected = len(workload.urls)
    problems = []
    if len(found.lines) != expected:
        problems.append(f"{len(found.lines)} output lines for {expected} URLs")
    if found.not_json:
        problems.append(f"{len(found.not_json)} output lines are not JSON objects (first: line "
                        f"{found.not_json[0]})")
    if url_problem := found.url_problem(workload.urls):
        problems.append(url_problem)
    if found.ok != expected:
        bad = found.first_bad()
        problems.append(f"{found.ok} of {expected} URLs ok" +
                        (f"; first bad line: {bad}" if bad else ""))
    if found.body_bytes not in workload.body_totals():  # gzip's too, where nginx compresses
        problems.append(f"{found.body_bytes} body bytes, expected " +
                        " or ".join(map(str, sorted(workload.body_totals()))))
    versions = found.http_versions
    if http and set(versions) != {http}:
        spoken = ", ".join(f"{count} {'without one' if version is None else repr(version)}"
                           for version, count in versions.most_common())
        problems.append(f"http_version should be {http!r} in every record, found: {spoken}"
                        + (" (a build from before HTTP/2?)" if None in versions else ""))
    elif not http and found.spoken_http() is None:
        problems.append(f"records disagree on http_version: {dict(versions)}")
    return problems


NGINX_PROTOCOL = {HTTP1: "HTTP/1.1", HTTP2: "HTTP/2.0"}  # $server_protocol, by http_version


def check_run(workload: Workload, tool: Tool, m: Measurement, err: Path, timeout_s: float,
              http: str | None, out: Path | None = None) -> None:
    """A timed run: exit 0 in time, nginx served every URL, each in HTTP version `http` (as
    its access log says), aiohttp and h2load counted them all (h2load's counts are in `out`)."""
    if m.status != 0 or m.timed_out:
        raise failure(workload, tool, m, err, "a timed run did not succeed", timeout_s)
    if m.requests is not None and m.requests < len(workload.urls):
        raise failure(workload, tool, m, err, f"nginx served only {m.requests} requests for "
                      f"{len(workload.urls)} URLs", timeout_s)
    if http and m.protocols is not None and set(m.protocols) != {NGINX_PROTOCOL[http]}:
        raise failure(workload, tool, m, err, f"nginx logged requests by protocol {m.protocols}"
                      f", expected {NGINX_PROTOCOL[http]} only", timeout_s)
    if tool.key == H2LOAD.key and out is not None:
        if why := h2load_problem(workload, out.read_text(errors="replace")):
            raise failure(workload, tool, m, err, f"{why}; its output ended with:\n{tail(out)}\n",
                          timeout_s)
    if tool.key.startswith("aiohttp"):
        text = err.read_text(errors="replace")
        found = re.search(r"aiohttp: (\d+) ok, (\d+) failed, (\d+) bytes", text)
        if not found or int(found[1]) != len(workload.urls) or \
                int(found[3]) != workload.expected_bytes:
            raise failure(workload, tool, m, err, f"expected {len(workload.urls)} ok and "
                          f"{workload.expected_bytes} bytes", timeout_s)


def h2load_problem(workload: Workload, text: str) -> str:
    """"" when h2load's summary counts every URL succeeded with a 2xx and every body byte."""
    expected = len(workload.urls)
    requests = re.search(r"requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded", text)
    codes = re.search(r"status codes: (\d+) 2xx", text)
    data = re.search(r"traffic: .*\((\d+)\) data", text)
    if not (requests and codes and data):
        return "no summary in its output"
    if int(requests[1]) != expected or int(codes[1]) != expected:
        return f"{requests[1]} succeeded, {codes[1]} 2xx of {expected} requests"
    if int(data[1]) != workload.expected_bytes:
        return f"{data[1]} body bytes, expected {workload.expected_bytes}"
    return ""
