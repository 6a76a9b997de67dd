"""Bytes of HTTP/1.1 replies, shared by the misbehaving server's modules."""

import ssl


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
