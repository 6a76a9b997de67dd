"""The benchmark proper: for each workload, the correctness run of each fetch row, then the
timed runs of every tool in alternating order (the WAN workloads through the WAN proxy); and
the wrk ceiling."""

from __future__ import annotations

import dataclasses
import os
import re
import statistics
from pathlib import Path

from harness.checks import FetchRecords, check_run, failure, fetch_problems
from harness.common import BENCH_DIR, BenchError, log, tail
from harness.instructions import Count, count_instructions, log_count
from harness.measurement import Measurement, describe_status, measure
from harness.nginx import Nginx
from harness.proxy import WanProxy
from harness.tools import (FETCH_KEYS, KEEPS_STDOUT, SLOW, Commands, Tool, runs_on,
                           write_inputs)
from harness.workloads import Workload


@dataclasses.dataclass
class Row:
    workload: Workload
    tool: Tool
    runs: list[Measurement]
    http: str | None  # the HTTP version its requests used ("1.1", "2"), as checked

    @property
    def urls(self) -> int:
        return len(self.workload.urls)

    def median(self, field: str) -> float:
        return statistics.median(getattr(m, field) for m in self.runs)

    @property
    def peak_rss(self) -> float:
        return max(m.maxrss_mib for m in self.runs)


@dataclasses.dataclass
class Settings:
    runs: int            # timed runs per tool and workload
    quick: bool
    include_slow: bool

    @property
    def timeout_s(self) -> float:
        return 120 if self.quick else 600


def describe_connections(m: Measurement) -> str:
    """"50 conns (1 used)": accepted by nginx, and those that carried requests."""
    accepted = "?" if m.connections is None else f"{m.connections:,}"
    used = "?" if m.used_connections is None else f"{m.used_connections:,}"
    return f"{accepted:>6} conns ({used} used)"


class Bench:
    def __init__(self, settings: Settings, commands: Commands, tmp: Path, nginx: Nginx,
                 proxy: WanProxy | None = None):
        self.settings = settings
        self.commands = commands
        self.tmp = tmp
        self.nginx = nginx
        self.proxy = proxy  # in front of nginx for the WAN workloads
        self.rows: list[Row] = []
        self.notes: list[str] = []
        self.wrk: list[tuple[Measurement, float]] = []  # (measurement, requests/s)
        self.counts: list[Count] = []  # --callgrind

    def verify_fetch(self, workload: Workload, tool: Tool, urls: Path) -> str | None:
        """One untimed run with its JSON Lines kept: every URL once, all ok, every body byte,
        the HTTP version the tool stands for. Returns the HTTP version it spoke."""
        out = self.tmp / f"{tool.key}-{workload.number}.jsonl"
        err = self.tmp / f"{tool.key}-verify.err"
        timeout_s = self.settings.timeout_s
        m = measure(self.commands.fetch(tool.key, urls, "json"), out, err, timeout_s)
        if m.status != 0 or m.timed_out:
            raise failure(workload, tool, m, err, "the correctness run did not succeed",
                          timeout_s)
        found = FetchRecords.read(out)
        if problems := fetch_problems(workload, found, tool.http):
            raise failure(workload, tool, m, err, "; ".join(problems), timeout_s)
        http = tool.http or found.spoken_http()
        self.notes.append(f"w{workload.number}: {tool.label} verified: {found.ok} URLs ok, "
                          f"{found.body_bytes:,} body bytes, {found.new_connections} new "
                          f"connections (reused=false), HTTP/{http}")
        return http

    def run_workload(self, workload: Workload, tools: list[Tool]) -> None:
        inputs = write_inputs(workload, self.tmp)
        tools = [t for t in tools if runs_on(t, workload)]
        relay = self.proxy if workload.wan else None
        skipped = [t for t in tools if (t.key, workload.number) in SLOW and
                   not self.settings.include_slow]
        for tool in skipped:
            self.notes.append(f"w{workload.number}: {tool.label} skipped: "
                              f"{SLOW[tool.key, workload.number]} (--include-slow runs it)")
        tools = [t for t in tools if t not in skipped]
        http = {t.key: t.http for t in tools}
        for tool in tools:
            if tool.key in FETCH_KEYS:
                log(f"bench: w{workload.number}: checking {tool.label}'s output once ...")
                http[tool.key] = self.verify_fetch(workload, tool, inputs.urls)
        runs: dict[str, list[Measurement]] = {t.key: [] for t in tools}
        for rep in range(self.settings.runs):
            order = tools if rep % 2 == 0 else list(reversed(tools))  # ABBA: drift cancels
            for tool in order:
                err = self.tmp / f"{tool.key}.err"
                out = self.tmp / f"{tool.key}.out" if tool.key in KEEPS_STDOUT else None
                m = measure(self.commands.timed(tool.key, inputs), out or os.devnull, err,
                            self.settings.timeout_s, self.nginx, relay)
                check_run(workload, tool, m, err, self.settings.timeout_s, http[tool.key], out)
                runs[tool.key].append(m)
                log(f"bench: w{workload.number} run {rep + 1}/{self.settings.runs} "
                    f"{tool.label:26} {m.wall_s:8.3f} s wall {m.cpu_s:8.3f} s CPU "
                    f"{m.maxrss_mib:7.1f} MiB {describe_connections(m)}" +
                    (f" {m.wire_down / 1024:9,.0f} KiB down" if m.wire_down is not None else ""))
        self.rows += [Row(workload, tool, runs[tool.key], http[tool.key]) for tool in tools]

    def count_workload(self, workload: Workload, tools: list[Tool]) -> None:
        """--callgrind: each fetch build once under callgrind, its instructions per URL."""
        inputs = write_inputs(workload, self.tmp)
        for tool in tools:
            if tool.key in FETCH_KEYS:  # the WAN workloads through the proxy, like the timed runs
                argv = self.commands.timed(tool.key, inputs)
                profile = BENCH_DIR / "out" / f"callgrind-{tool.key}-w{workload.number}.out"
                count = Count(workload, tool.key,
                              count_instructions(argv, profile, 50 * self.settings.timeout_s))
                log_count(count)
                self.counts.append(count)

    def run_wrk(self) -> None:
        seconds = 2 if self.settings.quick else 5
        argv = self.commands.wrk(f"https://127.0.0.1:{self.nginx.port}/small.txt", seconds)
        out, err = self.tmp / "wrk.out", self.tmp / "wrk.err"
        for rep in range(self.settings.runs):
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
            log(f"bench: wrk run {rep + 1}/{self.settings.runs}: {float(found[1]):,.0f} req/s, "
                f"{m.cpu_s:.2f} s CPU")
