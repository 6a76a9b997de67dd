"""The report: the machine and versions, one markdown table of medians and ratios (and the
WAN table, from wan_report.py), and the notes under them (throughput, memory, fetch over
HTTP/2 against HTTP/1.1, the wrk ceiling, the WAN bounds, other load)."""

from __future__ import annotations

import dataclasses
import datetime
import os
import shlex
import statistics
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from harness.common import CONCURRENCY, DEBIAN_PYTHON, MIB, REPO
from harness.instructions import count_lines
from harness.measurement import GNU_TIME
from harness.proxy import WanLink
from harness.pairing import baseline_of, by_workload, fetch_for, is_fetch
from harness.tools import AIOHTTP_KEYS, FETCH, FETCH_BASE, FETCH_H1, H2LOAD
from harness.wan_report import wan_note_lines, wan_table_lines

if TYPE_CHECKING:
    from harness.runner import Bench, Row


@dataclasses.dataclass
class RunInfo:
    """What the report says about how the run was made."""
    programs: dict[str, str]   # paths of nginx, openssl, curl, h2load, wrk
    binaries: dict[str, Path]  # fetch and fetch-base (the ones measured), by tool key
    tools: set[str]            # the --tools asked for
    runs: int
    quick: bool
    link: WanLink | None = None  # the WAN proxy's, when WAN workloads ran
    fetch_args: tuple[str, ...] = ()  # --fetch-args


def first_line(argv: list[str], stream: str = "stdout") -> str:
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    text = (result.stdout if stream == "stdout" else result.stderr) or result.stdout
    return text.strip().splitlines()[0] if text.strip() else "?"


def versions(info: RunInfo) -> list[str]:
    programs = info.programs
    found = [f"nginx {first_line([programs['nginx'], '-v'], 'stderr').split('/')[-1]}",
             first_line([programs["openssl"], "version"])]
    if "curl" in programs:
        found.append(" ".join(first_line([programs["curl"], "-V"]).split()[:2]))
    if info.tools & AIOHTTP_KEYS:
        found.append("aiohttp " + first_line(
            [DEBIAN_PYTHON, "-c", "import aiohttp, sys; print(aiohttp.__version__, "
             "'on Python', sys.version.split()[0])"]))
    if "h2load" in programs:
        found.append(first_line([programs["h2load"], "--version"]))
    if "wrk" in programs:
        found.append(first_line([programs["wrk"], "-v"]).split(" [")[0])
    return found


def machine_lines(info: RunInfo) -> list[str]:
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
    fetch = info.binaries.get(FETCH.key)
    lines = [
        f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {model}, "
        f"{mem_gib:.0f} GiB RAM, Linux {os.uname().release}",
        "- measured: wall time by the runner; CPU (user + sys) from wait4(); peak RSS " +
        ("by /usr/bin/time (%M)" if GNU_TIME else
         "sampled from /proc/PID/status VmHWM every 5 ms (/usr/bin/time is missing; "
         "`apt-get install time` makes it exact)"),
        f"- fetch: {fetch if fetch else '(not run)'} (repository at {rev}); fetch (HTTP/2) is "
        "its default (ALPN h2,http/1.1; nginx picks h2), fetch --http1.1 the same binary "
        "offering HTTP/1.1 only"
        + (f"; timed with `{shlex.join(info.fetch_args)}`" if info.fetch_args else ""),
    ]
    if FETCH_BASE.key in info.binaries:
        lines.append(f"- fetch-base: {info.binaries[FETCH_BASE.key]} (--fetch-baseline)")
    lines += [
        f"- tools: {', '.join(versions(info))}",
        f"- settings: {info.runs} run(s) per tool and workload, median shown; concurrency "
        f"{CONCURRENCY}; HTTPS with an ECDSA P-256 leaf; nginx: 1 worker, keep-alive"
        f"{'; --quick sizes' if info.quick else ''}",
    ]
    if info.link:
        lines.append(f"- WAN workloads: through bench/wan_proxy.py, {info.link.describe()}")
    return lines


def fmt(value: float, digits: int = 3) -> str:
    return f"{value:,.{digits}f}"


def ratios(numerator: Row | None, row: Row | None) -> tuple[str, str]:
    """(wall, CPU) of numerator's medians divided by row's, "–" where there is none."""
    if numerator is None or row is None:
        return "–", "–"
    cpu = row.median("cpu_s")
    return (fmt(numerator.median("wall_s") / row.median("wall_s"), 2),
            fmt(numerator.median("cpu_s") / cpu, 2) if cpu > 0 else "–")


def median_count(row: Row, field: str) -> str:
    """The median of a per-run count (connections), "?" where nginx did not say."""
    values = [getattr(m, field) for m in row.runs if getattr(m, field) is not None]
    return fmt(statistics.median(values), 0) if values else "?"


def label(row: Row) -> str:
    return f"**{row.tool.label}**" if is_fetch(row) else row.tool.label


def table_lines(rows: list[Row]) -> list[str]:
    """The table: one line per workload and tool; with a baseline, fetch/fetch-base too."""
    if not rows:
        return ["(no workload finished)"]
    baseline = any(row.tool.key == FETCH_BASE.key for row in rows)
    header = ("| workload | tool | wall s | CPU s | peak RSS MiB | req/s | CPU µs/req | "
              "conns | conns used | nginx CPU s | wall fetch/tool | CPU fetch/tool |")
    rule = "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
    if baseline:
        header += " wall fetch/fetch-base | CPU fetch/fetch-base |"
        rule += "--:|--:|"
    out = [header, rule]
    for number, group in by_workload(rows).items():
        base_row = baseline_of(group)
        for row in group:
            wall, cpu = row.median("wall_s"), row.median("cpu_s")
            ratio_wall, ratio_cpu = ratios(fetch_for(row, group), row)
            line = (f"| {number}: {row.workload.title} | {label(row)} | {fmt(wall)} | "
                    f"{fmt(cpu)} | {fmt(row.peak_rss, 1)} | {fmt(row.urls / wall, 0)} | "
                    f"{fmt(cpu / row.urls * 1e6, 0)} | {median_count(row, 'connections')} | "
                    f"{median_count(row, 'used_connections')} | "
                    f"{fmt(row.median('server_cpu_s'), 2)} | {ratio_wall} | {ratio_cpu} |")
            if baseline:
                base = ratios(row, base_row) if is_fetch(row) else ("–", "–")
                line += f" {base[0]} | {base[1]} |"
            out.append(line)
    out += ["", "Ratios fetch/tool are the median of the fetch row that speaks the tool's HTTP "
            "version divided by the tool's median: fetch (HTTP/2) over curl (HTTP/2) and h2load, "
            "fetch --http1.1 over curl --http1.1, aiohttp and an HTTP/1.1 fetch-base; below 1 "
            "fetch is faster / uses less CPU, above 1 it is slower. Wall and CPU are medians; CPU "
            "is user + sys of the client process; peak RSS is the largest of the runs; conns is "
            "how many TCP connections nginx accepted, conns used how many of them carried at "
            "least one request (distinct connections in nginx's access log; medians); nginx CPU "
            "s is the server's CPU during the run (median)."]
    if baseline:
        out[-1] += (" fetch/fetch-base (on each fetch line) is that fetch row's median divided "
                    "by the baseline build's (given with --fetch-baseline), measured in the same "
                    "alternation: below 1 the build under test is faster.")
    return out


def note_lines(bench: Bench, link: WanLink | None) -> list[str]:
    """The lines under the tables."""
    grouped = by_workload(bench.rows)
    extra = []
    if versus_h1 := http2_versus_http1(bench.rows):
        extra.append(versus_h1)
    for row in grouped.get(4, []):
        extra.append(f"w4 throughput: {row.tool.label}: "
                     f"{row.workload.expected_bytes / MIB / row.median('wall_s'):,.0f} MiB/s")
    small = {r.workload.number: r for r in grouped.get(2, []) + grouped.get(5, [])
             if r.tool.key == FETCH.key}
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
        extra.append(f"HTTP/1.1 ceiling (wrk -t1 -c{CONCURRENCY}, keep-alive on /small.txt, "
                     f"median of {len(bench.wrk)}): {rps:,.0f} req/s; wrk used "
                     f"{wrk_cpu * 1e6:.1f} µs CPU/req, nginx {srv_cpu * 1e6:.1f} µs CPU/req" +
                     (f"; the HTTP/2 ceiling is each workload's h2load row (-c 1 -m {CONCURRENCY})"
                      if any(row.tool.key == H2LOAD.key for row in bench.rows) else ""))
    wan_rows = [row for row in bench.rows if row.workload.wan]
    if wan_rows and link:
        extra += wan_note_lines(wan_rows, link)
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
    return extra


def http2_versus_http1(rows: list[Row]) -> str:
    """fetch over HTTP/2 divided by fetch over HTTP/1.1, per workload ("" without both)."""
    parts = []
    for number, group in by_workload(rows).items():
        h2 = next((r for r in group if r.tool.key == FETCH.key), None)
        h1 = next((r for r in group if r.tool.key == FETCH_H1.key), None)
        if h2 and h1:
            wall, cpu = ratios(h2, h1)
            parts.append(f"w{number} {wall} wall, {cpu} CPU")
    if not parts:
        return ""
    return ("fetch HTTP/2 ÷ HTTP/1.1 (the same binary, fetch (HTTP/2) over fetch --http1.1): " +
            "; ".join(parts))


def report(bench: Bench, info: RunInfo, complete: bool, failure: str) -> str:
    out = ["# fetch benchmark" + ("" if complete else " (INCOMPLETE: stopped early)"), ""]
    out += machine_lines(info) + [""]
    if failure:
        out += ["```", failure, "```", ""]
    loopback = [row for row in bench.rows if not row.workload.wan]
    wan = [row for row in bench.rows if row.workload.wan]
    if loopback or not (bench.counts or wan):
        out += table_lines(loopback)
    if wan and info.link:
        out += ([""] if loopback else []) + wan_table_lines(wan, info.link)
    if bench.counts:
        out += [""] + count_lines(bench.counts)
    extra = note_lines(bench, info.link)
    if extra:
        out += [""] + [f"- {line}" for line in extra]
    return "\n".join(out) + "\n"
