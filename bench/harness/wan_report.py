"""The WAN table (workloads 6 to 8): wall time and bytes on the wire against the physical
bound, ratios fetch/tool, and the notes on the link, the bounds and the proxy's CPU."""

from __future__ import annotations

import statistics
from typing import TYPE_CHECKING

from harness.bounds import bound
from harness.common import CONCURRENCY
from harness.proxy import WanLink
from harness.tools import FETCH, FETCH_BASE

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


def group(rows: list[Row]) -> dict[int, list[Row]]:
    grouped: dict[int, list[Row]] = {}
    for row in rows:
        grouped.setdefault(row.workload.number, []).append(row)
    return grouped


def wan_table_lines(rows: list[Row], link: WanLink) -> list[str]:
    """One line per WAN workload and tool; with a baseline, fetch/fetch-base too."""
    baseline = any(row.tool.key == FETCH_BASE.key for row in rows)
    header = ("| workload | tool | wall s | CPU s | wire KiB down | KiB up | conns | bound s | "
              "wall/bound | wall fetch/tool | wire fetch/tool |")
    rule = "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
    if baseline:
        header += " wall fetch/fetch-base | wire fetch/fetch-base |"
        rule += "--:|--:|"
    out = [header, rule]
    for number, rows_of in group(rows).items():
        best = bound(rows_of[0].workload, link).seconds
        fetch_row = next((r for r in rows_of if r.tool.key == FETCH.key), None)
        base_row = next((r for r in rows_of if r.tool.key == FETCH_BASE.key), None)
        fetch_wall = fetch_row.median("wall_s") if fetch_row else None
        fetch_wire = median_of(fetch_row, "wire_down") if fetch_row else None
        for row in rows_of:
            wall = row.median("wall_s")
            conns = median_of(row, "connections")
            label = f"**{row.tool.label}**" if row.tool.key == FETCH.key else row.tool.label
            line = (f"| {number}: {row.workload.title} | {label} | {fmt(wall)} | "
                    f"{fmt(row.median('cpu_s'))} | {kib(median_of(row, 'wire_down'))} | "
                    f"{kib(median_of(row, 'wire_up'))} | "
                    f"{fmt(conns, 0) if conns is not None else '?'} | {fmt(best)} | "
                    f"{fmt(wall / best, 2)} | {ratio(fetch_wall, wall)} | "
                    f"{ratio(fetch_wire, median_of(row, 'wire_down'))} |")
            if baseline:
                if row is fetch_row and base_row:
                    line += (f" {ratio(fetch_wall, base_row.median('wall_s'))} | "
                             f"{ratio(fetch_wire, median_of(base_row, 'wire_down'))} |")
                else:
                    line += " – | – |"
            out.append(line)
    out += ["", f"Through the WAN proxy ({link.describe()}, the bandwidth shared by all "
            "connections, one extra round trip before a new connection's first bytes). wire KiB "
            "down / up: the bytes the proxy carried each way during the run (median): bodies, "
            "headers, TLS records and handshakes, not TCP/IP headers. bound s: the least time "
            f"any client could take with {CONCURRENCY} requests in flight (2 RTT of TCP and TLS "
            "1.3 handshakes + max(RTT + body bytes / bandwidth, ceil(URLs / "
            f"{CONCURRENCY}) × (RTT + one body / bandwidth)), with the bodies as small as "
            "nginx sends them, gzip where it compresses); wall/bound: how far above it the tool "
            "stayed. Ratios are fetch's median divided by the tool's: below 1 fetch is faster / "
            "put fewer bytes on the wire."]
    return out


def wan_note_lines(rows: list[Row], link: WanLink) -> list[str]:
    """The bound of each WAN workload, what gzip made of workload 6, the proxy's CPU."""
    notes = []
    for number, rows_of in group(rows).items():
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
