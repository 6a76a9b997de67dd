"""The workloads: which URLs each one fetches, and how many body bytes they add up to.

1 to 5 run on loopback, straight to nginx; 6 to 8 (the WAN workloads, `--wan`) go through
the WAN proxy (bench/wan_proxy.py). The files behind the URLs are made by
nginx.make_docroot from the sizes defined here.
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
TEXT_PAGE_SIZE = 200 * 1024  # workload 6: article-like HTML (gzip -6: about 4.6x smaller)
BLOB_SIZE = 100 * 1024       # workload 7: random bytes
WAN_SMALL_URLS = 1_000       # workload 8
LOOPBACK = (1, 2, 3, 4, 5)
WAN = (6, 7, 8)
NUMBERS = LOOPBACK + WAN


def text_page_path(i: int) -> str:
    return f"/wan/page-{i:02d}.html"


def blob_path(i: int) -> str:
    return f"/wan/blob-{i:02d}.bin"


def big_size(quick: bool) -> int:
    """The size of /big.bin, workload 4's one body."""
    return (32 if quick else 256) * MIB


@dataclasses.dataclass
class Workload:
    number: int
    title: str
    urls: list[str]
    expected_bytes: int  # sum of the bodies of all URLs
    largest_body: int = 0  # the largest one body (for the WAN bound)
    wan: bool = False    # through the WAN proxy
    gzip_paths: tuple[str, ...] = ()  # the paths nginx compresses when asked (workload 6)
    gzip_bytes: int | None = None     # their bodies' sum with gzip, as nginx sends them
    gzip_largest: int | None = None

    def one_origin(self) -> bool:
        """Whether every URL has the same scheme, host and port."""
        return len({tuple(url.split("/", 3)[:3]) for url in self.urls}) == 1

    def body_totals(self) -> set[int]:
        """The body byte sums a client may report: as served, or as nginx's gzip sends it."""
        return {self.expected_bytes} | ({self.gzip_bytes} if self.gzip_bytes else set())


def make_workloads(port: int, quick: bool, proxy_port: int | None = None) -> dict[int, Workload]:
    """The loopback workloads on nginx's port, and with proxy_port the WAN ones through it."""
    base = f"https://127.0.0.1:{port}"
    small_one_host = lambda n: [f"{base}/small.txt?i={i}" for i in range(n)]  # noqa: E731
    n2 = 1_000 if quick else 10_000
    n3 = 2 * ORIGINS if quick else 2_000
    n5 = 10_000 if quick else 100_000
    big = big_size(quick)
    origins = [f"https://127.0.0.{2 + k}:{port}" for k in range(ORIGINS)]
    workloads = {
        1: Workload(1, f"{PAGES} pages of 100 KiB, 1 host",
                    [f"{base}/page-{i:02d}.html" for i in range(1, PAGES + 1)], PAGES * PAGE_SIZE),
        2: Workload(2, f"{n2:,} small URLs, 1 host", small_one_host(n2), n2 * SMALL_SIZE),
        3: Workload(3, f"{n3:,} small URLs, {ORIGINS} origins",
                    [f"{origins[i % ORIGINS]}/small.txt?i={i}" for i in range(n3)],
                    n3 * SMALL_SIZE),
        4: Workload(4, f"1 body of {big // MIB} MiB", [f"{base}/big.bin"], big),
        5: Workload(5, f"{n5:,} small URLs, 1 host", small_one_host(n5), n5 * SMALL_SIZE),
    }
    if proxy_port:
        workloads.update(wan_workloads(f"https://127.0.0.1:{proxy_port}"))
    return workloads


def wan_workloads(base: str) -> dict[int, Workload]:
    """6 to 8, through the proxy at `base` (127.0.0.1, which nginx's certificate covers)."""
    pages = tuple(text_page_path(i) for i in range(1, PAGES + 1))
    return {
        6: Workload(6, f"{PAGES} HTML pages of 200 KiB, gzip on, WAN",
                    [base + path for path in pages], PAGES * TEXT_PAGE_SIZE, TEXT_PAGE_SIZE,
                    wan=True, gzip_paths=pages),
        7: Workload(7, f"{PAGES} random bodies of 100 KiB, WAN",
                    [base + blob_path(i) for i in range(1, PAGES + 1)], PAGES * BLOB_SIZE,
                    BLOB_SIZE, wan=True),
        8: Workload(8, f"{WAN_SMALL_URLS:,} small URLs, WAN",
                    [f"{base}/small.txt?i={i}" for i in range(WAN_SMALL_URLS)],
                    WAN_SMALL_URLS * SMALL_SIZE, SMALL_SIZE, wan=True),
    }


def write_url_list(workload: Workload, directory: Path) -> Path:
    """The workload's URLs, one per line (what fetch and aiohttp_fetch.py read)."""
    path = directory / f"urls-{workload.number}.txt"
    path.write_text("".join(url + "\n" for url in workload.urls))
    return path
