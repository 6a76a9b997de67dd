#!/usr/bin/python3
"""The benchmark behind bench/run: fetch against curl and aiohttp on a private local nginx.

Run it through bench/run (see bench/README.md). Python 3 standard library only; the aiohttp
client is bench/aiohttp_fetch.py, run with Debian's /usr/bin/python3. This file parses the
arguments and runs the main loop; the work is in harness/, one module per concern. With
--wan, workloads 6 to 8 run through bench/wan_proxy.py, a simulated WAN link in front of nginx.
"""

from __future__ import annotations

import argparse
import datetime
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from harness.common import BENCH_DIR, REPO, BenchError, log
from harness.measurement import kill_current_child
from harness.nginx import Nginx, make_docroot, make_pki
from harness.programs import build_fetch, check_prerequisites, given_binary
from harness.proxy import WanLink, WanProxy
from harness.report import RunInfo, report
from harness.runner import Bench, Settings
from harness.tools import FETCH, FETCH_BASE, SELECTABLE, TOOLS, Commands
from harness.workloads import (LAST_ADDRESS, LOOPBACK, NUMBERS, WAN, Workload, big_size,
                               make_workloads)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run",
        description="Compare fetch with curl and aiohttp on a private local nginx over HTTPS. "
                    "Prints a markdown table and writes it to bench/out/results-DATE.md.")
    parser.add_argument("--fetch", metavar="PATH",
                        help="the fetch binary to measure (default: build build-bench/fetch)")
    parser.add_argument("--fetch-baseline", metavar="PATH",
                        help="also measure this fetch binary, as tool fetch-base, and show "
                             "fetch/fetch-base ratios (a before/after comparison in one run)")
    parser.add_argument("--runs", type=int, metavar="N",
                        help="timed runs per tool and workload; the median is shown (default 5)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: 1 run and smaller workloads (about 30 s plus the build)")
    parser.add_argument("--workloads", metavar="LIST",
                        help="which workloads, e.g. 1,2 (default the loopback ones: 1,2,3,4,5; "
                             "6,7,8 are the WAN ones)")
    parser.add_argument("--wan", action="store_true",
                        help="run the WAN workloads 6,7,8 through the WAN proxy (alone, or "
                             "added to --workloads)")
    parser.add_argument("--rtt-ms", type=float, default=40.0, metavar="MS",
                        help="the WAN proxy's round-trip time (default 40)")
    parser.add_argument("--down-mbit", type=float, default=50.0, metavar="MBIT",
                        help="the WAN proxy's downstream bandwidth, Mbit/s (default 50)")
    parser.add_argument("--fetch-args", default="", metavar="ARGS",
                        help="more options for the fetch tool only (not fetch-base), split on "
                             "spaces, e.g. '--runs 1 --export-json /dev/null': what options cost")
    parser.add_argument("--callgrind", action="store_true",
                        help="also count each fetch build's instructions once per workload "
                             "under valgrind's callgrind (exact, machine-independent)")
    parser.add_argument("--include-slow", action="store_true",
                        help="also run aiohttp session-per-URL on workload 5 (minutes per run)")
    parser.add_argument("--tools", default=",".join(SELECTABLE), metavar="LIST",
                        help=f"which tools (default all: {','.join(SELECTABLE)})")
    args = parser.parse_args(argv)
    if args.runs is None:
        args.runs = 1 if args.quick else 5
    if args.runs < 0 or (args.runs == 0 and not args.callgrind):
        parser.error("--runs must be at least 1 (0 only with --callgrind)")
    usage = "--workloads takes numbers from 1 to 8, e.g. 1,2"
    try:
        chosen = ({int(w) for w in args.workloads.split(",") if w.strip()} if args.workloads
                  else set() if args.wan else set(LOOPBACK))
    except ValueError:
        parser.error(usage)
    args.workloads = sorted(chosen | (set(WAN) if args.wan else set()))
    if not args.workloads or not set(args.workloads) <= set(NUMBERS):
        parser.error(usage)
    if args.rtt_ms <= 0 or args.down_mbit <= 0:
        parser.error("--rtt-ms and --down-mbit must be above 0")
    args.tools = {t.strip() for t in args.tools.split(",") if t.strip()}
    unknown = args.tools - set(SELECTABLE)
    if unknown or not args.tools:
        parser.error(f"--tools takes names from {','.join(SELECTABLE)}")
    if args.fetch and FETCH.key not in args.tools:
        parser.error("--fetch given but fetch left out of --tools")
    if args.fetch_baseline:
        if FETCH.key not in args.tools:
            parser.error("--fetch-baseline given but fetch left out of --tools")
        args.tools.add(FETCH_BASE.key)
    return args


def fetch_binaries(args: argparse.Namespace, tmp: Path) -> dict[str, Path]:
    """The fetch binaries to measure, by tool key: given, or built into build-bench/."""
    binaries = {}
    if FETCH.key in args.tools:
        binaries[FETCH.key] = (given_binary("--fetch", args.fetch) if args.fetch
                               else build_fetch(tmp / "build.log"))
    if args.fetch_baseline:
        binaries[FETCH_BASE.key] = given_binary("--fetch-baseline", args.fetch_baseline)
    return binaries


def start_server(programs: dict[str, str], tmp: Path, quick: bool,
                 wan: bool) -> tuple[Nginx, Path]:
    """The CA, the docroot and nginx, all in tmp: (the running nginx, the CA file)."""
    log(f"bench: test CA, docroot and nginx in {tmp}")
    ca, leaf, key = make_pki(tmp / "pki")
    make_docroot(tmp / "www", big_size(quick), wan)
    nginx = Nginx(programs["nginx"], tmp / "nginx", tmp / "www", leaf, key)
    nginx.start()
    log(f"bench: nginx pid {nginx.pid} on port {nginx.port} "
        f"(127.0.0.1 ... 127.0.0.{LAST_ADDRESS})")
    return nginx, ca


def start_proxy(link: WanLink, nginx: Nginx, tmp: Path) -> WanProxy:
    proxy = WanProxy(link, tmp / "proxy")
    proxy.start(nginx.port)
    log(f"bench: WAN proxy pid {proxy.pid} on port {proxy.port} ({link.describe()}), "
        f"counters on port {proxy.stats_port}")
    return proxy


def measure_gzip(workloads: dict[int, Workload], nginx: Nginx, ca: Path) -> None:
    """What nginx's gzip makes of the pages it compresses, for the checks and the bound."""
    for workload in workloads.values():
        if workload.gzip_paths:
            sizes = nginx.gzip_sizes(workload.gzip_paths, ca)
            workload.gzip_bytes, workload.gzip_largest = sum(sizes), max(sizes)


def write_report(text: str, complete: bool) -> None:
    out_dir = BENCH_DIR / "out"
    out_dir.mkdir(exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H%M%S")
    path = out_dir / f"results-{stamp}{'' if complete else '-incomplete'}.md"
    path.write_text(text)
    log(f"bench: wrote {path.relative_to(REPO)}")


def install_signal_handlers() -> None:
    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)

    # Installed explicitly: a shell starts background jobs with SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    build = FETCH.key in args.tools and not args.fetch
    try:
        programs = check_prerequisites(args.tools, build)
    except BenchError as error:
        log(f"bench: {error}")
        return 2
    install_signal_handlers()
    tmp = Path(tempfile.mkdtemp(prefix="fetch-bench-"))
    nginx: Nginx | None = None
    proxy: WanProxy | None = None
    bench: Bench | None = None
    wan = any(number in WAN for number in args.workloads)
    link = WanLink(args.rtt_ms, args.down_mbit) if wan else None
    binaries: dict[str, Path] = {}
    complete = False
    failure = ""
    try:
        binaries = fetch_binaries(args, tmp)
        nginx, ca = start_server(programs, tmp, args.quick, wan)
        if link:
            proxy = start_proxy(link, nginx, tmp)
        workloads = make_workloads(nginx.port, args.quick, proxy.port if proxy else None)
        measure_gzip(workloads, nginx, ca)
        bench = Bench(Settings(args.runs, args.quick, args.include_slow),
                      Commands(ca, programs, binaries, tuple(args.fetch_args.split())), tmp, nginx,
                      proxy)
        started = time.monotonic()
        if "wrk" in args.tools and any(number in LOOPBACK for number in args.workloads):
            bench.run_wrk()
        tools = [t for t in TOOLS if t.key in args.tools]
        for number in args.workloads:
            if tools and args.runs > 0:
                bench.run_workload(workloads[number], tools)
            if args.callgrind:
                bench.count_workload(workloads[number], tools)
        complete = True
        log(f"bench: done in {time.monotonic() - started:.0f} s")
    except BenchError as error:
        failure = f"bench: error: {error}"
    except KeyboardInterrupt:
        failure = "bench: interrupted"
    except SystemExit as stop:  # SIGTERM or SIGHUP, see on_signal
        failure = f"bench: stopped by signal {int(stop.code) - 128}"
    finally:
        kill_current_child()
        if proxy:
            proxy.stop()
        if nginx:
            nginx.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    if bench and (bench.rows or bench.wrk or bench.counts):
        info = RunInfo(programs, binaries, args.tools, args.runs, args.quick, link)
        text = report(bench, info, complete, failure)
        print(text, end="")
        write_report(text, complete)
    if failure:
        log(failure)
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
