#!/usr/bin/python3
"""An HTTP/1.1 proxy for tests: CONNECT tunnels and absolute-form forwarding, loopback only.

    http_proxy.py [--host 127.0.0.1] [--auth USER:PASS] [--refuse MODE] [--refuse-forward]
                  [--delay-ms N] [--map-host NAME=ADDRESS]...

Binds port 0 on --host (127.0.0.1 or ::1), prints the port as the first line of stdout, then
serves until killed. Python standard library only. It never reaches beyond loopback: a target
must be a loopback address (127.0.0.0/8 or ::1, not ::ffff:127.0.0.1), "localhost"
(127.0.0.1), or a name given with --map-host; any other target is answered 403 (keep-alive)
without a lookup or a connection.

Requests it understands (anything else is a 400, and the connection closes):
  CONNECT HOST:PORT HTTP/1.1
      Connects to HOST:PORT, answers "HTTP/1.1 200 Connection established", then relays bytes
      both ways; an end of stream on one side is passed on to the other (a half-close), and
      the tunnel closes once both directions have ended, or at once on a reset or error.
      A target that refuses or fails the connection: 502, with a body, keep-alive.
  METHOD http://HOST[:PORT]/PATH HTTP/1.x   (absolute form; PORT defaults to 80)
      Forwarded to the origin in origin form ("METHOD /PATH HTTP/1.1") on a fresh origin
      connection, which is closed after the response. Forwarded headers: all of the client's
      except Proxy-Authorization, Proxy-Connection, Keep-Alive, Connection and the headers
      Connection names; the request body (Content-Length or chunked) is relayed as framed.
      The response comes back byte for byte (1xx interim responses included), framed by its
      own Content-Length or chunked encoding (none for HEAD, 1xx, 204, 304). The client's
      connection is kept open for its next request when the client is HTTP/1.1 and did not
      send Connection: close, the origin did not send Connection: close, and the response
      body was delimited by length or chunking; otherwise it closes after the response.
      When the response does not let itself be followed (a garbage status line, a bad
      Content-Length or chunk size, a head over 1 MiB, no framing at all), the bytes are
      relayed raw until the origin closes, then the client's connection closes too: a broken
      origin looks just as broken through the proxy. An origin that closes before a byte of
      its response makes the proxy close the client's connection without a byte as well.
      An origin that cannot be connected to: 502, with a body. A reset from the origin (or
      a tunnel's target) resets the client's connection too.
  GET /__proxy/stats HTTP/1.1               (origin form: the control paths, never proxied)
      200, a JSON object of counters:
        connections      client connections accepted, not counting those whose first
                         request was for a control path
        open             of those, still open
        connects         CONNECT requests received (refused ones included)
        tunnels          CONNECTs answered 200
        forwarded        absolute-form requests sent on to an origin
        auth_failures    requests answered 407 for a missing or wrong Proxy-Authorization
        refused_targets  requests answered 403 for a target beyond loopback
  GET /__proxy/requests HTTP/1.1
      200, body: every request head received from clients so far, exactly as it arrived
      (Proxy-Authorization included), each followed by one more "\\r\\n" (so heads are
      separated by "\\r\\n\\r\\n\\r\\n"); control-path requests are never logged, and neither are
      the bytes inside tunnels.
  Control paths need no credentials and are answered whatever the refusal mode.

Options:
  --auth USER:PASS    every CONNECT and forwarded request needs "Proxy-Authorization: Basic
                      base64(USER:PASS)"; without it, or with another value: 407 with
                      'Proxy-Authenticate: Basic realm="test"', a body, keep-alive.
  --refuse MODE       every CONNECT is answered by MODE instead of a tunnel (after the --auth
                      check, which still answers 407 first):
                        403, 407, 502        that status, a body, Connection: close, close
                                             (407 carries Proxy-Authenticate as above)
                        close                close the connection without a byte
                        garbage              "HTTP/1.1 abc def" and an empty header block, close
                        200-then-close       "HTTP/1.1 200 Connection established", then close
                                             the connection at once (the tunnel ends before
                                             any byte)
                        never                read the request, never answer (until the client
                                             hangs up)
  --refuse-forward    apply --refuse to absolute-form requests too (200-then-close then sends
                      "HTTP/1.1 200 OK" with Content-Length: 100, and closes)
  --delay-ms N        wait N milliseconds after each CONNECT or absolute-form request head
                      before answering it (whatever the answer: 200, a refusal, 407, 403)
  --map-host N=A      the target host name N means the loopback address A (repeatable), e.g.
                      "--map-host proxied.test=127.0.0.1": a test can check that the client
                      left the name for the proxy to resolve
"""

import argparse
import asyncio
import base64
import ipaddress
import json
import socket
import struct
import sys

MAX_REQUEST_HEAD = 64 * 1024
MAX_RESPONSE_HEAD = 1024 * 1024
CONNECT_TIMEOUT = 5.0
RELAY_BLOCK = 65536
CONTROL_PATHS = ("/__proxy/stats", "/__proxy/requests")
HOP_BY_HOP = {"proxy-authorization", "proxy-connection", "keep-alive", "connection"}

stats = {"connections": 0, "open": 0, "connects": 0, "tunnels": 0, "forwarded": 0,
         "auth_failures": 0, "refused_targets": 0}
control_connections = 0  # connections opened to ask a control path: not part of what is measured
request_log = []  # every request head received, as bytes
args = None
host_map = {}


class Close(Exception):
    """The client's connection must close now (the reason was answered or is not worth it)."""


def response(status, reason, headers=(), body=b""):
    """The bytes of a response head plus body; headers are (name, value) pairs."""
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


REASONS = {400: "Bad Request", 403: "Forbidden", 407: "Proxy Authentication Required",
           502: "Bad Gateway"}


def error_response(status, message, close):
    headers = [("Content-Type", "text/plain"), ("Content-Length", len(message) + 1)]
    if status == 407:
        headers.append(("Proxy-Authenticate", 'Basic realm="test"'))
    headers.append(("Connection", "close" if close else "keep-alive"))
    return response(status, REASONS[status], headers, message.encode() + b"\n")


class Head:
    """A parsed HTTP message head: the first line's three parts and the header fields."""

    def __init__(self, raw):
        self.raw = raw
        lines = raw.decode("latin-1").split("\r\n")
        self.first = lines[0].split(" ", 2)
        self.fields = []
        for line in lines[1:]:
            if not line:
                continue
            name, colon, value = line.partition(":")
            if not colon or not name or name != name.strip():
                raise ValueError("malformed header line")
            self.fields.append((name, value.strip()))

    def get(self, name):
        """Every value of header `name` (case-insensitive)."""
        return [value for field, value in self.fields if field.lower() == name.lower()]

    def tokens(self, name):
        """The comma-separated tokens of every `name` header, lower case."""
        return [token.strip().lower() for value in self.get(name) for token in value.split(",")
                if token.strip()]


# --- targets -------------------------------------------------------------------------------

def split_authority(authority, default_port):
    """(host, port) of "host:port", "[v6]:port" or "host" (default_port), or None."""
    if authority.startswith("["):
        end = authority.find("]")
        if end < 0:
            return None
        host, rest = authority[1:end], authority[end + 1:]
        if rest and not rest.startswith(":"):
            return None
        port = rest[1:] if rest else None
    else:
        host, colon, port = authority.rpartition(":")
        if not colon:
            host, port = authority, None
    if port is None:
        if default_port is None:
            return None
        port = str(default_port)
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        return None
    return host, int(port)


def is_loopback_ip(text):
    """True for 127.0.0.0/8 and ::1 (not for names, nor for IPv4-mapped IPv6 addresses)."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    return address.is_loopback if address.version == 4 else address == ipaddress.ip_address("::1")


def loopback_address(host):
    """The loopback address to connect to for `host`, or None when it is beyond loopback."""
    host = host.lower()
    if host in host_map:
        return host_map[host]
    if host == "localhost":
        return "127.0.0.1"
    return host if is_loopback_ip(host) else None  # a name is never looked up


async def open_target(address, port):
    return await asyncio.wait_for(asyncio.open_connection(address, port,
                                                          limit=MAX_RESPONSE_HEAD),
                                  CONNECT_TIMEOUT)


# --- relaying ------------------------------------------------------------------------------

async def pump(reader, writer):
    """Copies reader to writer until end of stream, then passes the end on (half-close)."""
    while True:
        data = await reader.read(RELAY_BLOCK)
        if not data:
            break
        writer.write(data)
        await writer.drain()
    if writer.can_write_eof() and not writer.transport.is_closing():
        writer.write_eof()


async def relay_both_ways(reader_a, writer_a, reader_b, writer_b):
    """Two pumps, a to b and b to a, until both streams have ended; an error in either (a
    reset) ends both."""
    pumps = [asyncio.ensure_future(pump(reader_a, writer_b)),
             asyncio.ensure_future(pump(reader_b, writer_a))]
    try:
        done, pending = await asyncio.wait(pumps, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            task.result()
    finally:
        for task in pumps:
            task.cancel()
        await asyncio.gather(*pumps, return_exceptions=True)


async def relay_raw(reader, writer):
    """Everything left on reader, until it ends."""
    while True:
        data = await reader.read(RELAY_BLOCK)
        if not data:
            return
        writer.write(data)
        await writer.drain()


async def relay_exactly(reader, writer, length):
    """Relays `length` bytes; False when the stream ended first."""
    while length > 0:
        data = await reader.read(min(length, RELAY_BLOCK))
        if not data:
            return False
        writer.write(data)
        await writer.drain()
        length -= len(data)
    return True


async def relay_chunked(reader, writer):
    """Relays a chunked body, trailers included. True when it ended properly; False when the
    stream ended or the framing broke (what was read is relayed, the rest is not)."""
    while True:
        try:
            line = await reader.readuntil(b"\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
            if isinstance(error, asyncio.IncompleteReadError):
                writer.write(error.partial)
            return False
        writer.write(line)
        size_text = line[:-2].split(b";", 1)[0].strip()
        if not size_text or len(size_text) > 16 or \
                any(c not in b"0123456789abcdefABCDEF" for c in size_text):
            return False
        size = int(size_text, 16)
        if size == 0:
            break
        if not await relay_exactly(reader, writer, size + 2):
            return False
    while True:  # trailers, up to the empty line
        try:
            line = await reader.readuntil(b"\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return False
        writer.write(line)
        if line == b"\r\n":
            await writer.drain()
            return True


def content_length(head):
    """The message's Content-Length: None when absent, -1 when invalid or conflicting."""
    values = head.get("Content-Length")
    if not values:
        return None
    if len(set(values)) != 1 or not values[0].isdigit() or len(values[0]) > 18:
        return -1
    return int(values[0])


def is_chunked(head):
    codings = head.tokens("Transfer-Encoding")
    return bool(codings) and codings[-1] == "chunked"


async def relay_body(reader, writer, head, has_body):
    """Relays a message body by its framing: True when it was delimited and complete (the
    connection can carry another message); False when it was not (the caller closes)."""
    if not has_body:
        return True
    if head.get("Transfer-Encoding"):
        if not is_chunked(head):
            return False
        return await relay_chunked(reader, writer)
    length = content_length(head)
    if length is None:
        return None
    if length < 0:
        return False
    return await relay_exactly(reader, writer, length)


# --- requests ------------------------------------------------------------------------------

def authorized(head):
    if args.auth is None:
        return True
    expected = base64.b64encode(args.auth.encode()).decode()
    for value in head.get("Proxy-Authorization"):
        scheme, _, credentials = value.partition(" ")
        if scheme.lower() == "basic" and credentials.strip() == expected:
            return True
    return False


async def refuse(reader, writer, mode, forward):
    """Answers by the refusal mode; always ends the connection."""
    if mode in ("403", "407", "502"):
        writer.write(error_response(int(mode), f"refused ({mode} mode)", close=True))
    elif mode == "garbage":
        writer.write(b"HTTP/1.1 abc def\r\n\r\n")
    elif mode == "200-then-close":
        writer.write(response(200, "OK", [("Content-Length", 100)]) if forward
                     else b"HTTP/1.1 200 Connection established\r\n\r\n")
    elif mode == "never":
        await writer.drain()
        await wait_for_hangup(reader)
    await writer.drain()
    raise Close()


async def wait_for_hangup(reader):
    try:
        while await reader.read(RELAY_BLOCK):
            pass
    except ConnectionError:
        pass


async def tunnel(reader, writer, head):
    stats["connects"] += 1
    if len(head.first) != 3:
        writer.write(error_response(400, "bad request line", close=True))
        raise Close()
    target = await admit(reader, writer, head, split_authority(head.first[1], None),
                         forward=False)
    if target is None:
        return True
    address, port = target
    try:
        target_reader, target_writer = await open_target(address, port)
    except (OSError, asyncio.TimeoutError) as error:
        writer.write(error_response(502, f"cannot connect to {address}:{port}: {error}",
                                    close=False))
        return True
    stats["tunnels"] += 1
    writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
    try:
        await writer.drain()
        await relay_both_ways(reader, writer, target_reader, target_writer)
    finally:
        target_writer.transport.abort()
    raise Close()


async def admit(reader, writer, head, target, forward):
    """The checks every proxied request passes: delay, credentials, refusal mode, target.
    Returns the (address, port) to connect to through `target`, or None after answering."""
    if args.delay_ms:
        await asyncio.sleep(args.delay_ms / 1000)
    if target is None:
        writer.write(error_response(400, "bad target", close=True))
        raise Close()
    if not authorized(head):
        stats["auth_failures"] += 1
        writer.write(error_response(407, "proxy credentials needed", close=False))
        return None
    if args.refuse and (not forward or args.refuse_forward):
        await refuse(reader, writer, args.refuse, forward)
    address = loopback_address(target[0])
    if address is None:
        stats["refused_targets"] += 1
        writer.write(error_response(403, f"target {target[0]} is beyond loopback", close=False))
        return None
    return address, target[1]


async def forward(reader, writer, head):
    if len(head.first) != 3 or not head.first[2].startswith("HTTP/1."):
        writer.write(error_response(400, "bad request line", close=True))
        raise Close()
    method, uri, _ = head.first
    rest = uri[len("http://"):]
    slash = rest.find("/")
    authority, path = (rest, "/") if slash < 0 else (rest[:slash], rest[slash:])
    query = authority.find("?")
    if query >= 0:  # http://host?q
        authority, path = authority[:query], "/" + authority[query:]
    target = await admit(reader, writer, head, split_authority(authority, 80), forward=True)
    if target is None:
        return await skip_request_body(reader, head)
    if not request_framing_ok(head):
        writer.write(error_response(400, "bad request body framing", close=True))
        raise Close()
    address, port = target
    try:
        origin_reader, origin_writer = await open_target(address, port)
    except (OSError, asyncio.TimeoutError) as error:
        writer.write(error_response(502, f"cannot connect to {address}:{port}: {error}",
                                    close=False))
        return await skip_request_body(reader, head)
    stats["forwarded"] += 1
    try:
        return await exchange(reader, writer, head, method, authority, path, origin_reader,
                              origin_writer)
    finally:
        origin_writer.transport.abort()


def request_framing_ok(head):
    if head.get("Transfer-Encoding"):
        return is_chunked(head)
    return content_length(head) != -1


async def skip_request_body(reader, head):
    """Reads and drops the request body, so the connection can carry the next request."""
    sink = Discard()
    return bool(await relay_body(reader, sink, head, True) in (True, None))


class Discard:
    def write(self, data):
        pass

    async def drain(self):
        pass


async def exchange(reader, writer, head, method, authority, path, origin_reader, origin_writer):
    """One request to the origin and its response back. True to keep the client's connection."""
    connection_tokens = set(head.tokens("Connection"))
    dropped = HOP_BY_HOP | connection_tokens
    lines = [f"{method} {path} HTTP/1.1"]
    lines += [f"{name}: {value}" for name, value in head.fields if name.lower() not in dropped]
    if not head.get("Host"):
        lines.append(f"Host: {authority}")
    origin_writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    if await relay_body(reader, origin_writer, head, True) is False:
        raise Close()
    await origin_writer.drain()

    client_keeps = head.first[2] == "HTTP/1.1" and "close" not in connection_tokens
    while True:
        try:
            raw = await origin_reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as error:
            writer.write(error.partial)  # a partial head, or nothing at all: then close
            raise Close()
        except asyncio.LimitOverrunError:
            await relay_raw(origin_reader, writer)
            raise Close()
        writer.write(raw)
        try:
            response_head = Head(raw)
            status = int(response_head.first[1])
            if not response_head.first[0].startswith("HTTP/1.") or len(response_head.first[1]) != 3:
                raise ValueError("bad status line")
        except (ValueError, IndexError):
            await relay_raw(origin_reader, writer)
            raise Close()
        if 100 <= status < 200 and status != 101:
            continue
        break
    if status == 101:
        await writer.drain()
        await relay_both_ways(reader, writer, origin_reader, origin_writer)
        raise Close()
    has_body = method != "HEAD" and status not in (204, 304)
    delimited = await relay_body(origin_reader, writer, response_head, has_body)
    if not delimited:
        await relay_raw(origin_reader, writer)
        raise Close()
    await writer.drain()
    return client_keeps and "close" not in response_head.tokens("Connection")


async def control(writer, head, path):
    if path == "/__proxy/stats":
        body = (json.dumps(stats) + "\n").encode()
        content_type = "application/json"
    else:
        body = b"".join(head + b"\r\n" for head in request_log)
        content_type = "application/octet-stream"
    keep = "close" not in head.tokens("Connection")
    writer.write(response(200, "OK", [("Content-Type", content_type),
                                      ("Content-Length", len(body)),
                                      ("Connection", "keep-alive" if keep else "close")], body))
    return keep


async def serve_connection(reader, writer):
    global control_connections
    counted = False
    try:
        first = True
        while True:
            try:
                raw = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                break
            try:
                head = Head(raw)
            except ValueError:
                head = None
            path = head.first[1] if head and len(head.first) == 3 else ""
            if first:
                first = False
                if head and head.first[0] == "GET" and path in CONTROL_PATHS:
                    control_connections += 1
                else:
                    counted = True
                    stats["connections"] += 1
                    stats["open"] += 1
            if head and head.first[0] == "GET" and path in CONTROL_PATHS:
                keep = await control(writer, head, path)
            else:
                request_log.append(raw)
                if head is None:
                    writer.write(error_response(400, "malformed request head", close=True))
                    keep = False
                elif head.first[0] == "CONNECT":
                    keep = await tunnel(reader, writer, head)
                elif len(head.first) == 3 and head.first[1].lower().startswith("http://"):
                    keep = await forward(reader, writer, head)
                else:
                    writer.write(error_response(400, "not a proxy request", close=True))
                    keep = False
            await writer.drain()
            if not keep:
                break
    except ConnectionResetError:
        # A reset from the target or origin (or the client itself) resets the client too.
        sock = writer.get_extra_info("socket")
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except (AttributeError, OSError):
            pass  # already closed: the client reset it
        writer.transport.abort()
    except (Close, ConnectionError, OSError):
        pass
    finally:
        if counted:
            stats["open"] -= 1
        if not writer.transport.is_closing():
            writer.close()
        try:
            await writer.wait_closed()
        except (ConnectionError, OSError):
            pass


async def main():
    global args
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--auth", metavar="USER:PASS")
    parser.add_argument("--refuse", choices=["403", "407", "502", "close", "garbage",
                                             "200-then-close", "never"])
    parser.add_argument("--refuse-forward", action="store_true")
    parser.add_argument("--delay-ms", type=int, default=0)
    parser.add_argument("--map-host", action="append", default=[], metavar="NAME=ADDRESS")
    args = parser.parse_args()
    for mapping in args.map_host:
        name, _, address = mapping.partition("=")
        if not is_loopback_ip(address):
            parser.error(f"--map-host {mapping}: not a loopback address")
        host_map[name.lower()] = address

    server = await asyncio.start_server(serve_connection, args.host, 0, limit=MAX_REQUEST_HEAD)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(130)
