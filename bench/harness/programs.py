"""The programs the benchmark needs: checking the prerequisites, and the fetch binaries
(built in build-bench/, or given with --fetch and --fetch-baseline)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from harness.common import DEBIAN_PYTHON, REPO, BenchError, log, tail
from harness.tools import AIOHTTP_KEYS, CURL_KEYS


def find_program(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path="/usr/local/sbin:/usr/sbin:/sbin")


def _missing_features(tools: set[str], found: dict[str, str]) -> list[str]:
    """What the programs found lack: aiohttp, curl's HTTP/2, nginx's modules."""
    missing = []
    if tools & AIOHTTP_KEYS:
        probe = subprocess.run([DEBIAN_PYTHON, "-c", "import aiohttp"], capture_output=True,
                               check=False) if os.access(DEBIAN_PYTHON, os.X_OK) else None
        if probe is None or probe.returncode != 0:
            missing.append(f"aiohttp for {DEBIAN_PYTHON} (Debian package python3-aiohttp)")
    if tools & {"curl-h2", "curl-h2-compressed"} and "curl" in found:
        version = subprocess.run([found["curl"], "-V"], capture_output=True, text=True,
                                 check=False).stdout
        if "HTTP2" not in version:
            missing.append("curl with HTTP/2 support (Debian's curl has it)")
        if "curl-h2-compressed" in tools and "libz" not in version:
            missing.append("curl with zlib, for --compressed (Debian's curl has it)")
    if "nginx" in found:
        configure = subprocess.run([found["nginx"], "-V"], capture_output=True, text=True,
                                   check=False).stderr
        for module in ("http_ssl_module", "http_v2_module", "http_stub_status_module"):
            if f"--with-{module}" not in configure:
                missing.append(f"nginx built with {module} (Debian's nginx-light has it)")
    return missing


def check_prerequisites(tools: set[str], build: bool) -> dict[str, str]:
    """Paths of the programs needed; raises BenchError listing everything that is missing."""
    needed = ["nginx", "openssl"]
    if tools & CURL_KEYS:
        needed.append("curl")
    if "h2load" in tools:
        needed.append("h2load")  # Debian package nghttp2-client
    if "wrk" in tools:
        needed.append("wrk")
    if build:
        needed += ["cmake", "c++"]
    found: dict[str, str] = {}
    missing: list[str] = []
    for name in needed:
        path = find_program(name)
        if path:
            found[name] = path
        else:
            missing.append(f"{name} (not found on PATH or in /usr/sbin)")
    missing += _missing_features(tools, found)
    if missing:
        raise BenchError("missing prerequisites:\n  - " + "\n  - ".join(missing) +
                         "\ninstall them with:  scripts/deps.sh --bench")
    return found


def given_binary(option: str, value: str) -> Path:
    """The executable named by --fetch or --fetch-baseline (a path, or a name on PATH)."""
    found = value if "/" in value else shutil.which(value)
    binary = Path(found or value).resolve()
    if not os.access(binary, os.X_OK) or binary.is_dir():
        raise BenchError(f"{option} {value}: not an executable file")
    return binary


def build_fetch(log_path: Path) -> Path:
    build_dir = REPO / "build-bench"
    steps = [
        ["cmake", "-S", str(REPO), "-B", str(build_dir), "-DCMAKE_BUILD_TYPE=Release",
         "-DFETCH_BUILD_TESTS=OFF"],
        ["cmake", "--build", str(build_dir), "-j2"],
    ]
    log(f"bench: building fetch (Release) in {build_dir} ...")
    start = time.monotonic()
    with open(log_path, "wb") as out:
        for step in steps:
            result = subprocess.run(step, stdout=out, stderr=subprocess.STDOUT, cwd=REPO,
                                    check=False)
            if result.returncode != 0:
                raise BenchError(
                    f"building fetch failed ({' '.join(step)} exited {result.returncode}):\n"
                    f"{tail(log_path, 25)}\n"
                    "give a built binary with --fetch PATH, or leave fetch out with "
                    "--tools curl-h1,curl-h2,aiohttp,aiohttp-per-url,h2load,wrk")
    binary = build_dir / "fetch"
    if not os.access(binary, os.X_OK):
        raise BenchError(f"the build finished but {binary} is not there")
    log(f"bench: built {binary} in {time.monotonic() - start:.0f} s")
    return binary
