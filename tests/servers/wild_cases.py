"""Servers as they are in the wild: what old, embedded and odd servers send, and what fetch
must read as curl, browsers, Go and Python do (or refuse where that protects the user).
Routes of misbehaving_server.py; see its docstring for the list.

Each handler gets the connection's reader and writer after the request head was read (and the
query string, for QUERY_ROUTES), and returns True to keep the connection for another request.
"""

import asyncio
import urllib.parse

from http_replies import keep_alive_response, response, wait_for_hangup

visits = {}  # /revisit?id=X: how many times X was asked for


# --- line endings and split heads ----------------------------------------------------------

async def bare_lf(reader, writer):
    writer.write(b"HTTP/1.1 200 OK\nContent-Type: text/plain\nContent-Length: 3\n"
                 b"Connection: keep-alive\n\nok\n")
    return True


async def bare_lf_chunked(reader, writer):
    writer.write(b"HTTP/1.1 200 OK\nTransfer-Encoding: chunked\nConnection: keep-alive\n\n"
                 b"3\nok\n\n0\n\n")
    return True


async def status_in_pieces(reader, writer):
    for piece in (b"HTTP/1.1 2", b"00 OK\r\nContent-Le", b"ngth: 3\r\n\r\nok\n"):
        writer.write(piece)
        await writer.drain()
        await asyncio.sleep(0.05)
    return True


async def garbage_then_stall(reader, writer):
    writer.write(b"<html>no status line, and no line end either")
    await writer.drain()
    await wait_for_hangup(reader)
    return False


async def switching_protocols(reader, writer):
    writer.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                 b"Connection: Upgrade\r\n\r\n")
    await writer.drain()
    await wait_for_hangup(reader)
    return False


# --- Transfer-Encoding and Content-Length --------------------------------------------------

CHUNKED_HELLO = b"5\r\nhello\r\n0\r\n\r\n"


async def te_chunked_twice(reader, writer):
    writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n"
                 b"Connection: keep-alive\r\n\r\n" + CHUNKED_HELLO)
    return True


async def te_two_fields(reader, writer):
    writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"
                 b"Connection: keep-alive\r\n\r\n" + CHUNKED_HELLO)
    return True


async def te_gzip_then_cl(reader, writer):
    writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabcdef")
    return False


async def te_cl_then_gzip(reader, writer):
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: gzip\r\n\r\nabcdef")
    return False


async def te_chunked_with_cl(reader, writer):
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n"
                 b"Connection: keep-alive\r\n\r\n" + CHUNKED_HELLO)
    return True


# --- redirects -----------------------------------------------------------------------------

async def revisit(reader, writer, query):
    """First visit: 302 to /revisit-b; the second visit (after /revisit-b sent us back): 200."""
    key = urllib.parse.parse_qs(query).get("id", [""])[0]
    visits[key] = visits.get(key, 0) + 1
    if visits[key] == 1:
        writer.write(response(302, "Found", [("Location", f"/revisit-b?id={key}"),
                                             ("Content-Length", 0), ("Connection", "keep-alive")]))
    else:
        writer.write(keep_alive_response(b"second visit\n"))
    return True


async def revisit_b(reader, writer, query):
    key = urllib.parse.parse_qs(query).get("id", [""])[0]
    writer.write(response(302, "Found", [("Location", f"/revisit?id={key}"),
                                         ("Content-Length", 0), ("Connection", "keep-alive")]))
    return True


async def loop_self(reader, writer):
    writer.write(response(302, "Found", [("Location", "/loop-self"), ("Content-Length", 0),
                                         ("Connection", "keep-alive")]))
    return True


async def redirect_big_body(reader, writer):
    body = b"r" * (100 * 1024)
    writer.write(response(302, "Found", [("Location", "/ok"), ("Content-Length", len(body)),
                                         ("Connection", "keep-alive")], body))
    return True


async def slow(reader, writer, query):
    """200 "ok\\n" after ms= milliseconds (default 200), keep-alive."""
    delay_ms = int(urllib.parse.parse_qs(query).get("ms", ["200"])[0])
    await asyncio.sleep(delay_ms / 1000)
    writer.write(keep_alive_response(b"ok\n"))
    return True


ROUTES = {
    "/bare-lf": bare_lf,
    "/bare-lf-chunked": bare_lf_chunked,
    "/status-in-pieces": status_in_pieces,
    "/garbage-then-stall": garbage_then_stall,
    "/switching-protocols": switching_protocols,
    "/te-chunked-twice": te_chunked_twice,
    "/te-two-fields": te_two_fields,
    "/te-gzip-then-cl": te_gzip_then_cl,
    "/te-cl-then-gzip": te_cl_then_gzip,
    "/te-chunked-with-cl": te_chunked_with_cl,
    "/loop-self": loop_self,
    "/redirect-big-body": redirect_big_body,
}
QUERY_ROUTES = {
    "/revisit": revisit,
    "/revisit-b": revisit_b,
    "/slow": slow,
}
