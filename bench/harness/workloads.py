"""The five workloads: which URLs each one fetches, and how many body bytes they add up to.

The files behind the URLs are made by nginx.make_docroot from the sizes defined here.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from harness.common import MIB

ORIGINS = 200  # workload 3: https://127.0.0.2 ... 127.0.0.201
LAST_ADDRESS = ORIGINS + 1  # nginx listens on 127.0.0.1 ... 127.0.0.LAST_ADDRESS
SMALL_SIZE = 1400
PAGE_SIZE = 100 * 1024
PAGES = 15
NUMBERS = (1, 2, 3, 4, 5)


def big_size(quick: bool) -> int:
    """The size of /big.bin, workload 4's one body."""
    return (32 if quick else 256) * MIB


@dataclasses.dataclass
class Workload:
    number: int
    title: str
    urls: list[str]
    expected_bytes: int  # sum of the bodies of all URLs


def make_workloads(port: int, quick: bool) -> dict[int, Workload]:
    base = f"https://127.0.0.1:{port}"
    small_one_host = lambda n: [f"{base}/small.txt?i={i}" for i in range(n)]  # noqa: E731
    n2 = 1_000 if quick else 10_000
    n3 = 2 * ORIGINS if quick else 2_000
    n5 = 10_000 if quick else 100_000
    big = big_size(quick)
    origins = [f"https://127.0.0.{2 + k}:{port}" for k in range(ORIGINS)]
    return {
        1: Workload(1, f"{PAGES} pages of 100 KiB, 1 host",
                    [f"{base}/page-{i:02d}.html" for i in range(1, PAGES + 1)], PAGES * PAGE_SIZE),
        2: Workload(2, f"{n2:,} small URLs, 1 host", small_one_host(n2), n2 * SMALL_SIZE),
        3: Workload(3, f"{n3:,} small URLs, {ORIGINS} origins",
                    [f"{origins[i % ORIGINS]}/small.txt?i={i}" for i in range(n3)],
                    n3 * SMALL_SIZE),
        4: Workload(4, f"1 body of {big // MIB} MiB", [f"{base}/big.bin"], big),
        5: Workload(5, f"{n5:,} small URLs, 1 host", small_one_host(n5), n5 * SMALL_SIZE),
    }


def write_url_list(workload: Workload, directory: Path) -> Path:
    """The workload's URLs, one per line (what fetch and aiohttp_fetch.py read)."""
    path = directory / f"urls-{workload.number}.txt"
    path.write_text("".join(url + "\n" for url in workload.urls))
    return path
