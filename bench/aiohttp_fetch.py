#!/usr/bin/python3
"""Fetch every URL of a file with aiohttp: the Python baseline of bench/run.

    /usr/bin/python3 bench/aiohttp_fetch.py [--cacert CA.pem] [-j 50] [--session-per-url] URLS.txt

Default: one shared ClientSession whose TCPConnector allows at most -j connections, and -j
worker tasks pulling URLs from the file (never one task per URL, so 100 000 URLs cost no
more memory than 1 000). Each body is read fully, in chunks, and its bytes counted (not kept).

--session-per-url: the shape of the original asyncio example: a new ClientSession (so a new
connection and TLS handshake) for every URL, still at most -j at once. The SSL context is
built once and shared, as a program that cared would.

Prints "aiohttp: OK ok, FAILED failed, BYTES bytes" on standard error and exits 1 when any
URL failed (a transport error or a status other than 200), 0 otherwise.
"""

import argparse
import asyncio
import ssl
import sys

import aiohttp

CHUNK = 256 * 1024


class Totals:
    def __init__(self):
        self.ok = 0
        self.failed = 0
        self.bytes = 0
        self.first_error = None

    def fail(self, url, what):
        self.failed += 1
        if self.first_error is None:
            self.first_error = f"{url}: {what}"


async def fetch_one(session, url, totals):
    try:
        async with session.get(url) as response:
            size = 0
            async for chunk in response.content.iter_chunked(CHUNK):
                size += len(chunk)
            totals.bytes += size
            if response.status == 200:
                totals.ok += 1
            else:
                totals.fail(url, f"HTTP {response.status}")
    except Exception as error:  # noqa: BLE001 - every failure counts, whatever its kind
        totals.fail(url, f"{type(error).__name__}: {error}")


def urls_of(path):
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            url = line.strip()
            if url and not url.startswith("#"):
                yield url


async def main(args):
    context = ssl.create_default_context(cafile=args.cacert)
    totals = Totals()
    urls = urls_of(args.urls)  # shared by the workers; asyncio is single-threaded

    if args.session_per_url:
        async def worker():
            for url in urls:
                connector = aiohttp.TCPConnector(ssl=context)
                async with aiohttp.ClientSession(connector=connector) as session:
                    await fetch_one(session, url, totals)

        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    else:
        connector = aiohttp.TCPConnector(limit=args.concurrency, ssl=context)
        async with aiohttp.ClientSession(connector=connector) as session:
            async def worker():
                for url in urls:
                    await fetch_one(session, url, totals)

            await asyncio.gather(*(worker() for _ in range(args.concurrency)))

    print(f"aiohttp: {totals.ok} ok, {totals.failed} failed, {totals.bytes} bytes",
          file=sys.stderr)
    if totals.first_error:
        print(f"aiohttp: first failure: {totals.first_error}", file=sys.stderr)
    return 1 if totals.failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", help="file with one URL per line")
    parser.add_argument("--cacert", help="PEM file of the CA to trust (default: system store)")
    parser.add_argument("-j", "--concurrency", type=int, default=50)
    parser.add_argument("--session-per-url", action="store_true",
                        help="a new ClientSession for every URL (the original example's shape)")
    sys.exit(asyncio.run(main(parser.parse_args())))
