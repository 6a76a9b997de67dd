"""Servers that fail a few times, then answer: for fetch's --retry. Routes of
misbehaving_server.py; see its docstring for the list.

Each handler gets the connection's reader and writer after the request head was read and the
query string, and returns True to keep the connection for another request. Attempts are
counted per id= value, so that every test (and every URL of one) has counters of its own.
"""

import asyncio
import email.utils
import time
import urllib.parse

from http_replies import keep_alive_response, response

attempts = {}  # (path, id) -> requests received so far


def _params(query):
    return {k: v[0] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}


def _count(path, params):
    key = (path, params.get("id", ""))
    attempts[key] = attempts.get(key, 0) + 1
    return attempts[key]


def _retry_after(value):
    """"date:N" is an HTTP-date N seconds from now; anything else goes as it is."""
    if value.startswith("date:"):
        return email.utils.formatdate(time.time() + float(value[5:]), usegmt=True)
    return value


async def flaky(reader, writer, query):
    """The first fail= (default 1) requests get status= (default 503), with Retry-After:
    retry-after= when given; later ones 200 "ok\\n"."""
    params = _params(query)
    if _count("/flaky", params) <= int(params.get("fail", "1")):
        headers = [("Content-Type", "text/plain"), ("Content-Length", 5),
                   ("Connection", "keep-alive")]
        if "retry-after" in params:
            headers.append(("Retry-After", _retry_after(params["retry-after"])))
        writer.write(response(int(params.get("status", "503")), "Failing", headers, b"busy\n"))
    else:
        writer.write(keep_alive_response(b"ok\n"))
    return True


async def flaky_close(reader, writer, query):
    """The first fail= (default 1) requests: the connection closes without a byte."""
    params = _params(query)
    if _count("/flaky-close", params) <= int(params.get("fail", "1")):
        return False
    writer.write(keep_alive_response(b"ok\n"))
    return True


async def flaky_slow(reader, writer, query):
    """The first fail= (default 1) requests are answered after ms= (default 2000) ms."""
    params = _params(query)
    if _count("/flaky-slow", params) <= int(params.get("fail", "1")):
        await asyncio.sleep(int(params.get("ms", "2000")) / 1000)
    writer.write(keep_alive_response(b"ok\n"))
    return True


QUERY_ROUTES = {
    "/flaky": flaky,
    "/flaky-close": flaky_close,
    "/flaky-slow": flaky_slow,
}
