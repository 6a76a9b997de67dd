#!/usr/bin/python3
"""An HTTP/2 server that breaks the protocol on purpose, one URL path per misbehaviour.

    h2_server.py [--host 127.0.0.1] [--tls-cert FILE --tls-key FILE] [--alpn LIST] [--h2c]
                 [--mode MODE] [--max-concurrent-streams N] [--window N]
                 [--window-update-delay SECS]

Built on python3-h2 (Debian's), which keeps the connection's state, HPACK tables and flow
control; where a path must do what h2's state machine refuses, it writes raw frames
(9-byte header: 24-bit length, type, flags, 31-bit stream id) between h2's own, and those
paths are marked [raw] below.

Binds port 0 on --host and prints, one per line on stdout:
  1. the HTTP/2 port: TLS with ALPN "h2" when --tls-cert/--tls-key are given (the cert file
     may hold a chain: leaf first), else h2c with prior knowledge on plain TCP;
  2. the control port: plain HTTP/1.1, for the tests' queries (below);
  3. with --h2c beside TLS only: a second HTTP/2 port speaking h2c with prior knowledge.
then serves until killed.

A TLS connection that did not negotiate "h2" (a client that offered no ALPN, or only
http/1.1) and an h2c connection that does not open with the HTTP/2 preface are answered over
HTTP/1.1 instead: every request gets 200 "http/1.1\\n" whatever its path, with keep-alive
unless it asked for "Connection: close" (so a client that obeys HTTP_1_1_REQUIRED can be seen
retrying over HTTP/1.1).

Options:
  --alpn LIST                  the protocols the server accepts, comma-separated; default "h2"
  --mode MODE                  a connection-level behaviour applied to every connection right
                               after the client's preface, before any request: one of
                               stop-reading, settings-flood, ping-flood (as the paths of those
                               names, but before the first request; the floods then serve
                               normally)
  --max-concurrent-streams N   SETTINGS_MAX_CONCURRENT_STREAMS (default 100); a client that
                               opens more at once commits a protocol error: the connection is
                               closed with GOAWAY PROTOCOL_ERROR
  --window N                   SETTINGS_INITIAL_WINDOW_SIZE the server advertises (default
                               65535, 1 at least): what a client may send per stream before
                               a WINDOW_UPDATE; the connection window stays 65535
                               These two go in a second SETTINGS frame: until the client ACKs
                               it, h2 holds it to the defaults (RFC 9113 6.5.3).
  --window-update-delay SECS   wait this long after receiving DATA before handing the window
                               back with WINDOW_UPDATE (default 0)

Control port (HTTP/1.1, one request per connection, nothing logged or counted):
  /stats      a JSON object: connections (TCP or TLS connections accepted on the HTTP/2
              ports, TLS handshake complete), h2_connections (those that spoke HTTP/2),
              h1_connections (those answered over HTTP/1.1), streams (requests received on
              all connections), max_concurrent_streams (the most streams the client had open
              at once on one connection, as h2 counts them when a request arrives),
              rst_stream_received, goaway_received, ping_received, settings_received (not
              counting ACKs), window_update_received, data_bytes_received (request bodies)
  /requests   every request received so far, one JSON object per line: {"connection": N
              (1 for the first accepted), "stream": ID, "protocol": "h2" | "h2c" |
              "http/1.1", "method", "path", "headers": [[name, value], ...] as they arrived,
              pseudo-headers included}
  /reset      zeroes the counters and empties the request log

Paths of the HTTP/2 ports (the query string is ignored unless said). Those under "Streams"
act on the request's own stream; those under "Connection" on the whole connection that carries
the request, its other streams included (and --mode does the same for some of them before any
request).
Well-behaved:
  /ok                    200, content-length: 3, "ok\\n"
  /size/N                200, content-length: N, N bytes of "x", sent as the client's stream
                         and connection windows allow: beyond them only as its WINDOW_UPDATEs
                         arrive (a client that never sends one stalls at its window)
  /delay/MS              200 "ok\\n" after MS milliseconds (a stream that stays open a while)
  /status/N              status N, body "status N\\n"
  /redirect?to=URL[&status=N]  302 (or N) with location: URL (percent-decoded), empty body
  /upload                reads the request body, then 200 "N\\n" (N: bytes received); with
                         --window and --window-update-delay, a client must keep to a small,
                         slowly refilled window to send it
  /interim-then-ok       103 (with a link header), then 200 "final\\n"
  /interims-then-ok      100, 102 and 103, then 200 "final\\n"
  /trailers              200, body "hello trailers\\n", then a trailer block (x-checksum,
                         x-status) that carries END_STREAM
  /unknown-frame         [raw] a frame of unknown type 0xfa on stream 0 and one on this
                         stream, then as /ok (RFC 9113 5.5: clients must ignore them)
  /never                 no response at all: the stream stays open until the client resets it
  /stall                 headers (content-length: 100) and 10 bytes, then nothing
Anything else: 404, body "not found\\n".
Streams:
  /refused-stream        RST_STREAM REFUSED_STREAM before any headers, every time
  /rst-before-headers    RST_STREAM INTERNAL_ERROR before any headers
  /rst-mid-body          content-length: 100000, 1000 bytes, then RST_STREAM INTERNAL_ERROR
  /cancel-mid-body       the same with CANCEL
  /http11-required-rst   RST_STREAM HTTP_1_1_REQUIRED before any headers
  /data-past-content-length  content-length: 5, then "hello and more\\n" (15 bytes) with
                         END_STREAM
  /end-stream-before-content-length  content-length: 1000, 10 bytes with END_STREAM
  /no-status             [raw] a response header block without :status, then "ok\\n"
  /connection-header     [raw] a 200 carrying "connection: keep-alive" (forbidden in HTTP/2,
                         RFC 9113 8.2.2), then "ok\\n"
  /huge-headers          200 "ok\\n" with 128 headers of 1000 bytes (128 KB decoded, ~98 KB
                         encoded: a HEADERS frame and CONTINUATION frames)
  /huge-header           200 "ok\\n" with one header of 100 KiB (h2 takes ~0.6 s to encode it)
  /hpack-bomb[?n=N]      200 "ok\\n" whose header block is ~19 KB and decodes to ~64 MB: one
                         4000-byte header inserted into the dynamic table, then N (16000)
                         one-byte references to it (h2's own encoder does this)
  /window-overrun        [raw] DATA frames regardless of flow control: content-length and body
                         one byte more than the window the client had granted; a client that
                         refills its window as data arrives may never see the excess, one
                         whose stream window is below the frame size (16 KiB) always does
  /oversized-frame       [raw] one DATA frame one byte larger than the client's
                         SETTINGS_MAX_FRAME_SIZE (FRAME_SIZE_ERROR)
  /empty-data-flood[?n=N]  [raw] 200 without content-length, N (100000) empty DATA frames,
                         then "ok\\n" with END_STREAM
  /data-after-end-stream [raw] as /ok, then a DATA frame on the same, now closed, stream
  /push-promise          when the client disabled push (SETTINGS_ENABLE_PUSH 0): [raw]
                         PUSH_PROMISE anyway (promised stream 2), then as /ok; when it allows
                         push, a real push of /pushed ("pushed\\n") before the /ok response
Connection:
  /goaway-mid-stream     [raw GOAWAY] content-length: 1000, 500 bytes, 200 ms for the client's
                         other requests to arrive, GOAWAY NO_ERROR with last_stream_id = this
                         stream, the other 500 bytes; streams below it are finished as usual,
                         streams above it (open or new) are never answered any further; then
                         the connection closes. Put only slow paths (/delay/1000) beside it to
                         see them abandoned.
  /goaway-unprocessed    [raw GOAWAY] GOAWAY NO_ERROR with last_stream_id below this stream
                         (which is so never processed: safe to retry elsewhere), other streams
                         as above, then the connection closes
  /http11-required-goaway  the same with HTTP_1_1_REQUIRED
  /close-with-streams-open  content-length: 1000, 100 bytes, 200 ms, then the connection
                         closes (TLS close_notify and FIN) without GOAWAY, every stream open
  /settings-flood[?n=N]  [raw] N (10000) empty SETTINGS frames, each of which the client must
                         ACK, then as /ok
  /ping-flood[?n=N]      [raw] N (10000) PINGs, each of which the client must answer, then as /ok
  /endless-continuation  [raw] HEADERS without END_HEADERS, then CONTINUATION frames of new
                         literal headers as fast as the client reads, never END_HEADERS, until
                         it hangs up (or for 60 s); nothing else is sent on the connection
                         meanwhile
  /data-on-idle-stream   [raw] DATA on stream 2^31-1, never opened, then as /ok
  /headers-on-even-stream  [raw] HEADERS (:status 200, END_STREAM) on stream 2, which no
                         PUSH_PROMISE reserved, then as /ok
  /data-on-stream-zero   [raw] a DATA frame on stream 0, then as /ok
  /stop-reading          no response, and the server never reads from this connection again,
                         nor writes to it: the client's frames pile up in the TCP buffers
"""

import argparse
import asyncio
import json
import ssl
import struct
import sys
import traceback
import urllib.parse

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DEFAULT_WINDOW = 65535
MAX_HTTP1_HEAD = 64 * 1024

# Frame types, flags and error codes of RFC 9113, for the raw frames.
DATA, HEADERS, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, CONTINUATION = (
    0x0, 0x1, 0x3, 0x4, 0x5, 0x6, 0x7, 0x9)
UNKNOWN_TYPE = 0xFA
END_STREAM = 0x1
END_HEADERS = 0x4
NO_ERROR = h2.errors.ErrorCodes.NO_ERROR
HTTP_1_1_REQUIRED = h2.errors.ErrorCodes.HTTP_1_1_REQUIRED

STAT_NAMES = ("connections", "h2_connections", "h1_connections", "streams",
              "max_concurrent_streams", "rst_stream_received", "goaway_received",
              "ping_received", "settings_received", "window_update_received",
              "data_bytes_received")
stats = dict.fromkeys(STAT_NAMES, 0)
request_log = []  # one dict per request, as /requests shows them
connection_count = 0  # numbers connections for the log; /reset does not rewind it
args = None


held_tasks = set()  # tasks parked for good: referenced, so that they are never collected


async def hold_forever():
    """Parks the calling task until it is cancelled (its stream reset, its connection gone)
    or the server is killed."""
    task = asyncio.current_task()
    held_tasks.add(task)
    try:
        await asyncio.Future()
    finally:
        held_tasks.discard(task)


def frame(kind, flags, stream_id, payload=b""):
    """One raw frame: the 9-byte header, then the payload."""
    return (struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) +
            struct.pack(">I", stream_id & 0x7FFFFFFF) + payload)


def goaway_frame(last_stream_id, error_code):
    return frame(GOAWAY, 0, 0, struct.pack(">II", last_stream_id, error_code))


def hpack_int(value, prefix_bits, first_byte=0):
    """An HPACK integer (RFC 7541 5.1) whose first byte keeps the bits of first_byte."""
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first_byte | value])
    out = bytearray([first_byte | limit])
    value -= limit
    while value >= 128:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def hpack_string(text):
    return hpack_int(len(text), 7) + text  # no Huffman


def hpack_literal(name, value):
    """A literal header field without indexing, new name: leaves the dynamic table alone,
    so that h2's encoder and the client's decoder stay in step around raw blocks."""
    return b"\x00" + hpack_string(name) + hpack_string(value)


def hpack_literal_indexed_name(index, value):
    """A literal without indexing whose name is static-table entry `index` (< 15)."""
    return bytes([index]) + hpack_string(value)


HPACK_STATUS_200 = b"\x88"  # static table entry 8, ":status: 200"


def header_block_frames(kind, stream_id, block, flags, max_frame, prefix=b""):
    """HEADERS (or PUSH_PROMISE, whose payload starts with `prefix`) carrying `block`, split
    into CONTINUATION frames of at most max_frame bytes; END_HEADERS on the last."""
    first = prefix + block[:max_frame - len(prefix)]
    rest = block[max_frame - len(prefix):]
    pieces = [rest[i:i + max_frame] for i in range(0, len(rest), max_frame)]
    out = [frame(kind, flags | (0 if pieces else END_HEADERS), stream_id, first)]
    for n, piece in enumerate(pieces):
        out.append(frame(CONTINUATION, END_HEADERS if n == len(pieces) - 1 else 0, stream_id,
                         piece))
    return b"".join(out)


def query_int(query, name, default):
    try:
        return int(urllib.parse.parse_qs(query).get(name, [default])[0])
    except ValueError:
        return default


class Request:
    def __init__(self, headers):
        self.headers = headers  # [(bytes, bytes)] as received
        fields = dict(headers)
        self.method = fields.get(b":method", b"").decode("latin-1")
        self.authority = fields.get(b":authority", b"").decode("latin-1")
        target = fields.get(b":path", b"").decode("latin-1")
        self.path, _, self.query = target.partition("?")
        self.body = bytearray()
        self.ended = asyncio.Event()  # the client sent END_STREAM


class Connection:
    """One HTTP/2 connection: h2's state machine, the read loop, one task per stream."""

    def __init__(self, reader, writer, number, protocol):
        self.reader = reader
        self.writer = writer
        self.number = number
        self.protocol = protocol  # "h2" or "h2c"
        self.h2 = h2.connection.H2Connection(h2.config.H2Configuration(
            client_side=False, header_encoding=None))
        self.requests = {}  # stream id -> Request
        self.tasks = {}  # stream id -> the task answering it
        self.window_waiters = []  # events set when a flow-control window may have grown
        self.stream_waiters = []  # events set when a stream's task ends
        self.frozen = False  # raw frames own the connection: h2's output is dropped
        self.reading = True
        self.last_stream_id = None  # after our GOAWAY: streams above it are ignored

    # --- output ----------------------------------------------------------------------------

    def closing(self):
        return self.writer.transport.is_closing()

    def send(self):
        """Writes what h2 has queued (unless raw frames own the connection)."""
        data = self.h2.data_to_send()
        if data and not self.frozen and not self.closing():
            self.writer.write(data)

    def send_raw(self, data):
        """Writes raw frames after whatever h2 had queued before them."""
        self.send()
        if not self.closing():
            self.writer.write(data)

    async def drain(self):
        self.send()
        if self.closing():
            raise ConnectionResetError("connection closed")
        await self.writer.drain()
        # drain() returns at once while the buffer is low, and a loop that never yields
        # would never let the event loop notice that the client has gone.
        await asyncio.sleep(0)

    def close(self):
        self.reading = False
        if not self.closing():
            self.writer.close()

    async def wait_window(self):
        event = asyncio.Event()
        self.window_waiters.append(event)
        await event.wait()

    def windows_changed(self):
        for event in self.window_waiters:
            event.set()
        self.window_waiters.clear()

    async def send_data(self, stream_id, data, end_stream=True):
        """Sends `data` as the stream's and the connection's windows allow."""
        view = memoryview(data)
        sent = 0
        while sent < len(data):
            n = min(self.h2.local_flow_control_window(stream_id), self.h2.max_outbound_frame_size,
                    len(data) - sent)
            if n <= 0:
                await self.wait_window()
                continue
            self.h2.send_data(stream_id, bytes(view[sent:sent + n]),
                              end_stream=end_stream and sent + n == len(data))
            sent += n
            await self.drain()
        if not data and end_stream:
            self.h2.end_stream(stream_id)
            await self.drain()

    async def respond(self, stream_id, status, body, headers=()):
        self.h2.send_headers(stream_id, [(":status", str(status)),
                                         ("content-length", str(len(body))),
                                         ("content-type", "text/plain"), *headers])
        await self.send_data(stream_id, body)

    def forget_stream(self, stream_id):
        """For a stream answered by raw frames: h2 marks it reset, so that it stops counting
        as open and ignores the client's late frames for it; the RST_STREAM is not sent."""
        self.send()
        try:
            self.h2.reset_stream(stream_id, h2.errors.ErrorCodes.CANCEL)
        except h2.exceptions.StreamClosedError:
            pass
        self.h2.clear_outbound_data_buffer()

    # --- streams ---------------------------------------------------------------------------

    async def wait_for_streams(self, done, timeout):
        """Waits until done() is true, re-checked whenever a stream's task ends."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not done() and loop.time() < deadline:
            event = asyncio.Event()
            self.stream_waiters.append(event)
            try:
                await asyncio.wait_for(event.wait(), deadline - loop.time())
            except asyncio.TimeoutError:
                pass

    async def send_goaway(self, own_stream_id, last_stream_id, error_code):
        """GOAWAY, raw (h2 would refuse to send anything after its own); the streams above
        last_stream_id, but the caller's, are dropped, and new ones will be ignored."""
        self.last_stream_id = last_stream_id
        self.send_raw(goaway_frame(last_stream_id, error_code))
        for stream_id, task in list(self.tasks.items()):
            if stream_id > last_stream_id and stream_id != own_stream_id:
                task.cancel()
        await self.drain()

    async def close_when_streams_done(self, own_stream_id):
        """After send_goaway: closes once the streams up to its last_stream_id are answered
        (or after 30 s)."""
        await self.wait_for_streams(
            lambda: all(s == own_stream_id for s in self.tasks if s <= self.last_stream_id), 30)
        await self.drain()
        self.close()

    def start_stream(self, stream_id, request):
        handler = route(request.path)
        task = asyncio.create_task(self.run_stream(stream_id, request, handler))
        self.tasks[stream_id] = task

    async def run_stream(self, stream_id, request, handler):
        try:
            await handler(self, stream_id, request)
            await self.drain()
        except (asyncio.CancelledError, ConnectionError, ssl.SSLError, OSError,
                h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
            pass
        except Exception:  # a bug in a handler: say so, keep serving
            traceback.print_exc()
        finally:
            self.tasks.pop(stream_id, None)
            self.requests.pop(stream_id, None)
            for event in self.stream_waiters:
                event.set()
            self.stream_waiters.clear()

    # --- input -----------------------------------------------------------------------------

    def handle(self, event):
        if isinstance(event, h2.events.RequestReceived):
            stats["streams"] += 1
            stats["max_concurrent_streams"] = max(stats["max_concurrent_streams"],
                                                  self.h2.open_inbound_streams)
            request = Request(event.headers)
            request_log.append({
                "connection": self.number, "stream": event.stream_id, "protocol": self.protocol,
                "method": request.method, "path": request.path + (
                    "?" + request.query if request.query else ""),
                "headers": [[n.decode("latin-1"), v.decode("latin-1")] for n, v in event.headers],
            })
            if self.last_stream_id is not None and event.stream_id > self.last_stream_id:
                return  # after our GOAWAY: never processed
            self.requests[event.stream_id] = request
            if event.stream_ended:
                request.ended.set()
            self.start_stream(event.stream_id, request)
        elif isinstance(event, h2.events.DataReceived):
            stats["data_bytes_received"] += len(event.data)
            request = self.requests.get(event.stream_id)
            if request is not None:
                request.body += event.data
            self.hand_back_window(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            request = self.requests.get(event.stream_id)
            if request is not None:
                request.ended.set()
        elif isinstance(event, h2.events.StreamReset):
            if event.remote_reset:
                stats["rst_stream_received"] += 1
            task = self.tasks.get(event.stream_id)
            if task is not None:
                task.cancel()
        elif isinstance(event, h2.events.WindowUpdated):
            stats["window_update_received"] += 1
            self.windows_changed()
        elif isinstance(event, h2.events.RemoteSettingsChanged):
            stats["settings_received"] += 1
            self.windows_changed()
        elif isinstance(event, h2.events.PingReceived):
            stats["ping_received"] += 1
        elif isinstance(event, h2.events.ConnectionTerminated):
            stats["goaway_received"] += 1

    def hand_back_window(self, size, stream_id):
        def acknowledge():
            try:
                self.h2.acknowledge_received_data(size, stream_id)
            except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
                return
            self.send()
        if args.window_update_delay > 0:
            asyncio.get_running_loop().call_later(args.window_update_delay, acknowledge)
        elif size:
            acknowledge()

    def receive(self, data):
        """Feeds h2; False when the connection is over (h2 queued its GOAWAY)."""
        try:
            events = self.h2.receive_data(data)
        except h2.exceptions.ProtocolError:
            self.send()
            return False
        for event in events:
            self.handle(event)
        self.send()
        return not any(isinstance(e, h2.events.ConnectionTerminated) for e in events)

    async def read_preface(self, first_bytes):
        """Reads exactly the client's preface and its first SETTINGS frame (of which
        first_bytes, the preface or nothing, were read already)."""
        data = first_bytes + await self.reader.readexactly(len(PREFACE) + 9 - len(first_bytes))
        length = int.from_bytes(data[len(PREFACE):len(PREFACE) + 3], "big")
        return data + await self.reader.readexactly(length)

    async def run(self, first_bytes):
        stats["h2_connections"] += 1
        self.h2.initiate_connection()
        # Settings other than h2's defaults go in a second SETTINGS frame, through h2, so that
        # h2 holds the client to them only once it has ACKed them (RFC 9113 6.5.3): before,
        # the client may send as the defaults allow.
        changes = {}
        if args.max_concurrent_streams != self.h2.local_settings.max_concurrent_streams:
            changes[h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS] = args.max_concurrent_streams
        if args.window != self.h2.local_settings.initial_window_size:
            changes[h2.settings.SettingCodes.INITIAL_WINDOW_SIZE] = args.window
        if changes:
            self.h2.update_settings(changes)
        self.send()
        if args.mode:
            if not self.receive(await self.read_preface(first_bytes)):
                return
            first_bytes = b""
            await MODES[args.mode](self)
        if first_bytes and not self.receive(first_bytes):
            return
        while self.reading:
            data = await self.reader.read(65536)
            if not data or not self.reading:
                break
            if not self.receive(data):
                break
        if not self.reading and not self.closing():
            await hold_forever()  # /stop-reading: the connection stays until we are killed

    async def finish(self):
        for task in list(self.tasks.values()):
            task.cancel()
        if not self.closing():
            try:
                await self.writer.drain()
            except (ConnectionError, ssl.SSLError, OSError):
                pass
            self.writer.close()


# --- connection-level behaviours (paths and --mode) ----------------------------------------

async def do_stop_reading(c):
    c.reading = False
    c.writer.transport.pause_reading()


async def do_settings_flood(c, n=10000):
    c.send_raw(frame(SETTINGS, 0, 0) * n)
    await c.drain()


async def do_ping_flood(c, n=10000):
    c.send_raw(b"".join(frame(PING, 0, 0, struct.pack(">Q", i)) for i in range(n)))
    await c.drain()


MODES = {
    "stop-reading": do_stop_reading,
    "settings-flood": do_settings_flood,
    "ping-flood": do_ping_flood,
}


# --- handlers: (connection, stream id, request) ----------------------------------------------

async def ok(c, sid, req):
    await c.respond(sid, 200, b"ok\n")


async def size(c, sid, req):
    try:
        n = int(req.path.rsplit("/", 1)[1])
    except ValueError:
        return await not_found(c, sid, req)
    c.h2.send_headers(sid, [(":status", "200"), ("content-length", str(n)),
                            ("content-type", "application/octet-stream")])
    block = b"x" * 65536
    left = n
    while left > 65536:
        await c.send_data(sid, block, end_stream=False)
        left -= 65536
    await c.send_data(sid, block[:left])


async def delay(c, sid, req):
    try:
        ms = int(req.path.rsplit("/", 1)[1])
    except ValueError:
        return await not_found(c, sid, req)
    await asyncio.sleep(ms / 1000)
    await ok(c, sid, req)


async def status(c, sid, req):
    try:
        code = int(req.path.rsplit("/", 1)[1])
    except ValueError:
        return await not_found(c, sid, req)
    await c.respond(sid, code, b"status %d\n" % code)


async def redirect(c, sid, req):
    params = urllib.parse.parse_qs(req.query, keep_blank_values=True)
    location = params.get("to", [""])[0]
    code = query_int(req.query, "status", 302)
    await c.respond(sid, code, b"", [("location", location)])


async def upload(c, sid, req):
    await req.ended.wait()
    await c.respond(sid, 200, b"%d\n" % len(req.body))


async def interim_then_ok(c, sid, req):
    c.h2.send_headers(sid, [(":status", "103"), ("link", "</style.css>; rel=preload")])
    await c.respond(sid, 200, b"final\n")


async def interims_then_ok(c, sid, req):
    c.h2.send_headers(sid, [(":status", "100")])
    c.h2.send_headers(sid, [(":status", "102")])
    c.h2.send_headers(sid, [(":status", "103"), ("link", "</style.css>; rel=preload")])
    await c.respond(sid, 200, b"final\n")


async def trailers(c, sid, req):
    c.h2.send_headers(sid, [(":status", "200"), ("content-type", "text/plain"),
                            ("trailer", "x-checksum, x-status")])
    await c.send_data(sid, b"hello trailers\n", end_stream=False)
    c.h2.send_headers(sid, [("x-checksum", "d41d8cd9"), ("x-status", "done")], end_stream=True)


async def unknown_frame(c, sid, req):
    c.send_raw(frame(UNKNOWN_TYPE, 0, 0, b"ignore me") + frame(UNKNOWN_TYPE, 0xFF, sid, b"me too"))
    await ok(c, sid, req)


async def never(c, sid, req):
    await hold_forever()


async def stall(c, sid, req):
    c.h2.send_headers(sid, [(":status", "200"), ("content-length", "100")])
    await c.send_data(sid, b"s" * 10, end_stream=False)
    await hold_forever()


async def not_found(c, sid, req):
    await c.respond(sid, 404, b"not found\n")


# Streams.

async def refused_stream(c, sid, req):
    c.h2.reset_stream(sid, h2.errors.ErrorCodes.REFUSED_STREAM)


async def rst_before_headers(c, sid, req):
    c.h2.reset_stream(sid, h2.errors.ErrorCodes.INTERNAL_ERROR)


async def reset_mid_body(c, sid, code):
    c.h2.send_headers(sid, [(":status", "200"), ("content-length", "100000")])
    await c.send_data(sid, b"r" * 1000, end_stream=False)
    await asyncio.sleep(0.05)
    c.h2.reset_stream(sid, code)


async def rst_mid_body(c, sid, req):
    await reset_mid_body(c, sid, h2.errors.ErrorCodes.INTERNAL_ERROR)


async def cancel_mid_body(c, sid, req):
    await reset_mid_body(c, sid, h2.errors.ErrorCodes.CANCEL)


async def http11_required_rst(c, sid, req):
    c.h2.reset_stream(sid, HTTP_1_1_REQUIRED)


async def data_past_content_length(c, sid, req):
    c.h2.send_headers(sid, [(":status", "200"), ("content-length", "5")])
    await c.send_data(sid, b"hello and more\n")  # h2 checks lengths it receives, not these


async def end_stream_before_content_length(c, sid, req):
    c.h2.send_headers(sid, [(":status", "200"), ("content-length", "1000")])
    await c.send_data(sid, b"0123456789")


async def raw_response(c, sid, block, body):
    c.send_raw(header_block_frames(HEADERS, sid, block, 0, c.h2.max_outbound_frame_size) +
               frame(DATA, END_STREAM, sid, body))
    c.forget_stream(sid)


async def no_status(c, sid, req):
    await raw_response(c, sid, hpack_literal(b"content-type", b"text/plain") +
                       hpack_literal(b"content-length", b"3"), b"ok\n")


async def connection_header(c, sid, req):
    await raw_response(c, sid, HPACK_STATUS_200 + hpack_literal(b"connection", b"keep-alive") +
                       hpack_literal(b"content-length", b"3"), b"ok\n")


async def huge_headers(c, sid, req):
    await c.respond(sid, 200, b"ok\n", [(f"x-filler-{n}", "f" * 1000) for n in range(128)])


async def huge_header(c, sid, req):
    await c.respond(sid, 200, b"ok\n", [("x-huge", "h" * (100 * 1024))])


async def hpack_bomb(c, sid, req):
    # h2's own encoder: the first x-bomb is inserted into the dynamic table (4000 + 6 + 32
    # bytes of the 4096 the client allows by default), every later one is a one-byte
    # reference to it, and the encoder and the client's decoder stay in step.
    n = query_int(req.query, "n", 16000)
    await c.respond(sid, 200, b"ok\n", [("x-bomb", "b" * 4000)] * n)


async def window_overrun(c, sid, req):
    granted = c.h2.local_flow_control_window(sid)
    size = granted + 1
    c.h2.send_headers(sid, [(":status", "200"), ("content-length", str(size))])
    frame_size = c.h2.max_outbound_frame_size
    sent = 0
    while sent < size:
        n = min(frame_size, size - sent)
        c.send_raw(frame(DATA, END_STREAM if sent + n == size else 0, sid, b"w" * n))
        sent += n
        await c.drain()
    c.forget_stream(sid)


async def oversized_frame(c, sid, req):
    n = c.h2.max_outbound_frame_size + 1
    c.h2.send_headers(sid, [(":status", "200"), ("content-length", str(n))])
    c.send_raw(frame(DATA, END_STREAM, sid, b"o" * n))
    c.forget_stream(sid)


async def push_promise(c, sid, req):
    scheme = "https" if c.protocol == "h2" else "http"
    if c.h2.remote_settings.enable_push:
        promised = c.h2.get_next_available_stream_id()
        c.h2.push_stream(sid, promised, [(":method", "GET"), (":scheme", scheme),
                                         (":authority", req.authority), (":path", "/pushed")])
        await c.respond(promised, 200, b"pushed\n")
    else:
        block = (b"\x82" + (b"\x87" if scheme == "https" else b"\x86") +  # GET, the scheme
                 hpack_literal_indexed_name(4, b"/pushed") +  # :path
                 hpack_literal_indexed_name(1, req.authority.encode("latin-1")))  # :authority
        c.send_raw(header_block_frames(PUSH_PROMISE, sid, block, 0, c.h2.max_outbound_frame_size,
                                       prefix=struct.pack(">I", 2)))
    await ok(c, sid, req)


# Connection.

async def goaway_mid_stream(c, sid, req):
    c.h2.send_headers(sid, [(":status", "200"), ("content-length", "1000")])
    await c.send_data(sid, b"g" * 500, end_stream=False)
    await asyncio.sleep(0.2)
    await c.send_goaway(sid, sid, NO_ERROR)
    await c.send_data(sid, b"g" * 500)
    await c.close_when_streams_done(sid)


async def goaway_unprocessed(c, sid, req, code=NO_ERROR):
    await c.send_goaway(sid, max(sid - 2, 0), code)
    c.forget_stream(sid)
    await c.close_when_streams_done(sid)


async def http11_required_goaway(c, sid, req):
    await goaway_unprocessed(c, sid, req, HTTP_1_1_REQUIRED)


async def close_with_streams_open(c, sid, req):
    c.h2.send_headers(sid, [(":status", "200"), ("content-length", "1000")])
    await c.send_data(sid, b"c" * 100, end_stream=False)
    await asyncio.sleep(0.2)
    await c.drain()
    c.close()


async def settings_flood(c, sid, req):
    await do_settings_flood(c, query_int(req.query, "n", 10000))
    await ok(c, sid, req)


async def ping_flood(c, sid, req):
    await do_ping_flood(c, query_int(req.query, "n", 10000))
    await ok(c, sid, req)


async def empty_data_flood(c, sid, req):
    c.h2.send_headers(sid, [(":status", "200"), ("content-type", "text/plain")])
    left = query_int(req.query, "n", 100000)
    empty = frame(DATA, 0, sid)
    while left > 0:
        c.send_raw(empty * min(10000, left))
        left -= 10000
        await c.drain()
    await c.send_data(sid, b"ok\n")


async def endless_continuation(c, sid, req):
    c.send_raw(frame(HEADERS, 0, sid, HPACK_STATUS_200))
    c.frozen = True  # from here on no other frame may come between these
    batch = b"".join(hpack_literal(b"x-endless-%d" % n, b"yes") for n in range(500))
    piece = frame(CONTINUATION, 0, sid, batch[:c.h2.max_outbound_frame_size])
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while not c.closing() and loop.time() < deadline:
        c.writer.write(piece)
        await c.drain()
    c.close()


async def data_on_idle_stream(c, sid, req):
    c.send_raw(frame(DATA, END_STREAM, 0x7FFFFFFF, b"idle\n"))
    await ok(c, sid, req)


async def headers_on_even_stream(c, sid, req):
    c.send_raw(frame(HEADERS, END_HEADERS | END_STREAM, 2, HPACK_STATUS_200))
    await ok(c, sid, req)


async def data_on_stream_zero(c, sid, req):
    c.send_raw(frame(DATA, 0, 0, b"zero\n"))
    await ok(c, sid, req)


async def data_after_end_stream(c, sid, req):
    await ok(c, sid, req)
    c.send_raw(frame(DATA, END_STREAM, sid, b"late\n"))


async def stop_reading(c, sid, req):
    await do_stop_reading(c)
    c.frozen = True
    await hold_forever()


ROUTES = {
    "/ok": ok,
    "/upload": upload,
    "/redirect": redirect,
    "/interim-then-ok": interim_then_ok,
    "/interims-then-ok": interims_then_ok,
    "/trailers": trailers,
    "/unknown-frame": unknown_frame,
    "/never": never,
    "/stall": stall,
    "/refused-stream": refused_stream,
    "/rst-before-headers": rst_before_headers,
    "/rst-mid-body": rst_mid_body,
    "/cancel-mid-body": cancel_mid_body,
    "/http11-required-rst": http11_required_rst,
    "/data-past-content-length": data_past_content_length,
    "/end-stream-before-content-length": end_stream_before_content_length,
    "/no-status": no_status,
    "/connection-header": connection_header,
    "/huge-headers": huge_headers,
    "/huge-header": huge_header,
    "/hpack-bomb": hpack_bomb,
    "/window-overrun": window_overrun,
    "/oversized-frame": oversized_frame,
    "/push-promise": push_promise,
    "/goaway-mid-stream": goaway_mid_stream,
    "/goaway-unprocessed": goaway_unprocessed,
    "/http11-required-goaway": http11_required_goaway,
    "/close-with-streams-open": close_with_streams_open,
    "/settings-flood": settings_flood,
    "/ping-flood": ping_flood,
    "/empty-data-flood": empty_data_flood,
    "/endless-continuation": endless_continuation,
    "/data-on-idle-stream": data_on_idle_stream,
    "/headers-on-even-stream": headers_on_even_stream,
    "/data-on-stream-zero": data_on_stream_zero,
    "/data-after-end-stream": data_after_end_stream,
    "/stop-reading": stop_reading,
}
PREFIX_ROUTES = {  # /size/N and the like
    "/size/": size,
    "/delay/": delay,
    "/status/": status,
}


def route(path):
    if path in ROUTES:
        return ROUTES[path]
    for prefix, handler in PREFIX_ROUTES.items():
        if path.startswith(prefix):
            return handler
    return not_found


# --- HTTP/1.1, for connections that did not speak HTTP/2 -----------------------------------

async def serve_http1(reader, writer, number, buffer):
    stats["h1_connections"] += 1
    while True:
        while b"\r\n\r\n" not in buffer:
            if len(buffer) > MAX_HTTP1_HEAD:
                return
            chunk = await reader.read(65536)
            if not chunk:
                return
            buffer += chunk
        head, _, buffer = buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        request_line = lines[0].split()
        if len(request_line) != 3:
            return
        headers = [[":method", request_line[0]], [":path", request_line[1]]]
        headers += [[name.strip().lower(), value.strip()]
                    for name, _, value in (line.partition(":") for line in lines[1:])]
        stats["streams"] += 1
        request_log.append({"connection": number, "stream": 0, "protocol": "http/1.1",
                            "method": request_line[0], "path": request_line[1],
                            "headers": headers})
        body = b"http/1.1\n"
        close = any(name == "connection" and value.lower() == "close" for name, value in headers)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                     b"Connection: %s\r\n\r\n%s" % (len(body), b"close" if close else b"keep-alive",
                                                    body))
        await writer.drain()
        if close:
            return


async def serve(reader, writer, tls):
    global connection_count
    stats["connections"] += 1
    connection_count += 1
    number = connection_count
    first = b""
    speaks_h2 = False
    if tls:
        speaks_h2 = writer.get_extra_info("ssl_object").selected_alpn_protocol() == "h2"
    connection = None
    try:
        if not speaks_h2:
            # h2c, or TLS without h2: the first bytes decide.
            while len(first) < len(PREFACE) and PREFACE.startswith(first):
                chunk = await reader.read(len(PREFACE) - len(first))
                if not chunk:
                    return
                first += chunk
            if first != PREFACE:
                return await serve_http1(reader, writer, number, first)
        connection = Connection(reader, writer, number, "h2" if tls else "h2c")
        await connection.run(first)
    except (ConnectionError, ssl.SSLError, OSError, asyncio.IncompleteReadError):
        pass
    finally:
        if connection is not None:
            await connection.finish()
        elif not writer.transport.is_closing():
            writer.close()


# --- control port --------------------------------------------------------------------------

async def serve_control(reader, writer):
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        path = head.split(b" ", 2)[1].decode("latin-1").partition("?")[0]
        status_line = "200 OK"
        kind = "application/json"
        if path == "/stats":
            body = json.dumps(stats) + "\n"
        elif path == "/requests":
            body = "".join(json.dumps(entry) + "\n" for entry in request_log)
        elif path == "/reset":
            stats.update(dict.fromkeys(STAT_NAMES, 0))
            request_log.clear()
            body, kind = "ok\n", "text/plain"
        else:
            status_line, body, kind = "404 Not Found", "not found\n", "text/plain"
        data = body.encode()
        writer.write(b"HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n"
                     b"Connection: close\r\n\r\n%s" % (status_line.encode(), kind.encode(),
                                                       len(data), data))
        await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, IndexError):
        pass
    finally:
        writer.close()


async def main():
    global args
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--alpn", default="h2")
    parser.add_argument("--h2c", action="store_true",
                        help="beside TLS, also serve h2c on a third port")
    parser.add_argument("--mode", choices=sorted(MODES))
    parser.add_argument("--max-concurrent-streams", type=int, default=100)
    parser.add_argument("--window", type=int, default=DEFAULT_WINDOW)
    parser.add_argument("--window-update-delay", type=float, default=0.0)
    args = parser.parse_args()
    if not 1 <= args.window <= 2**31 - 1:
        parser.error("--window must be 1 to 2^31-1")
    if args.h2c and not args.tls_cert:
        parser.error("--h2c is for TLS servers: without a certificate the port is h2c already")

    tls = None
    if args.tls_cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.minimum_version = ssl.TLSVersion.TLSv1_2  # RFC 9113 9.2
        tls.load_cert_chain(args.tls_cert, args.tls_key)
        tls.set_alpn_protocols([p for p in args.alpn.split(",") if p])

    main_server = await asyncio.start_server(lambda r, w: serve(r, w, tls is not None),
                                             args.host, 0, ssl=tls)
    control = await asyncio.start_server(serve_control, args.host, 0)
    servers = [main_server, control]
    ports = [main_server.sockets[0].getsockname()[1], control.sockets[0].getsockname()[1]]
    if args.h2c:
        plain = await asyncio.start_server(lambda r, w: serve(r, w, False), args.host, 0)
        servers.append(plain)
        ports.append(plain.sockets[0].getsockname()[1])
    print("\n".join(map(str, ports)), flush=True)
    await asyncio.gather(*(server.serve_forever() for server in servers))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(130)
