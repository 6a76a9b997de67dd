#!/usr/bin/python3
"""A TCP relay on loopback that behaves like a WAN access link (this kernel has no netem).

    wan_proxy.py --target 127.0.0.1:PORT [--rtt-ms 40] [--down-mbit 50] [--up-mbit 0]
    wan_proxy.py --self-test [--rtt-ms 40] [--down-mbit 50]

Listens on a free loopback port and relays every accepted connection to the target. Prints
its port alone on the first line of standard output and `stats PORT` on the second, then
runs until killed. GET http://127.0.0.1:STATS/ answers one JSON object:
{"up_bytes", "down_bytes", "accepted", "active", "failed", "rtt_ms", "down_mbit", "up_mbit"}
(bytes counted as they enter the link, since start; `active` is the connections open now).

The model, per direction (up: client to target, down: target to client):
- one link shared by every connection, as one access link: a FIFO that carries `rate` bits
  per second (serialization; 0 = unlimited), then half the round trip of propagation. A
  piece read at time t leaves the link at max(t, link free) + bytes / rate and is written
  to the other side rtt/2 later. Reads are cut into pieces of at most 16 KiB, so a long
  read is delivered progressively, like packets, and many pieces are in flight at once;
- the TCP handshake that the local accept hides: the client's first bytes enter the link
  one round trip after its connect (when its SYN-ACK would have come), the target's first
  bytes 1.5 round trips after it (when the client's ACK would have reached it). A request
  sent at once after connect thus reaches the target 1.5 RTT later and its response's first
  byte arrives 2 RTT after the connect, as over a real link;
- bytes stay in order; FIN (half-close) travels behind the data, after rtt/2; when both
  directions have closed, both sockets are closed;
- each connection holds at most --window-kib of read-but-undelivered bytes per direction
  (4 MiB, about a TCP window); beyond that, and while the receiving socket is full, the
  relay stops reading from the sender.
Not modelled: TCP slow start and loss (the kernel's own TCP on loopback does neither), packet
headers (rates and counters are payload bytes), and the kernel's RTT estimate (tcpi_rtt)
seen by the client, which stays that of loopback.

Python 3 standard library only. Listens and connects on loopback addresses only.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import ipaddress
import json
import resource
import sys

PIECE = 16 * 1024  # the largest unit the link carries at once (one TLS record)


def loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Link:
    """One direction of the access link, shared by all connections: serialization at `rate`
    bytes per second (None: unlimited) in arrival order, then `delay` seconds of propagation."""

    def __init__(self, rate: float | None, delay: float):
        self.rate = rate
        self.delay = delay
        self.free_at = 0.0  # when the link has sent everything given to it so far
        self.bytes = 0      # every byte given to it

    def send(self, now: float, size: int) -> float:
        """When `size` bytes entering now arrive at the far end."""
        self.bytes += size
        if self.rate is None:
            return now + self.delay
        self.free_at = max(now, self.free_at) + size / self.rate
        return self.free_at + self.delay


class Pipe:
    """One direction of one connection: bytes read from `src`, through the link, written to
    `dst` in order, each piece when the link has carried it. None in the stream is the FIN."""

    def __init__(self, relay: Relay, link: Link, ready_at: float, on_done):
        self.loop = relay.loop
        self.link = link
        self.window = relay.window
        self.ready_at = ready_at      # nothing enters the link before (the TCP handshake)
        self.on_done = on_done
        self.src: asyncio.Transport | None = None
        self.dst: asyncio.Transport | None = None
        self.queue: collections.deque = collections.deque()  # (due, piece or None)
        self.held: list = []          # read before ready_at
        self.queued = 0               # bytes read and not yet written
        self.timer: asyncio.TimerHandle | None = None
        self.release: asyncio.TimerHandle | None = None
        self.pauses: set[str] = set()  # why src is not being read: "window", "dst"
        self.fin_read = False
        self.done = False             # FIN written, or dst gone

    # Reading side.
    def feed(self, data) -> None:
        if self.done or self.fin_read:
            return
        if data is None:
            self.fin_read = True
        else:
            self.queued += len(data)
            if self.queued > self.window:
                self.pause("window")
        now = self.loop.time()
        if self.held or now < self.ready_at:
            self.held.append(data)
            if self.release is None:
                self.release = self.loop.call_at(self.ready_at, self._release)
        else:
            self._enter(now, data)

    def _release(self) -> None:
        self.release = None
        held, self.held = self.held, []
        for data in held:
            self._enter(self.ready_at, data)

    def _enter(self, now: float, data) -> None:
        if data is None:
            last = self.queue[-1][0] if self.queue else 0.0
            self.queue.append((max(now + self.link.delay, last), None))
        else:
            view = memoryview(data)
            for start in range(0, len(view), PIECE):
                piece = view[start:start + PIECE]
                self.queue.append((self.link.send(now, len(piece)), piece))
        if self.timer is None and self.dst is not None:
            self._schedule()

    def pause(self, why: str) -> None:
        if not self.pauses and self.src is not None and not self.src.is_closing():
            self.src.pause_reading()
        self.pauses.add(why)

    def resume(self, why: str) -> None:
        self.pauses.discard(why)
        if not self.pauses and self.src is not None and not self.src.is_closing():
            self.src.resume_reading()

    # Writing side.
    def attach(self, dst: asyncio.Transport) -> None:
        self.dst = dst
        if self.queue and self.timer is None:
            self._schedule()

    def _schedule(self) -> None:
        self.timer = self.loop.call_at(self.queue[0][0], self._deliver)

    def _deliver(self) -> None:
        self.timer = None
        now = self.loop.time()
        pieces, size, fin = [], 0, False
        while self.queue and self.queue[0][0] <= now:
            piece = self.queue.popleft()[1]
            if piece is None:
                fin = True
                break
            pieces.append(piece)
            size += len(piece)
        if pieces and not self.dst.is_closing():
            self.dst.write(pieces[0] if len(pieces) == 1 else b"".join(pieces))
        self.queued -= size
        if "window" in self.pauses and self.queued <= self.window // 2:
            self.resume("window")
        if fin:
            if not self.dst.is_closing() and self.dst.can_write_eof():
                try:
                    self.dst.write_eof()
                except OSError:  # the peer is already gone (reset): nothing left to close
                    pass
            self._finish()
        elif self.queue:
            self._schedule()

    def abandon(self) -> None:
        """dst is gone: drop what is still to be written."""
        self.queue.clear()
        self.held.clear()
        self._finish()

    def _finish(self) -> None:
        for handle in (self.timer, self.release):
            if handle is not None:
                handle.cancel()
        self.timer = self.release = None
        if not self.done:
            self.done = True
            self.on_done()


class Session:
    """One relayed connection: the client's transport, the target's, and a pipe each way."""

    def __init__(self, relay: Relay, client: asyncio.Transport):
        self.relay = relay
        self.client = client
        self.server: asyncio.Transport | None = None
        now = relay.loop.time()
        self.up = Pipe(relay, relay.up, now + relay.rtt, self._pipe_done)
        self.down = Pipe(relay, relay.down, now + 1.5 * relay.rtt, self._pipe_done)
        self.up.src = client
        self.down.dst = client
        self.closed = False
        relay.accepted += 1
        relay.active += 1
        relay.loop.create_task(self._connect())

    async def _connect(self) -> None:
        try:
            await self.relay.loop.create_connection(lambda: ServerSide(self), *self.relay.target)
        except OSError:
            self.relay.failed += 1
            self.close()

    def server_made(self, transport: asyncio.Transport) -> None:
        if self.closed:
            transport.close()
            return
        self.server = transport
        self.down.src = transport
        self.up.attach(transport)

    def lost(self, side: asyncio.Transport) -> None:
        """A socket closed under us (reset, or written to after the peer closed)."""
        into, out_of = (self.down, self.up) if side is self.client else (self.up, self.down)
        into.abandon()
        out_of.feed(None)

    def _pipe_done(self) -> None:
        if self.up.done and self.down.done:
            self.close()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.relay.active -= 1
        for pipe in (self.up, self.down):
            if not pipe.done:
                pipe.abandon()
        for transport in (self.client, self.server):
            if transport is not None:
                transport.close()


class ClientSide(asyncio.Protocol):
    def __init__(self, relay: Relay):
        self.relay = relay
        self.session: Session | None = None

    def connection_made(self, transport) -> None:
        self.session = Session(self.relay, transport)

    def data_received(self, data: bytes) -> None:
        self.session.up.feed(data)

    def eof_received(self) -> bool:
        self.session.up.feed(None)
        return True  # keep writing: a half-close

    def connection_lost(self, exc) -> None:
        if not self.session.closed:
            self.session.lost(self.session.client)

    def pause_writing(self) -> None:
        self.session.down.pause("dst")

    def resume_writing(self) -> None:
        self.session.down.resume("dst")


class ServerSide(asyncio.Protocol):
    def __init__(self, session: Session):
        self.session = session
        self.transport = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.session.server_made(transport)

    def data_received(self, data: bytes) -> None:
        self.session.down.feed(data)

    def eof_received(self) -> bool:
        self.session.down.feed(None)
        return True

    def connection_lost(self, exc) -> None:
        if not self.session.closed:
            self.session.lost(self.transport)

    def pause_writing(self) -> None:
        self.session.up.pause("dst")

    def resume_writing(self) -> None:
        self.session.up.resume("dst")


class Relay:
    def __init__(self, target: tuple[str, int], rtt_ms: float, down_mbit: float,
                 up_mbit: float, window_kib: int):
        self.loop = asyncio.get_running_loop()
        self.target = target
        self.rtt = rtt_ms / 1000
        self.settings = {"rtt_ms": rtt_ms, "down_mbit": down_mbit, "up_mbit": up_mbit}
        rate = lambda mbit: mbit * 1e6 / 8 if mbit > 0 else None  # noqa: E731
        self.up = Link(rate(up_mbit), self.rtt / 2)
        self.down = Link(rate(down_mbit), self.rtt / 2)
        self.window = window_kib * 1024
        self.accepted = self.active = self.failed = 0

    def stats(self) -> dict:
        return {"up_bytes": self.up.bytes, "down_bytes": self.down.bytes,
                "accepted": self.accepted, "active": self.active, "failed": self.failed,
                **self.settings}

    async def _stats_client(self, reader, writer) -> None:
        try:
            await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            body = json.dumps(self.stats()).encode() + b"\n"
            writer.write(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
            await writer.drain()
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                asyncio.TimeoutError):
            pass
        finally:
            writer.close()

    async def start(self, host: str) -> tuple[asyncio.Server, asyncio.Server]:
        relay = await self.loop.create_server(lambda: ClientSide(self), host, 0, backlog=4096)
        stats = await asyncio.start_server(self._stats_client, host, 0)
        return relay, stats


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def port_of(server: asyncio.Server) -> int:
    return server.sockets[0].getsockname()[1]


async def serve(args: argparse.Namespace) -> None:
    raise_fd_limit()
    relay = Relay(args.target, args.rtt_ms, args.down_mbit, args.up_mbit, args.window_kib)
    server, stats = await relay.start(args.listen)
    print(port_of(server), flush=True)
    print(f"stats {port_of(stats)}", flush=True)
    async with server, stats:
        await asyncio.gather(server.serve_forever(), stats.serve_forever())


def host_port(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not port.isdigit() or not loopback(host):
        raise argparse.ArgumentTypeError("want HOST:PORT with a loopback host, e.g. 127.0.0.1:8443")
    return host, int(port)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="wan_proxy.py", description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=host_port, metavar="HOST:PORT",
                        help="where to relay each connection (a loopback address)")
    parser.add_argument("--listen", default="127.0.0.1", metavar="HOST",
                        help="loopback address to listen on (default 127.0.0.1; port: a free one)")
    parser.add_argument("--rtt-ms", type=float, default=40.0, help="round-trip time (default 40)")
    parser.add_argument("--down-mbit", type=float, default=50.0,
                        help="target-to-client bandwidth, Mbit/s, shared by all connections "
                             "(default 50; 0 = unlimited)")
    parser.add_argument("--up-mbit", type=float, default=0.0,
                        help="client-to-target bandwidth, Mbit/s (default 0 = unlimited)")
    parser.add_argument("--window-kib", type=int, default=4096,
                        help="read-but-undelivered bytes per connection and direction before "
                             "the relay stops reading (default 4096)")
    parser.add_argument("--self-test", action="store_true",
                        help="check the timing model against a built-in server and exit")
    args = parser.parse_args(argv)
    if not loopback(args.listen):
        parser.error("--listen takes a loopback address")
    if min(args.rtt_ms, args.down_mbit, args.up_mbit) < 0 or args.window_kib < 64:
        parser.error("negative rates or RTT, or a window under 64 KiB")
    if not args.self_test and args.target is None:
        parser.error("--target HOST:PORT is required (or --self-test)")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.self_test:
        from wan_proxy_selftest import self_test  # beside this file
        return self_test(__file__, args.rtt_ms, args.down_mbit)
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
