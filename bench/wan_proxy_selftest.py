#!/usr/bin/python3
"""The self-test of wan_proxy.py (run by `wan_proxy.py --self-test`, or directly).

Starts the proxy as a child process in front of a small server of its own (send a line "N"
and it answers N bytes; at EOF it answers "bye" and closes), then checks with generous
bounds: a fresh connection's first response byte comes 2 RTT after connect (1 for the
handshake the local accept hides, 1 for the request), a reused connection's after 1 RTT,
one download runs at the link's rate, two at once share it, a half-close travels both ways,
300 connections at once all get through, the counters match the bytes sent, and the relay's
CPU per second of full-rate transfer is reported. Python 3 standard library only.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


class Target:
    """The server behind the proxy: counts what it reads and writes."""

    def __init__(self):
        self.read = 0
        self.written = 0
        self.eofs = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        try:
            while line := await reader.readline():
                self.read += len(line)
                size = int(line)
                self._send(writer, b"x" * size)
                await writer.drain()
            self.eofs += 1
            self._send(writer, b"bye\n")
            await writer.drain()
        except (OSError, ValueError):
            pass
        finally:
            writer.close()

    def _send(self, writer, data: bytes) -> None:
        self.written += len(data)
        writer.write(data)


def cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name: str, ok: bool, detail: str) -> None:
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}", flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1


async def request(reader, writer, size: int, sent: list[int]) -> tuple[float, float]:
    """Asks for `size` bytes: (seconds to the first byte, seconds to the last)."""
    line = b"%d\n" % size
    sent[0] += len(line)
    start = time.perf_counter()
    writer.write(line)
    await reader.readexactly(1)
    first = time.perf_counter() - start
    await reader.readexactly(size - 1)
    return first, time.perf_counter() - start


async def stats(port: int) -> dict:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.0\r\n\r\n")
    data = await reader.read()
    writer.close()
    return json.loads(data.split(b"\r\n\r\n", 1)[1])


async def run(proxy_path: str, rtt_ms: float, down_mbit: float) -> int:
    target = Target()
    server = await asyncio.start_server(target.handle, "127.0.0.1", 0)
    target_port = server.sockets[0].getsockname()[1]
    proc = subprocess.Popen([sys.executable, proxy_path, "--target", f"127.0.0.1:{target_port}",
                             "--rtt-ms", str(rtt_ms), "--down-mbit", str(down_mbit)],
                            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        port = int(await asyncio.to_thread(proc.stdout.readline))
        stats_port = int((await asyncio.to_thread(proc.stdout.readline)).split()[1])
        return await checks(Checks(), target, proc.pid, port, stats_port, rtt_ms / 1000,
                            down_mbit * 1e6 / 8)
    finally:
        proc.kill()
        proc.wait()
        server.close()


async def checks(c: Checks, target: Target, pid: int, port: int, stats_port: int,
                 rtt: float, rate: float) -> int:
    slack = 0.025 + 0.1 * rtt  # scheduling on a busy machine; never below the model
    sent = [0]

    start = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    connect = time.perf_counter() - start
    first, _ = await request(reader, writer, 100, sent)
    first += connect
    c.check("fresh connection, first byte", 2 * rtt - 0.001 <= first <= 2 * rtt + slack,
            f"{first * 1000:.1f} ms, model {2 * rtt * 1000:.0f} ms (handshake + request)")
    first, _ = await request(reader, writer, 100, sent)
    c.check("reused connection, first byte", rtt - 0.001 <= first <= rtt + slack,
            f"{first * 1000:.1f} ms, model {rtt * 1000:.0f} ms")

    size = int(rate)  # one second at the link's rate
    cpu_before = cpu_s(pid)
    _, last = await request(reader, writer, size, sent)
    cpu = cpu_s(pid) - cpu_before
    got = size / (last - rtt)
    c.check("one download", 0.85 * rate <= got <= 1.05 * rate,
            f"{size:,} bytes in {last:.3f} s: {got * 8 / 1e6:.1f} Mbit/s of "
            f"{rate * 8 / 1e6:.0f}")
    print(f"     relay CPU: {cpu:.3f} s for {last:.3f} s at {got * 8 / 1e6:.1f} Mbit/s "
          f"({100 * cpu / last:.1f} % of one CPU)", flush=True)

    other = await asyncio.open_connection("127.0.0.1", port)
    await request(*other, 1, sent)
    start = time.perf_counter()
    await asyncio.gather(request(reader, writer, size // 2, sent),
                         request(*other, size // 2, sent))
    both = time.perf_counter() - start
    got = (size // 2 * 2) / (both - rtt)
    c.check("two downloads share the link", 0.85 * rate <= got <= 1.05 * rate,
            f"{size:,} bytes in {both:.3f} s: {got * 8 / 1e6:.1f} Mbit/s together")
    other[1].close()

    writer.write(b"10\n")
    sent[0] += 3
    writer.write_eof()
    start = time.perf_counter()
    rest = await asyncio.wait_for(reader.read(), 10 * rtt + 5)
    closed = time.perf_counter() - start
    c.check("half-close both ways", rest == b"x" * 10 + b"bye\n" and target.eofs >= 1,
            f"{len(rest)} bytes then EOF after {closed * 1000:.0f} ms, server saw "
            f"{target.eofs} EOF")
    writer.close()

    many = 300
    start = time.perf_counter()

    async def one() -> bool:
        r, w = await asyncio.open_connection("127.0.0.1", port)
        await request(r, w, 1000, sent)
        w.close()
        return True

    results = await asyncio.wait_for(asyncio.gather(*(one() for _ in range(many)),
                                                    return_exceptions=True), 30)
    took = time.perf_counter() - start
    done = sum(1 for r in results if r is True)
    c.check(f"{many} connections at once", done == many and
            took <= 2 * rtt + many * 1000 / rate + 2, f"{done} done in {took:.3f} s")

    deadline = time.monotonic() + 5
    counters = await stats(stats_port)
    while counters["active"] and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        counters = await stats(stats_port)
    c.check("counters", counters["down_bytes"] == target.written and
            counters["up_bytes"] == target.read == sent[0] and counters["active"] == 0,
            f"down {counters['down_bytes']:,} (server wrote {target.written:,}), up "
            f"{counters['up_bytes']:,} (client wrote {sent[0]:,}), {counters['accepted']} "
            f"accepted, {counters['active']} still open")
    print(f"{c.passed} passed, {c.failed} failed", flush=True)
    return 1 if c.failed else 0


def self_test(proxy_path: str, rtt_ms: float, down_mbit: float) -> int:
    if down_mbit <= 0 or rtt_ms <= 0:
        print("--self-test needs a round trip and a bandwidth above 0", file=sys.stderr)
        return 2
    print(f"wan_proxy self-test: {rtt_ms:g} ms RTT, {down_mbit:g} Mbit/s down", flush=True)
    return asyncio.run(run(proxy_path, rtt_ms, down_mbit))


if __name__ == "__main__":
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wan_proxy.py")
    sys.exit(self_test(here, float(sys.argv[1]) if len(sys.argv) > 1 else 40.0,
                       float(sys.argv[2]) if len(sys.argv) > 2 else 50.0))
