"""Bodies in content codings, for the body chain's tests: each coding, stacked ones, unknown
ones, corrupt and cut streams, junk after the stream, and a decompression bomb. Routes of
misbehaving_server.py; see its docstring for the list. Every body decodes to PAGE (100 000
bytes of text) unless said otherwise."""

import random
import zlib

import brotli
import zstandard

from http_replies import response


def make_page(size):
    rng = random.Random(7)
    words = [b"the ", b"fetch ", b"of ", b'<div class="x">', b"many ", b"URLs ", b"</div>\n",
             b"and ", b"HTTP ", b"timing "]
    out = bytearray()
    while len(out) < size:
        out += rng.choice(words)
    return bytes(out[:size])


PAGE = make_page(100_000)


def deflate(data, wbits):
    encoder = zlib.compressobj(6, zlib.DEFLATED, wbits)
    return encoder.compress(data) + encoder.flush()


def gzip(data):
    return deflate(data, 16 + 15)


# name -> (Content-Encoding, a function making the body). Made on first use: every test
# starts a server, few ask for a coded body.
CODINGS = {
    "gzip": ("gzip", lambda: gzip(PAGE)),
    "x-gzip": ("x-gzip", lambda: gzip(PAGE)),
    "deflate": ("deflate", lambda: deflate(PAGE, 15)),
    "deflate-raw": ("deflate", lambda: deflate(PAGE, -15)),
    "br": ("br", lambda: brotli.compress(PAGE)),
    "zstd": ("zstd", lambda: zstandard.ZstdCompressor().compress(PAGE)),
    "gzip-br": ("gzip, br", lambda: brotli.compress(gzip(PAGE))),
    "triple": ("gzip, gzip, gzip", lambda: gzip(gzip(gzip(PAGE)))),
    "unknown": ("compress", lambda: b"not a coding fetch knows"),
    "corrupt": ("gzip", lambda: b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4),
    "cut": ("gzip", lambda: gzip(PAGE)[:2000]),
    "trailing": ("gzip", lambda: gzip(PAGE) + b"<junk after the stream>"),
    # 64 MiB of zeros in a few hundred bytes.
    "bomb": ("br", lambda: brotli.compress(bytes(64 * 1024 * 1024), quality=5)),
}


made = {}


def encoded(name):
    """(Content-Encoding, body) of CODINGS[name]."""
    if name not in made:
        encoding, make = CODINGS[name]
        made[name] = (encoding, make())
    return made[name]


async def coded(reader, writer, path):
    """/coded/NAME: the body CODINGS[NAME] with its Content-Encoding, keep-alive."""
    encoding, body = encoded(path.rsplit("/", 1)[1])
    writer.write(response(200, "OK", [("Content-Type", "text/html"), ("Content-Encoding", encoding),
                                      ("Content-Length", len(body)), ("Connection", "keep-alive")],
                          body))
    return True


async def coded_chunked(reader, writer):
    """/coded-chunked: gzip, in chunks of 1000 bytes."""
    body = encoded("gzip")[1]
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 1000]), body[i:i + 1000])
                      for i in range(0, len(body), 1000))
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"
                 b"Connection: keep-alive\r\n\r\n" + chunks + b"0\r\n\r\n")
    return True


async def coded_not_modified(reader, writer):
    writer.write(response(304, "Not Modified", [("Content-Encoding", "gzip"),
                                                ("Connection", "keep-alive")]))
    return True


ROUTES = {"/coded-chunked": coded_chunked, "/coded-304": coded_not_modified}
PREFIX_ROUTES = {"/coded/": coded}
