"""Instructions per URL under callgrind: a count that repeats to the last digit for the same
binary and input whatever else the machine does, so that two builds can be compared to a
fraction of a per cent where wall and CPU times only resolve a few per cent."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

from harness.common import BenchError, log, tail
from harness.tools import BUILD_UNDER_TEST
from harness.workloads import Workload

VALGRIND = shutil.which("valgrind")


@dataclasses.dataclass
class Count:
    workload: Workload
    tool_key: str
    instructions: int  # Ir, the whole run: start-up, every URL, exit

    @property
    def per_url(self) -> float:
        return self.instructions / len(self.workload.urls)


def count_instructions(argv: list[str], out_file: Path, timeout_s: float) -> int:
    """Runs argv once under callgrind, leaving its profile in out_file (for callgrind_annotate),
    and returns its total instruction count."""
    if VALGRIND is None:
        raise BenchError("--callgrind needs valgrind (Debian package valgrind)")
    out_file.parent.mkdir(exist_ok=True)
    err_file = out_file.with_suffix(".err")
    command = [VALGRIND, "--tool=callgrind", f"--callgrind-out-file={out_file}", *argv]
    with open(err_file, "wb") as err:
        try:
            result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=err,
                                    stdin=subprocess.DEVNULL, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired as expired:
            raise BenchError(f"callgrind run timed out after {timeout_s:.0f} s") from expired
    if result.returncode != 0:
        raise BenchError(f"callgrind run exited {result.returncode}:\n{tail(err_file)}")
    text = out_file.read_text(errors="replace")
    found = re.search(r"^(?:summary|totals):\s*(\d+)", text, re.MULTILINE)
    if not found:
        raise BenchError(f"no instruction total in {out_file}")
    return int(found[1])


def count_lines(counts: list[Count]) -> list[str]:
    """A table of instructions per URL, with fetch/fetch-base when both were counted."""
    if not counts:
        return []
    out = ["| workload | tool | instructions | per URL | fetch/fetch-base |", "|---|---|--:|--:|--:|"]
    for count in counts:
        base = next((c for c in counts if c.workload is count.workload and
                     c.tool_key == "fetch-base"), None)
        ratio = (f"{count.instructions / base.instructions:.4f}"
                 if base and count.tool_key in BUILD_UNDER_TEST else "–")
        out.append(f"| {count.workload.number}: {count.workload.title} | {count.tool_key} | "
                   f"{count.instructions:,} | {count.per_url:,.0f} | {ratio} |")
    out += ["", "Instructions (Ir) counted by callgrind over one whole run, start-up and exit "
            "included; the profiles are in bench/out/callgrind-TOOL-wN.out (callgrind_annotate "
            "reads them). Under callgrind a TLS handshake is ~50x slower, so late binding (which "
            "needs a first connection ready within 25 ms) never engages: both builds open "
            "-j connections, and the counts compare like with like."]
    return out


def log_count(count: Count) -> None:
    log(f"bench: w{count.workload.number} callgrind {count.tool_key:10} "
        f"{count.instructions:,} instructions, {count.per_url:,.0f} per URL")
