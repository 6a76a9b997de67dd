#!/usr/bin/env python3
"""A DNS server for tests that misbehaves on purpose, chosen by the first label of the name.

    ok*        A 127.0.0.1 (AAAA: no data)          nx*        NXDOMAIN
    second*    A 127.0.0.2 then A 127.0.0.1 (a dead address before a live one)
    servfail*  SERVFAIL                              refused*   REFUSED
    garbage*   random bytes instead of a reply       slow*      like ok*, after --slow seconds
    silent*    never answers

Binds UDP port 0 on --host, prints the port as its first line, serves until killed. With
--log FILE, appends "<qtype> <name>" per query, so tests can count lookups.
Standard library only.
"""
import argparse
import asyncio
import os
import struct
import sys

TYPE_A, TYPE_AAAA = 1, 28
NOERROR, SERVFAIL, NXDOMAIN, REFUSED = 0, 2, 3, 5


def parse_question(packet):
    """Returns (id, flags, name, qtype, end of question) or None for a malformed query."""
    if len(packet) < 12:
        return None
    query_id, flags, qdcount = struct.unpack("!HHH", packet[:6])
    if qdcount != 1:
        return None
    labels, offset = [], 12
    while offset < len(packet) and packet[offset] != 0:
        length = packet[offset]
        labels.append(packet[offset + 1:offset + 1 + length].decode("ascii", "replace"))
        offset += 1 + length
    offset += 1
    if offset + 4 > len(packet):
        return None
    qtype, _qclass = struct.unpack("!HH", packet[offset:offset + 4])
    return query_id, flags, ".".join(labels).lower(), qtype, offset + 4


def reply(packet, question_end, query_id, flags, rcode, answers=()):
    """A response echoing the question, with rcode and (type, rdata) answers."""
    rd = flags & 0x0100
    header = struct.pack("!HHHHHH", query_id, 0x8000 | 0x0400 | rd | 0x0080 | rcode, 1,
                         len(answers), 0, 0)
    body = packet[12:question_end]
    for rtype, rdata in answers:
        body += struct.pack("!HHHIH", 0xC00C, rtype, 1, 60, len(rdata)) + rdata
    return header + body


class FakeDns(asyncio.DatagramProtocol):
    def __init__(self, slow_seconds, log_path):
        self.slow_seconds = slow_seconds
        self.log_path = log_path
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, packet, address):
        question = parse_question(packet)
        if question is None:
            return
        query_id, flags, name, qtype, end = question
        if self.log_path:
            with open(self.log_path, "a", encoding="ascii") as log:
                log.write(f"{qtype} {name}\n")
        label = name.split(".", 1)[0]
        if label.startswith("silent"):
            return
        if label.startswith("garbage"):
            self.transport.sendto(os.urandom(7) + b"\xff" * 20, address)
            return
        if label.startswith("nx"):
            response = reply(packet, end, query_id, flags, NXDOMAIN)
        elif label.startswith("servfail"):
            response = reply(packet, end, query_id, flags, SERVFAIL)
        elif label.startswith("refused"):
            response = reply(packet, end, query_id, flags, REFUSED)
        elif label.startswith("second"):
            answers = [(TYPE_A, bytes([127, 0, 0, 2])),
                       (TYPE_A, bytes([127, 0, 0, 1]))] if qtype == TYPE_A else []
            response = reply(packet, end, query_id, flags, NOERROR, answers)
        else:
            answers = [(TYPE_A, bytes([127, 0, 0, 1]))] if qtype == TYPE_A else []
            response = reply(packet, end, query_id, flags, NOERROR, answers)
        if label.startswith("slow"):
            asyncio.get_running_loop().call_later(self.slow_seconds, self.transport.sendto,
                                                  response, address)
        else:
            self.transport.sendto(response, address)


async def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--slow", type=float, default=2.0, help="delay of slow* answers")
    parser.add_argument("--log", help="append one line per query to this file")
    options = parser.parse_args()
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(
        lambda: FakeDns(options.slow, options.log), local_addr=(options.host, 0))
    print(transport.get_extra_info("sockname")[1], flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
