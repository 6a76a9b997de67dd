"""Running one child to completion and measuring it.

For the child: wall time (taken here), CPU (user + sys of it and its descendants, from
wait4()), peak RSS (GNU /usr/bin/time's %M, or VmHWM sampled from /proc). Meanwhile: the
server's CPU, its connection and request counters and what its access log says (connections
used, protocols), on the WAN workloads the proxy's CPU and the bytes it carried each way, and
the CPU everything else on the machine used (other load).
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Protocol

CLK_TCK = os.sysconf("SC_CLK_TCK")

# Peak RSS. A child's ru_maxrss starts at the RSS of the process it was forked from (Linux
# records the old memory map's high-water mark at exec), so wait4() on a child of this
# Python runner, which holds 100 000 URLs, would report at least the runner's size. GNU time
# forks the tool from its own tiny process and reports the tool's own maximum with %M; the
# tool's CPU still comes from our wait4() on time (time itself adds well under 1 ms).
# Without /usr/bin/time, VmHWM of the tool is sampled from /proc every 5 ms instead.
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None

_current_child: subprocess.Popen | None = None


class Server(Protocol):
    """What measure() asks of the server (nginx.Nginx)."""

    @property
    def pid(self) -> int | None: ...

    def start_run(self): ...  # nginx.RunStart | None

    def end_run(self, start): ...  # nginx.RunTraffic | None


class Relay(Protocol):
    """What measure() asks of the WAN proxy (proxy.WanProxy)."""

    @property
    def pid(self) -> int | None: ...

    def idle_counters(self, timeout_s: float = 5.0): ...  # proxy.Counters | None


@dataclasses.dataclass
class Measurement:
    wall_s: float
    cpu_s: float      # user + sys of the child and the descendants it waited for
    maxrss_mib: float
    status: int       # exit status, or -signal
    server_cpu_s: float = 0.0   # nginx's CPU during the run
    other_cpu_s: float = 0.0    # CPU used meanwhile by everything else on the machine
    connections: int | None = None  # TCP connections nginx accepted during the run
    requests: int | None = None     # requests nginx served during the run
    used_connections: int | None = None  # connections that carried requests (access log)
    protocols: dict[str, int] | None = None  # requests by protocol ("HTTP/2.0"; access log)
    timed_out: bool = False
    relay_cpu_s: float = 0.0        # the WAN proxy's CPU during the run
    wire_down: int | None = None    # bytes the WAN proxy carried to the client during the run
    wire_up: int | None = None      # and from it


def kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def kill_current_child() -> None:
    """Kills the process group of the child being measured, if any (on the way out)."""
    if _current_child is not None:
        kill_group(_current_child)


def process_cpu_s(pid: int | None) -> float:
    """user + sys CPU seconds of a running process (0 when unknown)."""
    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime
    except (OSError, IndexError, ValueError):
        return 0.0


def machine_busy_s() -> float:
    """CPU seconds all CPUs have spent not idle since boot (from /proc/stat)."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(x) for x in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


def vm_hwm_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def gnu_time_rss_mib(rss_file: Path) -> float:
    try:  # the last line; time writes "Command exited with non-zero status N" before it
        return int(rss_file.read_text().split()[-1]) / 1024
    except (OSError, ValueError, IndexError):
        return 0.0


@dataclasses.dataclass
class _Waited:
    wait_status: int
    usage: os.struct_rusage
    end: float           # time.perf_counter() as soon as wait4() returned
    sampled_hwm: float   # MiB, only without GNU time
    timed_out: bool


def _wait(proc: subprocess.Popen, timeout_s: float) -> _Waited:
    """Waits for proc with wait4(); kills its process group when timeout_s passes, and
    samples its VmHWM meanwhile when there is no GNU time."""
    timed_out = threading.Event()
    finished = threading.Event()
    sampled_hwm = [0.0]

    def on_timeout() -> None:
        timed_out.set()
        kill_group(proc)

    def sample_hwm() -> None:
        while not finished.wait(0.005):
            sampled_hwm[0] = max(sampled_hwm[0], vm_hwm_mib(proc.pid))

    timer = threading.Timer(timeout_s, on_timeout)
    timer.start()
    sampler = None
    if not GNU_TIME:
        sampler = threading.Thread(target=sample_hwm, daemon=True)
        sampler.start()
    try:
        _, wait_status, usage = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
        finished.set()
    end = time.perf_counter()
    if sampler:
        sampler.join()
    return _Waited(wait_status, usage, end, sampled_hwm[0], timed_out.is_set())


def measure(argv: list[str], stdout: Path | str, stderr: Path, timeout_s: float,
            server: Server | None = None, relay: Relay | None = None) -> Measurement:
    """Runs argv to completion: wall time, CPU from wait4(), peak RSS, and what the server,
    the WAN proxy (when given) and the rest of the machine did meanwhile. The proxy's counters
    are read when it is idle, before and after, so that a run's bytes include its last
    closes and no earlier run's."""
    global _current_child
    server_pid = server.pid if server else None
    relay_pid = relay.pid if relay else None
    wire_before = relay.idle_counters() if relay else None
    rss_file = Path(stderr).with_suffix(".rss")
    if GNU_TIME:
        argv = [GNU_TIME, "-f", "%M", "-o", str(rss_file), "--", *argv]
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        run_start = server.start_run() if server else None
        server_before = process_cpu_s(server_pid)
        relay_before = process_cpu_s(relay_pid)
        busy_before = machine_busy_s()
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                start_new_session=True)
        _current_child = proc
        waited = _wait(proc, timeout_s)
        wall = waited.end - start
        busy = machine_busy_s() - busy_before
        server_cpu = process_cpu_s(server_pid) - server_before
        relay_cpu = process_cpu_s(relay_pid) - relay_before
        proc.returncode = os.waitstatus_to_exitcode(waited.wait_status)
        _current_child = None
    kill_group(proc)  # anything the child left behind in its session
    cpu = waited.usage.ru_utime + waited.usage.ru_stime
    maxrss_mib = gnu_time_rss_mib(rss_file) if GNU_TIME else waited.sampled_hwm
    m = Measurement(wall_s=wall, cpu_s=cpu, maxrss_mib=maxrss_mib,
                    status=proc.returncode, server_cpu_s=server_cpu, relay_cpu_s=relay_cpu,
                    other_cpu_s=max(0.0, busy - cpu - server_cpu - relay_cpu),
                    timed_out=waited.timed_out)
    wire_after = relay.idle_counters() if relay else None
    if wire_before and wire_after:
        m.wire_down = wire_after.down_bytes - wire_before.down_bytes
        m.wire_up = wire_after.up_bytes - wire_before.up_bytes
    traffic = server.end_run(run_start) if server and run_start else None
    if traffic:
        m.connections, m.requests = traffic.accepted, traffic.requests
        if traffic.logged:
            m.used_connections = traffic.logged.connections
            m.protocols = traffic.logged.protocols
    return m


def describe_status(m: Measurement, timeout_s: float) -> str:
    if m.timed_out:
        return f"killed after the {timeout_s:.0f} s time limit"
    if m.status < 0:
        return f"killed by signal {-m.status}"
    return f"exit status {m.status}"
