"""Which fetch row each row of a workload's table is compared with.

fetch has two rows: fetch (HTTP/2, the default) and fetch-h1 (the same binary with
--http1.1). A ratio fetch/tool pairs each tool with the fetch row that speaks the same HTTP
version as the tool did (curl (HTTP/2) and h2load with fetch; curl --http1.1, aiohttp and a
baseline build from before HTTP/2 with fetch-h1), so that no ratio mixes multiplexing with
connection pooling. The baseline columns put each fetch row beside fetch-base.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.tools import BUILD_UNDER_TEST, FETCH_BASE

if TYPE_CHECKING:
    from harness.runner import Row


def by_workload(rows: list[Row]) -> dict[int, list[Row]]:
    grouped: dict[int, list[Row]] = {}
    for row in rows:
        grouped.setdefault(row.workload.number, []).append(row)
    return grouped


def is_fetch(row: Row) -> bool:
    """One of the rows of the build under test (fetch, fetch-h1)."""
    return row.tool.key in BUILD_UNDER_TEST


def fetch_for(row: Row, group: list[Row]) -> Row | None:
    """The fetch row of the same workload that speaks row's HTTP version (row itself for a
    fetch row), or None when that one did not run."""
    if is_fetch(row):
        return row
    return next((r for r in group if is_fetch(r) and r.http == row.http), None)


def baseline_of(group: list[Row]) -> Row | None:
    return next((r for r in group if r.tool.key == FETCH_BASE.key), None)
