#!/usr/bin/python3
"""An HTTP/1.1 server that breaks the protocol on purpose, one URL path per misbehaviour.

    misbehaving_server.py [--host 127.0.0.1] [--tls-cert FILE --tls-key FILE]

Binds port 0 on --host, prints the port as the first line of stdout, then serves until
killed. Python standard library only. With --tls-cert/--tls-key every connection is TLS.

Paths (the query string is ignored):
  /never                 read the request, never answer (until the client hangs up)
  /truncated             Content-Length: 1000, send 10 body bytes, close
  /garbage-status        "HTTP/1.1 abc def" and an empty header block, close
  /http09                a raw body without any status line, close
  /reset                 RST instead of a reply (SO_LINGER 0, then close)
  /empty                 close without sending a byte
  /headers-then-stall    headers with Content-Length: 100, then nothing, forever
  /drip                  Content-Length: 3600, one byte per second
  /ok                    200, body "ok\\n", keep-alive
  /stats                 200, body: the number of connections accepted so far, not counting
                         connections whose first request was for /stats
  /close-after-response  200 that promises keep-alive, then the socket closes
  /chunked               a valid chunked body (see CHUNKS)
  /bad-chunk             chunked, with an invalid chunk size
  /no-length             200 without Content-Length or chunking, body ends at close
  /redirect-ftp          302 to an ftp:// URL
  /redirect-no-location  302 without a Location header
  /huge-headers          200 whose header block is 256 KiB
  /interim-then-ok       "100 Continue", then a normal 200 (RFC 9110 15.2: clients must cope)
Anything else is a 404 with keep-alive.
"""

import argparse
import asyncio
import socket
import ssl
import struct
import sys

CHUNKS = [b"hello ", b"chunked ", b"world\n"]  # 20 bytes in all
NO_LENGTH_BODY = b"body delimited by close\n"
MAX_HEADER_BYTES = 64 * 1024

connections_accepted = 0
stats_connections = 0  # connections opened to ask /stats: not part of what is measured


def response(status, reason, headers=(), body=b""):
    """The bytes of a response head plus body; headers are (name, value) pairs."""
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def keep_alive_response(body, status=200, reason="OK"):
    return response(status, reason, [("Content-Type", "text/plain"),
                                     ("Content-Length", len(body)),
                                     ("Connection", "keep-alive")], body)


async def wait_for_hangup(reader):
    """Blocks until the client closes its side (or resets), discarding what it sends."""
    try:
        while await reader.read(4096):
            pass
    except (ConnectionError, ssl.SSLError):
        pass


# Each handler gets the connection's reader and writer after the request head was read, and
# returns True to keep the connection open for another request.

async def never(reader, writer):
    await wait_for_hangup(reader)
    return False


async def truncated(reader, writer):
    writer.write(response(200, "OK", [("Content-Length", 1000)], b"0123456789"))
    return False


async def garbage_status(reader, writer):
    writer.write(b"HTTP/1.1 abc def\r\n\r\n")
    return False


async def http09(reader, writer):
    writer.write(b"a body without any status line\n")
    return False


async def reset(reader, writer):
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
    return False


async def empty(reader, writer):
    return False


async def headers_then_stall(reader, writer):
    writer.write(response(200, "OK", [("Content-Length", 100)]))
    await writer.drain()
    await wait_for_hangup(reader)
    return False


async def drip(reader, writer):
    length = 3600
    writer.write(response(200, "OK", [("Content-Length", length)]))
    for _ in range(length):
        writer.write(b"x")
        await writer.drain()
        await asyncio.sleep(1)
    return False


async def ok(reader, writer):
    writer.write(keep_alive_response(b"ok\n"))
    return True


async def stats(reader, writer):
    writer.write(keep_alive_response(f"{connections_accepted - stats_connections}\n".encode()))
    return True


async def close_after_response(reader, writer):
    writer.write(keep_alive_response(b"closing now\n"))
    return False


async def chunked(reader, writer):
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in CHUNKS) + b"0\r\n\r\n"
    writer.write(response(200, "OK", [("Transfer-Encoding", "chunked"),
                                      ("Connection", "keep-alive")], body))
    return True


async def bad_chunk(reader, writer):
    writer.write(response(200, "OK", [("Transfer-Encoding", "chunked")],
                          b"5\r\nhello\r\nzz\r\nnot a chunk\r\n"))
    return False


async def no_length(reader, writer):
    writer.write(response(200, "OK", [("Connection", "close")], NO_LENGTH_BODY))
    return False


async def redirect_ftp(reader, writer):
    writer.write(response(302, "Found", [("Location", "ftp://127.0.0.1/file"),
                                         ("Content-Length", 0),
                                         ("Connection", "keep-alive")]))
    return True


async def redirect_no_location(reader, writer):
    writer.write(response(302, "Found", [("Content-Length", 0), ("Connection", "keep-alive")]))
    return True


async def huge_headers(reader, writer):
    filler = [(f"X-Filler-{n}", "y" * 1000) for n in range(256)]
    writer.write(response(200, "OK", filler + [("Content-Length", 3)], b"ok\n"))
    return False


async def interim_then_ok(reader, writer):
    writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    writer.write(keep_alive_response(b"final\n"))
    return True


async def not_found(reader, writer):
    writer.write(keep_alive_response(b"not found\n", 404, "Not Found"))
    return True


ROUTES = {
    "/never": never,
    "/truncated": truncated,
    "/garbage-status": garbage_status,
    "/http09": http09,
    "/reset": reset,
    "/empty": empty,
    "/headers-then-stall": headers_then_stall,
    "/drip": drip,
    "/ok": ok,
    "/stats": stats,
    "/close-after-response": close_after_response,
    "/chunked": chunked,
    "/bad-chunk": bad_chunk,
    "/no-length": no_length,
    "/redirect-ftp": redirect_ftp,
    "/redirect-no-location": redirect_no_location,
    "/huge-headers": huge_headers,
    "/interim-then-ok": interim_then_ok,
}


async def read_request(reader):
    """(path, client asked for Connection: close) of the next request, or None when the
    client closed or sent junk."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError,
            ssl.SSLError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    request_line = lines[0].split()
    if len(request_line) != 3:
        return None
    wants_close = any(line.lower().replace(" ", "") == "connection:close" for line in lines[1:])
    return request_line[1].split("?", 1)[0], wants_close


async def serve_connection(reader, writer):
    global connections_accepted, stats_connections
    connections_accepted += 1
    try:
        keep_open = True
        first = True
        while keep_open:
            request = await read_request(reader)
            if request is None:
                break
            path, wants_close = request
            if first and path == "/stats":
                stats_connections += 1
            first = False
            keep_open = await ROUTES.get(path, not_found)(reader, writer) and not wants_close
            await writer.drain()
    except (ConnectionError, ssl.SSLError):
        pass
    finally:
        if not writer.transport.is_closing():
            writer.close()
        try:
            await writer.wait_closed()
        except (ConnectionError, ssl.SSLError):
            pass


async def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    args = parser.parse_args()

    tls = None
    if args.tls_cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.tls_cert, args.tls_key)

    server = await asyncio.start_server(serve_connection, args.host, 0, ssl=tls,
                                        limit=MAX_HEADER_BYTES)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(130)
