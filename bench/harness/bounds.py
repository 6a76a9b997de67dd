"""The physical bound of a WAN workload: the least wall time any client could take over the
proxy's link, with CONCURRENCY requests in flight at most, on fresh connections.

    bound = 2 RTT + max(RTT + D / B,  ceil(N / c) * (RTT + s / B))

- 2 RTT before the first request can leave: the TCP handshake (1) and a full TLS 1.3
  handshake (1; no client has a session to resume in a fresh process, and none sends 0-RTT
  early data);
- RTT + D / B: every body byte (D in all, as the server sends it: gzip when the client asks
  and nginx compresses) crosses the link of B bytes/s, starting when the first request has
  reached the server, and the last one arrives rtt/2 after it left;
- ceil(N / c) * (RTT + s / B): at most c of the N exchanges are in flight at once, each takes
  at least one round trip plus its own body's serialization (s, the largest body), so some
  chain of ceil(N / c) exchanges runs one after the other (HTTP/2 too: its streams are
  limited by the same c).
Headers, TLS records and the certificate are not counted: the bound is a lower one, and the
table's wire bytes show what they added. Slow start is not counted either (the proxy does not
model it); a real link would add a few round trips per fresh connection.
"""

from __future__ import annotations

import dataclasses
import math

from harness.common import CONCURRENCY
from harness.proxy import WanLink
from harness.workloads import Workload

HANDSHAKE_RTTS = 2  # TCP + TLS 1.3


@dataclasses.dataclass(frozen=True)
class Bound:
    seconds: float
    body_bytes: int      # D
    encoding: str        # "identity" or "gzip"
    limited_by: str      # "bandwidth" or "round trips"


def bound(workload: Workload, link: WanLink, gzip: bool = True,
          concurrency: int = CONCURRENCY) -> Bound:
    """The workload's bound; with gzip (and a workload nginx compresses) for gzip bodies."""
    compressed = gzip and workload.gzip_bytes is not None
    total = workload.gzip_bytes if compressed else workload.expected_bytes
    largest = workload.gzip_largest if compressed else workload.largest_body
    rate = link.down_bytes_per_s
    bulk = link.rtt_s + total / rate
    chain = math.ceil(len(workload.urls) / concurrency) * (link.rtt_s + largest / rate)
    return Bound(HANDSHAKE_RTTS * link.rtt_s + max(bulk, chain), total,
                 "gzip" if compressed else "identity",
                 "bandwidth" if bulk >= chain else "round trips")
