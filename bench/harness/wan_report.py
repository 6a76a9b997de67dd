"""The WAN table (workloads 6 to 8): wall time, bytes on the wire and connections against the
physical bound, ratios fetch/tool, and the notes on the link, the bounds and the proxy's CPU."""

from __future__ import annotations

import statistics
from typing import TYPE_CHECKING

from harness.bounds import bound
from harness.common import CONCURRENCY
from harness.pairing import baseline_of, by_workload, fetch_for, is_fetch
from harness.proxy import WanLink
from harness.tools import FETCH_BASE

if TYPE_CHECKING:
    from harness.runner import Row


def fmt(value: float, digits: int = 3) -> str:
    return f"{value:,.{digits}f}"


def median_of(row: Row, field: str) -> float | None:
    values = [getattr(m, field) for m in row.runs if getattr(m, field) is not None]
    return statistics.median(values) if values else None


def ratio(numerator: float | None, denominator: float | None) -> str:
    if numerator is None or not denominator:
        return "–"
    return fmt(numerator / denominator, 2)


def kib(value: float | None) -> str:
    return fmt(value / 1024, 0) if value is not None else "?"


def count(row: Row, field: str) -> str:
    value = median_of(row, field)
    return fmt(value, 0) if value is not None else "?"


def wan_table_lines(rows: list[Row], link: WanLink) -> list[str]:
    """One line per WAN workload and tool; with a baseline, fetch/fetch-base too."""
    baseline = any(row.tool.key == FETCH_BASE.key for row in rows)
    header = ("| workload | tool | wall s | CPU s | wire KiB down | KiB up | conns | conns used | "
              "bound s | wall/bound | wall fetch/tool | wire fetch/tool |")
    rule = "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
    if baseline:
        header += " wall fetch/fetch-base | wire fetch/fetch-base |"
        rule += "--:|--:|"
    out = [header, rule]
    for number, rows_of in by_workload(rows).items():
        best = bound(rows_of[0].workload, link).seconds
        base_row = baseline_of(rows_of)
        for row in rows_of:
            wall = row.median("wall_s")
            wire = median_of(row, "wire_down")
            paired = fetch_for(row, rows_of)  # the fetch row of the same HTTP version
            paired_wall = paired.median("wall_s") if paired else None
            paired_wire = median_of(paired, "wire_down") if paired else None
            label = f"**{row.tool.label}**" if is_fetch(row) else row.tool.label
            line = (f"| {number}: {row.workload.title} | {label} | {fmt(wall)} | "
                    f"{fmt(row.median('cpu_s'))} | {kib(wire)} | "
                    f"{kib(median_of(row, 'wire_up'))} | {count(row, 'connections')} | "
                    f"{count(row, 'used_connections')} | {fmt(best)} | {fmt(wall / best, 2)} | "
                    f"{ratio(paired_wall, wall)} | {ratio(paired_wire, wire)} |")
            if baseline:
                if is_fetch(row) and base_row:
                    line += (f" {ratio(wall, base_row.median('wall_s'))} | "
                             f"{ratio(wire, median_of(base_row, 'wire_down'))} |")
                else:
                    line += " – | – |"
            out.append(line)
    out += ["", f"Through the WAN proxy ({link.describe()}, the bandwidth shared by all "
            "connections, one extra round trip before a new connection's first bytes). wire KiB "
            "down / up: the bytes the proxy carried each way during the run (median): bodies, "
            "headers, TLS records and handshakes, not TCP/IP headers. conns: TCP connections "
            "nginx accepted (one per connection the client opened through the proxy), conns "
            "used: those that carried at least one request (medians). bound s: the least time "
            f"any client could take with {CONCURRENCY} requests in flight (2 RTT of TCP and TLS "
            "1.3 handshakes + max(RTT + body bytes / bandwidth, ceil(URLs / "
            f"{CONCURRENCY}) × (RTT + one body / bandwidth)), with the bodies as small as "
            "nginx sends them, gzip where it compresses); wall/bound: how far above it the tool "
            "stayed. Ratios are the median of the fetch row that speaks the tool's HTTP version "
            "divided by the tool's (fetch (HTTP/2) over the HTTP/2 tools, fetch --http1.1 over "
            "the HTTP/1.1 ones): below 1 fetch is faster / put fewer bytes on the wire."]
    return out


def wan_note_lines(rows: list[Row], link: WanLink) -> list[str]:
    """The bound of each WAN workload, what gzip made of workload 6, the proxy's CPU."""
    notes = []
    for number, rows_of in by_workload(rows).items():
        workload = rows_of[0].workload
        best = bound(workload, link)
        text = (f"w{number} bound: {best.seconds:.3f} s, limited by {best.limited_by} "
                f"({best.body_bytes:,} body bytes, {best.encoding}")
        if workload.gzip_bytes:
            plain = bound(workload, link, gzip=False)
            text += (f"; nginx's gzip sends {workload.expected_bytes:,} bytes as "
                     f"{workload.gzip_bytes:,}, {workload.expected_bytes / workload.gzip_bytes:.2f}"
                     f"x smaller; without gzip the bound is {plain.seconds:.3f} s")
        notes.append(text + ")")
    measurements = [m for row in rows for m in row.runs]
    wall = sum(m.wall_s for m in measurements)
    if wall > 0:
        busiest = max(m.relay_cpu_s / m.wall_s for m in measurements if m.wall_s > 0)
        notes.append(f"WAN proxy CPU: {100 * sum(m.relay_cpu_s for m in measurements) / wall:.1f}"
                     f" % of one CPU on average over the WAN runs (busiest run "
                     f"{100 * busiest:.0f} %, at 10 ms resolution)")
    return notes
