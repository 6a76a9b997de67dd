"""The WAN proxy (bench/wan_proxy.py) in front of nginx for workloads 6 to 8: starting it,
reading its byte counters, waiting for it to go idle, and stopping it by PID."""

from __future__ import annotations

import dataclasses
import json
import socket
import subprocess
import threading
import time
from pathlib import Path

from harness.common import BENCH_DIR, DEBIAN_PYTHON, BenchError, tail

PROXY = BENCH_DIR / "wan_proxy.py"


@dataclasses.dataclass(frozen=True)
class WanLink:
    """The link the proxy simulates."""
    rtt_ms: float
    down_mbit: float
    up_mbit: float = 0.0  # 0: unlimited

    @property
    def rtt_s(self) -> float:
        return self.rtt_ms / 1000

    @property
    def down_bytes_per_s(self) -> float:
        return self.down_mbit * 1e6 / 8

    def describe(self) -> str:
        up = f"{self.up_mbit:g} Mbit/s up" if self.up_mbit > 0 else "unlimited up"
        return f"{self.rtt_ms:g} ms RTT, {self.down_mbit:g} Mbit/s down, {up}"


@dataclasses.dataclass(frozen=True)
class Counters:
    down_bytes: int
    up_bytes: int
    accepted: int
    active: int


class WanProxy:
    def __init__(self, link: WanLink, directory: Path):
        self.link = link
        self.dir = directory
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.stats_port = 0

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def start(self, target_port: int) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        stderr = self.dir / "proxy.err"
        argv = [DEBIAN_PYTHON, str(PROXY), "--target", f"127.0.0.1:{target_port}",
                "--rtt-ms", f"{self.link.rtt_ms:g}", "--down-mbit", f"{self.link.down_mbit:g}",
                "--up-mbit", f"{self.link.up_mbit:g}"]
        with open(stderr, "wb") as err:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=err, start_new_session=True)
        lines: list[bytes] = []
        reader = threading.Thread(target=lambda: lines.extend(
            [self.proc.stdout.readline(), self.proc.stdout.readline()]), daemon=True)
        reader.start()
        reader.join(10)
        try:
            self.port = int(lines[0])
            self.stats_port = int(lines[1].split()[1])
        except (IndexError, ValueError):
            self.stop()
            raise BenchError(f"the WAN proxy did not start ({' '.join(argv)}):\n"
                             f"{tail(stderr)}") from None

    def counters(self) -> Counters | None:
        try:
            with socket.create_connection(("127.0.0.1", self.stats_port), timeout=5) as conn:
                conn.sendall(b"GET / HTTP/1.0\r\n\r\n")
                data = b""
                while chunk := conn.recv(4096):
                    data += chunk
            found = json.loads(data.split(b"\r\n\r\n", 1)[1])
            return Counters(found["down_bytes"], found["up_bytes"], found["accepted"],
                            found["active"])
        except (OSError, ValueError, KeyError, IndexError):
            return None

    def idle_counters(self, timeout_s: float = 5.0) -> Counters | None:
        """The counters once every relayed connection has closed (a finished client's last
        closes cross the link rtt/2 each way), or as they are after timeout_s."""
        deadline = time.monotonic() + timeout_s
        counters = self.counters()
        while counters and counters.active and time.monotonic() < deadline:
            time.sleep(0.01)
            counters = self.counters()
        return counters

    def stop(self) -> None:
        """Kills the proxy by its PID (the one this runner started) and reaps it."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
        self.proc = None
