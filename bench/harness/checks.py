"""Correctness, because a benchmark of failures is worthless: fetch's records of its
correctness run, and every timed run's exit status, server request count and (aiohttp) totals.

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
from harness.tools import FETCH, FETCH_BASE, Tool
from harness.workloads import Workload


def failure(workload: Workload, tool: Tool, m: Measurement, stderr: Path, why: str,
            timeout_s: float) -> BenchError:
    """The error that stops the benchmark, with the end of the tool's standard error."""
    hint = ""
    if tool.key == FETCH.key:
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


def fetch_problems(workload: Workload, found: FetchRecords) -> list[str]:
    """Every URL once, all ok, every body byte there; [] when so."""
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
    return problems


def check_run(workload: Workload, tool: Tool, m: Measurement, err: Path,
              timeout_s: float) -> None:
    """A timed run: exit 0 in time, nginx served every URL, aiohttp counted them all."""
    if m.status != 0 or m.timed_out:
        raise failure(workload, tool, m, err, "a timed run did not succeed", timeout_s)
    if m.requests is not None and m.requests < len(workload.urls):
        raise failure(workload, tool, m, err, f"nginx served only {m.requests} requests for "
                      f"{len(workload.urls)} URLs", timeout_s)
    if tool.key.startswith("aiohttp"):
        text = err.read_text(errors="replace")
        found = re.search(r"aiohttp: (\d+) ok, (\d+) failed, (\d+) bytes", text)
        if not found or int(found[1]) != len(workload.urls) or \
                int(found[3]) != workload.expected_bytes:
            raise failure(workload, tool, m, err, f"expected {len(workload.urls)} ok and "
                          f"{workload.expected_bytes} bytes", timeout_s)
