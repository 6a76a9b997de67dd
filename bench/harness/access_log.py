"""nginx's access log, read per timed run: how many connections carried the run's requests,
and in which HTTP version.

nginx logs one short line per request, `SERIAL PROTOCOL` (the connection's serial number,
`$connection`, which every stream of an HTTP/2 connection shares; and `$server_protocol`,
HTTP/1.1 or HTTP/2.0). The runner's own stub_status requests before and after each run log
`SERIAL mark N` lines with a number it chose: the run's requests are the lines between its
two marks, wherever the file was when the run started and whatever else (a correctness run,
a straggler) was logged before the first mark.

nginx logs a request when it finishes, into a buffer it writes out within FLUSH_MS, so the
closing mark appears shortly after the run; every line of the run comes before it (one worker
logs in order). Once a run is read and nothing follows its closing mark, the file is emptied:
nginx opens it with O_APPEND, so its next line lands at the new end, and the log never holds
more than one run (a 100 000-URL run is about 1.6 MB).
"""

from __future__ import annotations

import collections
import dataclasses
import os
import time
from pathlib import Path

TRAFFIC_FORMAT = "$connection $server_protocol"
MARK_FORMAT = "$connection mark $arg_mark"
# Buffered: a write() per request would cost nginx a few per cent of its CPU per request,
# and nginx is half the machine's load in the small-URL workloads. The flush interval bounds
# how long a run's closing mark takes to appear.
FLUSH_MS = 20
BUFFER = f"buffer=64k flush={FLUSH_MS}ms"


@dataclasses.dataclass(frozen=True)
class LoggedRun:
    """What nginx logged between a run's two marks."""
    requests: int
    connections: int            # distinct serials: connections that carried at least 1 request
    protocols: dict[str, int]   # requests by protocol, as nginx names it ("HTTP/2.0")


def summarize(lines: list[bytes]) -> LoggedRun:
    serials = set()
    protocols: collections.Counter[str] = collections.Counter()
    for line in lines:
        serial, _, protocol = line.partition(b" ")
        serials.add(serial)
        protocols[protocol.decode(errors="replace")] += 1
    return LoggedRun(len(lines), len(serials), dict(protocols))


class AccessLog:
    def __init__(self, path: Path):
        self.path = path
        self.offset = 0  # where the lines not yet read start

    def directive(self, log_format: str) -> str:
        """The access_log line of a server block logging to this file."""
        return f"access_log {self.path} {log_format} {BUFFER};"

    def read_run(self, first_mark: int, last_mark: int, timeout_s: float = 2.0
                 ) -> LoggedRun | None:
        """The requests logged between the two marks, once the last one has been written (None
        when it does not appear within timeout_s, or the first one is not there)."""
        deadline = time.monotonic() + timeout_s
        opening, closing = b" mark %d" % first_mark, b" mark %d" % last_mark
        while True:
            lines = self._unread_lines()
            ends = [i for i, line in enumerate(lines) if line.endswith(closing)]
            if ends:
                break
            if time.monotonic() > deadline:
                return None
            time.sleep(0.005)
        end = ends[0]
        starts = [i for i, line in enumerate(lines[:end]) if line.endswith(opening)]
        self.offset += sum(len(line) + 1 for line in lines[:end + 1])
        self._empty_if_all_read()
        if not starts:
            return None
        return summarize(lines[starts[-1] + 1:end])

    def _unread_lines(self) -> list[bytes]:
        """The complete lines after self.offset (a line being written is left for later)."""
        try:
            with open(self.path, "rb") as log:
                log.seek(self.offset)
                data = log.read()
        except OSError:
            return []
        return data[:data.rfind(b"\n") + 1].split(b"\n")[:-1]

    def _empty_if_all_read(self) -> None:
        try:
            if os.path.getsize(self.path) == self.offset:
                os.truncate(self.path, 0)
                self.offset = 0
        except OSError:
            pass
