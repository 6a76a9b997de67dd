"""What every module of the benchmark shares: paths, constants, the error type, logging."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent.parent
REPO = BENCH_DIR.parent
DEBIAN_PYTHON = "/usr/bin/python3"  # the `python3` on PATH may be a build without aiohttp
CONCURRENCY = 50
MIB = 1024 * 1024


class BenchError(Exception):
    """A failure that ends the benchmark with a message (and exit status 1)."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def tail(path: Path, lines: int = 15) -> str:
    """The last lines of a file, indented, for error messages ("" when unreadable)."""
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join("    " + line for line in text[-lines:])
