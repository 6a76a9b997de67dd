#!/usr/bin/python3
"""An HTTP/1.1 server that breaks the protocol on purpose, one URL path per misbehaviour.

    misbehaving_server.py [--host 127.0.0.1] [--tls-cert FILE --tls-key FILE]
                          [--tls-min VERSION] [--tls-max VERSION] [--tls-seclevel0]

Binds port 0 on --host, prints the port as the first line of stdout, then serves until
killed. Python standard library only. With --tls-cert/--tls-key every connection is TLS
(the cert file may hold a chain: leaf first); --tls-min/--tls-max (1.0, 1.1, 1.2, 1.3) bound
the protocol versions, --tls-seclevel0 lets OpenSSL serve weak keys, SHA-1 and TLS 1.0/1.1.

Every request head received is logged (see /requests); a path runs the same over TCP or TLS.

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
  /requests              200, body: every request head received so far (CRLFs kept, each
                         followed by its body when it had a Content-Length, then one more
                         "\r\n"), except those for /stats and /requests

Framing (modelled on curl's tests/data/test* cases):
  /chunk-size-overflow   chunked, first chunk size "ffffffffffffffffff" (72 bits), close
  /chunk-size-negative   chunked, first chunk size "-5", close
  /chunk-size-empty      chunked, an empty chunk-size line, close
  /chunked-cut           chunked, one 5-byte chunk, then close without the last chunk
  /chunked-cut-mid-chunk chunked, a chunk of 0x100 bytes announced, 5 sent, close
  /cl-and-te             Content-Length: 5 and Transfer-Encoding: chunked (20 chunked bytes),
                         then the connection closes
  /cl-conflict           two Content-Length headers, 5 and 6, body "hello!", close
  /cl-negative           Content-Length: -1, close
  /cl-garbage            Content-Length: abc, close
  /cl-overflow           Content-Length: 99999999999999999999999999 (> 2^64), close
  /longer-than-declared  Content-Length: 5, but "hello" and 11 more bytes in the same write;
                         promises keep-alive
  /status-999            "HTTP/1.1 999 Weird", Content-Length: 3, "ok\n", close
  /status-two-digits     "HTTP/1.1 20 OK", close
  /header-nul            a header value holding a NUL byte, close
  /header-no-colon       a header line without a colon, close
  /headers-cut           the status line and half a header, close
  /interims-then-ok      100, 102 and 103 (with a Link header) before a 200 "final\n"
  /204-with-body         204 with Content-Length: 16 and 16 body bytes; promises keep-alive
  /304-with-body         the same with 304
  /huge-header           one 100 KiB header, Content-Length: 3, close
  /many-headers          10 000 headers of 5 bytes each (50 KB in all), Content-Length: 3
  /endless-headers       a status line, then headers as fast as possible, never the end
  /endless-headers-slow  a status line, then one header every 50 ms, never the end
  /endless-chunked       chunked, 64 KiB chunks as fast as possible, never the last one
  /huge-content-length   Content-Length: 107374182400 (100 GiB), then 64 KiB writes forever
Network:
  /reset-mid-body        Content-Length: 100000, 1000 bytes, then RST
  /no-length-cut         no Content-Length, not chunked: a body then a TCP FIN without TLS
                         close_notify (over plain TCP this is a normal end of body)
Redirects:
  /redirect?to=URL[&status=N]   a 302 (or N) whose Location is URL, percent-decoded
  /redirect-huge-location       a 302 whose Location is "/ok?" and 70 000 more bytes
  /redirect-userinfo            a 302 to http://eve:leaked-in-location@HOST/ok (HOST: the
                                request's Host header), credentials the client never had
Servers as they are in the wild (wild_cases.py; keep-alive unless said otherwise):
  /bare-lf               200 "ok\n" whose every line ends in a bare LF
  /bare-lf-chunked       the same, chunked, chunk-size lines ending in bare LF
  /status-in-pieces      the status line and head in three writes, 50 ms apart
  /garbage-then-stall    "<html>..." without a line end, then nothing, until the client goes
  /switching-protocols   101 to websocket (nobody asked), then nothing
  /te-chunked-twice      Transfer-Encoding: chunked, chunked (a chunked body follows)
  /te-two-fields         two Transfer-Encoding: chunked fields
  /te-gzip-then-cl       Transfer-Encoding: gzip, then Content-Length: 3; "abcdef", close
  /te-cl-then-gzip       the same fields the other way round
  /te-chunked-with-cl    Content-Length: 3 and Transfer-Encoding: chunked ("hello" chunked)
  /revisit?id=X          first time: 302 to /revisit-b?id=X, which sends it back; then 200
  /loop-self             302 to itself, forever
  /redirect-big-body     302 to /ok with a 100 KiB body
  /slow?ms=N             200 "ok\n" after N ms (default 200)
Retries (retry_cases.py), counted per id= value, keep-alive unless said otherwise:
  /flaky?id=X[&fail=N][&status=S][&retry-after=V]
                         the first N (1) requests for X get status S (503) and body "busy\n",
                         with Retry-After: V when given (V "date:SECS": an HTTP-date SECS
                         from now); then 200 "ok\n"
  /flaky-close?id=X[&fail=N]   the first N (1) requests: close without a byte; then 200
  /flaky-slow?id=X[&fail=N][&ms=M]  the first N (1) requests answered after M (2000) ms
Content codings (coded_cases.py), keep-alive, each decoding to 100 000 bytes of text:
  /coded/NAME            NAME: gzip, x-gzip, deflate, deflate-raw (raw deflate sent as
                         "deflate"), br, zstd, gzip-br ("gzip, br"), triple (gzip three
                         times), unknown ("compress"), corrupt, cut (the first 2000 bytes),
                         trailing (junk after the gzip stream), bomb (64 MiB of zeros in br)
  /coded-chunked         gzip, chunked
  /coded-304             304 with Content-Encoding: gzip
Anything else is a 404 with keep-alive.
"""

import argparse
import asyncio
import socket
import ssl
import struct
import sys
import urllib.parse

import coded_cases
import retry_cases
import wild_cases
from http_replies import keep_alive_response, response, wait_for_hangup

CHUNKS = [b"hello ", b"chunked ", b"world\n"]  # 20 bytes in all
NO_LENGTH_BODY = b"body delimited by close\n"
MAX_HEADER_BYTES = 64 * 1024

connections_accepted = 0
stats_connections = 0  # connections opened to ask /stats: not part of what is measured
request_log = []  # every request head received, as bytes
request_host = ""  # the Host header of the request being answered
QUERY_PATHS = ("/stats", "/requests")  # what the tests ask the server: never logged


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


async def requests(reader, writer):
    writer.write(keep_alive_response(b"".join(head + b"\r\n" for head in request_log)))
    return True


# --- framing -------------------------------------------------------------------------------

async def chunk_size_overflow(reader, writer):
    writer.write(response(200, "OK", [("Transfer-Encoding", "chunked")],
                          b"ffffffffffffffffff\r\nhello\r\n0\r\n\r\n"))
    return False


async def chunk_size_negative(reader, writer):
    writer.write(response(200, "OK", [("Transfer-Encoding", "chunked")],
                          b"-5\r\nhello\r\n0\r\n\r\n"))
    return False


async def chunk_size_empty(reader, writer):
    writer.write(response(200, "OK", [("Transfer-Encoding", "chunked")],
                          b"\r\nhello\r\n0\r\n\r\n"))
    return False


async def chunked_cut(reader, writer):
    writer.write(response(200, "OK", [("Transfer-Encoding", "chunked")], b"5\r\nhello\r\n"))
    return False


async def chunked_cut_mid_chunk(reader, writer):
    writer.write(response(200, "OK", [("Transfer-Encoding", "chunked")], b"100\r\nhello"))
    return False


async def cl_and_te(reader, writer):
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in CHUNKS) + b"0\r\n\r\n"
    writer.write(response(200, "OK", [("Content-Length", 5), ("Transfer-Encoding", "chunked")],
                          body))
    return False


async def cl_conflict(reader, writer):
    writer.write(response(200, "OK", [("Content-Length", 5), ("Content-Length", 6)], b"hello!"))
    return False


async def cl_negative(reader, writer):
    writer.write(response(200, "OK", [("Content-Length", -1)], b"hello"))
    return False


async def cl_garbage(reader, writer):
    writer.write(response(200, "OK", [("Content-Length", "abc")], b"hello"))
    return False


async def cl_overflow(reader, writer):
    writer.write(response(200, "OK", [("Content-Length", "9" * 26)], b"hello"))
    return False


async def longer_than_declared(reader, writer):
    writer.write(response(200, "OK", [("Content-Length", 5), ("Connection", "keep-alive")],
                          b"hello" + b" STRAY BYTES"[:11]))
    return True


async def status_999(reader, writer):
    writer.write(b"HTTP/1.1 999 Weird\r\nContent-Length: 3\r\n\r\nok\n")
    return False


async def status_two_digits(reader, writer):
    writer.write(b"HTTP/1.1 20 OK\r\nContent-Length: 3\r\n\r\nok\n")
    return False


async def header_nul(reader, writer):
    writer.write(b"HTTP/1.1 200 OK\r\nX-Nul: a\x00b\r\nContent-Length: 3\r\n\r\nok\n")
    return False


async def header_no_colon(reader, writer):
    writer.write(b"HTTP/1.1 200 OK\r\nX-No-Colon-Here\r\nContent-Length: 3\r\n\r\nok\n")
    return False


async def headers_cut(reader, writer):
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/pl")
    return False


async def interims_then_ok(reader, writer):
    writer.write(b"HTTP/1.1 100 Continue\r\n\r\n"
                 b"HTTP/1.1 102 Processing\r\n\r\n"
                 b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n")
    writer.write(keep_alive_response(b"final\n"))
    return True


async def no_content_with_body(status, reason, writer):
    stray = b"0123456789abcdef"
    writer.write(response(status, reason, [("Content-Length", len(stray)),
                                           ("Connection", "keep-alive")], stray))
    return True


async def no_content_204_with_body(reader, writer):
    return await no_content_with_body(204, "No Content", writer)


async def not_modified_304_with_body(reader, writer):
    return await no_content_with_body(304, "Not Modified", writer)


async def huge_header(reader, writer):
    writer.write(response(200, "OK", [("X-Huge", "h" * (100 * 1024)), ("Content-Length", 3)],
                          b"ok\n"))
    return False


async def many_headers(reader, writer):
    writer.write(b"HTTP/1.1 200 OK\r\n" + b"h:v\r\n" * 10000 +
                 b"Content-Length: 3\r\n\r\nok\n")
    return False


async def endless_headers(reader, writer):
    writer.write(b"HTTP/1.1 200 OK\r\n")
    block = b"".join(b"X-Endless-%d: yes\r\n" % n for n in range(1000))
    while not writer.transport.is_closing():
        writer.write(block)
        await writer.drain()
    return False


async def endless_headers_slow(reader, writer):
    writer.write(b"HTTP/1.1 200 OK\r\n")
    n = 0
    while not writer.transport.is_closing():
        writer.write(b"X-Slow-%d: yes\r\n" % n)
        await writer.drain()
        await asyncio.sleep(0.05)
        n += 1
    return False


async def endless_chunked(reader, writer):
    writer.write(response(200, "OK", [("Transfer-Encoding", "chunked")]))
    chunk = b"%x\r\n%s\r\n" % (65536, b"c" * 65536)
    while not writer.transport.is_closing():
        writer.write(chunk)
        await writer.drain()
    return False


async def huge_content_length(reader, writer):
    writer.write(response(200, "OK", [("Content-Length", 100 * 1024 ** 3)]))
    block = b"z" * 65536
    while not writer.transport.is_closing():
        writer.write(block)
        await writer.drain()
    return False


# --- network -------------------------------------------------------------------------------

async def reset_mid_body(reader, writer):
    writer.write(response(200, "OK", [("Content-Length", 100000)], b"r" * 1000))
    await writer.drain()
    await asyncio.sleep(0.1)
    return await reset(reader, writer)


async def no_length_cut(reader, writer):
    writer.write(response(200, "OK", [], NO_LENGTH_BODY))
    await writer.drain()
    await asyncio.sleep(0.1)  # the bytes reach the kernel, then the client
    # A FIN on the TCP socket itself: TLS never says close_notify.
    writer.get_extra_info("socket").shutdown(socket.SHUT_RDWR)
    writer.transport.abort()
    return False


# --- redirects -----------------------------------------------------------------------------

async def redirect(reader, writer, query):
    params = urllib.parse.parse_qs(query, keep_blank_values=True)
    location = params.get("to", [""])[0]
    status = int(params.get("status", ["302"])[0])
    writer.write(response(status, "Redirect", [("Location", location), ("Content-Length", 0),
                                               ("Connection", "keep-alive")]))
    return True


async def redirect_userinfo(reader, writer):
    writer.write(response(302, "Found", [("Location", f"http://eve:leaked-in-location@{request_host}/ok"),
                                         ("Content-Length", 0), ("Connection", "keep-alive")]))
    return True


async def redirect_huge_location(reader, writer):
    writer.write(response(302, "Found", [("Location", "/ok?" + "l" * 70000),
                                         ("Content-Length", 0)]))
    return False


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
    "/requests": requests,
    "/chunk-size-overflow": chunk_size_overflow,
    "/chunk-size-negative": chunk_size_negative,
    "/chunk-size-empty": chunk_size_empty,
    "/chunked-cut": chunked_cut,
    "/chunked-cut-mid-chunk": chunked_cut_mid_chunk,
    "/cl-and-te": cl_and_te,
    "/cl-conflict": cl_conflict,
    "/cl-negative": cl_negative,
    "/cl-garbage": cl_garbage,
    "/cl-overflow": cl_overflow,
    "/longer-than-declared": longer_than_declared,
    "/status-999": status_999,
    "/status-two-digits": status_two_digits,
    "/header-nul": header_nul,
    "/header-no-colon": header_no_colon,
    "/headers-cut": headers_cut,
    "/interims-then-ok": interims_then_ok,
    "/204-with-body": no_content_204_with_body,
    "/304-with-body": not_modified_304_with_body,
    "/huge-header": huge_header,
    "/many-headers": many_headers,
    "/endless-headers": endless_headers,
    "/endless-headers-slow": endless_headers_slow,
    "/endless-chunked": endless_chunked,
    "/huge-content-length": huge_content_length,
    "/reset-mid-body": reset_mid_body,
    "/no-length-cut": no_length_cut,
    "/redirect-huge-location": redirect_huge_location,
    "/redirect-userinfo": redirect_userinfo,
    **wild_cases.ROUTES,
    **coded_cases.ROUTES,
}
# Handlers for every path under a prefix; they get the path.
PREFIX_ROUTES = {**coded_cases.PREFIX_ROUTES}
# Handlers that also read the query string.
QUERY_ROUTES = {
    "/redirect": redirect,
    **wild_cases.QUERY_ROUTES,
    **retry_cases.QUERY_ROUTES,
}


async def read_request(reader):
    """(path, query, client asked for Connection: close) of the next request, or None when
    the client closed or sent junk."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError,
            ssl.SSLError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    request_line = lines[0].split()
    if len(request_line) != 3:
        request_log.append(head)
        return None
    global request_host
    request_host = next((line.split(":", 1)[1].strip() for line in lines[1:]
                         if line.lower().startswith("host:")), "")
    path, _, query = request_line[1].partition("?")
    # A body framed by Content-Length is read (so that the next request starts after it)
    # and logged right after its head.
    length = next((line.split(":", 1)[1].strip() for line in lines[1:]
                   if line.lower().startswith("content-length:")), "0")
    try:
        body = await reader.readexactly(int(length)) if length.isdigit() else b""
    except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
        request_log.append(head)
        return None
    if path not in QUERY_PATHS:
        request_log.append(head + body)
    wants_close = any(line.lower().replace(" ", "") == "connection:close" for line in lines[1:])
    return path, query, wants_close


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
            path, query, wants_close = request
            if first and path in QUERY_PATHS:
                stats_connections += 1
            first = False
            prefix = next((p for p in PREFIX_ROUTES if path.startswith(p)), None)
            if path in QUERY_ROUTES:
                keep_open = await QUERY_ROUTES[path](reader, writer, query)
            elif prefix is not None:
                keep_open = await PREFIX_ROUTES[prefix](reader, writer, path)
            else:
                keep_open = await ROUTES.get(path, not_found)(reader, writer)
            keep_open = keep_open and not wants_close
            await writer.drain()
    except (ConnectionError, ssl.SSLError, OSError):
        pass
    finally:
        if not writer.transport.is_closing():
            writer.close()
        try:
            await writer.wait_closed()
        except (ConnectionError, ssl.SSLError):
            pass


TLS_VERSIONS = {
    "1.0": ssl.TLSVersion.TLSv1,
    "1.1": ssl.TLSVersion.TLSv1_1,
    "1.2": ssl.TLSVersion.TLSv1_2,
    "1.3": ssl.TLSVersion.TLSv1_3,
}


async def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--tls-min", choices=sorted(TLS_VERSIONS))
    parser.add_argument("--tls-max", choices=sorted(TLS_VERSIONS))
    parser.add_argument("--tls-seclevel0", action="store_true")
    args = parser.parse_args()

    tls = None
    if args.tls_cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        if args.tls_seclevel0:
            # Before loading the certificate: at the default level OpenSSL refuses to load a
            # weak key or a SHA-1 signed one, and to speak TLS 1.0 or 1.1.
            tls.set_ciphers("DEFAULT:@SECLEVEL=0")
        if args.tls_min:
            tls.minimum_version = TLS_VERSIONS[args.tls_min]
        if args.tls_max:
            tls.maximum_version = TLS_VERSIONS[args.tls_max]
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
