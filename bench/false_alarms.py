#!/usr/bin/python3
"""How often fetch's baseline comparison cries wolf: runs the same benchmark twice, again and
again, on a private loopback nginx (the benchmark's, HTTPS), and counts how many of the
same-condition comparisons `--baseline` calls a regression (a false alarm) or an inconclusive
slowdown (a warning).

    bench/false_alarms.py --fetch build/fetch [--pairs 100] [--runs 10] [--urls 100]

Each pair is two consecutive runs of `fetch --runs R` over the same N URLs, the second with
`--baseline` on the first; nothing changes between them but the machine's own noise (on a
shared machine, that includes everyone else's work). Prints one Markdown table of the verdicts,
overall and per URL, with 95% Wilson intervals for the rates. Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness.nginx import Nginx, make_docroot, make_pki  # noqa: E402


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion hits / n."""
    if n == 0:
        return 0.0, 1.0
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def run_fetch(fetch: str, args: list[str]) -> dict:
    """Runs fetch, which writes its summary to stdout; returns it parsed."""
    result = subprocess.run([fetch, *args, "--export-json", "-"], capture_output=True, check=False)
    if result.returncode not in (0, 98):
        raise SystemExit(f"fetch exited {result.returncode}: {result.stderr.decode(errors='replace')}")
    return json.loads(result.stdout)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench/false_alarms.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--fetch", required=True, help="the fetch binary")
    parser.add_argument("--pairs", type=int, default=100, help="same-condition comparisons (100)")
    parser.add_argument("--runs", type=int, default=10, help="passes per run (10)")
    parser.add_argument("--urls", type=int, default=100, help="URLs in the list (100)")
    parser.add_argument("--concurrency", type=int, default=10, help="-j (10)")
    parser.add_argument("--max-regression", default="5", help="--max-regression PCT (5)")
    parser.add_argument("--alpha", default="0.01", help="--alpha (0.01)")
    args = parser.parse_args(argv)
    nginx_program = shutil.which("nginx") or "/usr/sbin/nginx"
    tmp = Path(tempfile.mkdtemp(prefix="fetch-false-alarms-"))
    nginx = None
    try:
        ca, leaf, key = make_pki(tmp / "pki")
        make_docroot(tmp / "www", 1024)
        nginx = Nginx(nginx_program, tmp / "nginx", tmp / "www", leaf, key)
        nginx.start()
        urls = tmp / "urls.txt"
        urls.write_text("".join(f"https://127.0.0.1:{nginx.port}/small.txt?i={i}\n"
                                for i in range(args.urls)))
        common = ["-q", "--cacert", str(ca), "-j", str(args.concurrency), "--runs", str(args.runs),
                  "--warmup", "1", str(urls)]
        overall: Counter[str] = Counter()
        per_url: Counter[str] = Counter()
        ratios: list[float] = []
        base = tmp / "base.json"
        for pair in range(args.pairs):
            base.write_text(json.dumps(run_fetch(args.fetch, common)))
            doc = run_fetch(args.fetch, [*common, "--baseline", str(base), "--max-regression",
                                         args.max_regression, "--alpha", args.alpha])
            comparisons = doc["baseline"]["comparisons"]
            first = comparisons[0]
            verdict = "warning" if first["warning"] else first["verdict"]
            overall[verdict] += 1
            if first["ratio"] is not None:
                ratios.append(first["ratio"])
            for c in comparisons[1:]:
                per_url["warning" if c["warning"] else c["verdict"]] += 1
            print(f"pair {pair + 1}/{args.pairs}: {verdict}, ratio {first['ratio']}",
                  file=sys.stderr)
    finally:
        if nginx:
            nginx.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    def row(name: str, counts: Counter[str]) -> str:
        n = sum(counts.values())
        alarms = counts["regression"]
        warnings = counts["warning"]
        low, high = wilson(alarms, n)
        return (f"| {name} | {n} | {alarms} ({alarms / n:.2%}, 95% CI {low:.2%}-{high:.2%}) | "
                f"{warnings} ({warnings / n:.2%}) | {counts['no_change']} | "
                f"{counts['improvement']} | {counts['inconclusive']} |")

    ratios.sort()
    print(f"Same-condition comparisons: {args.pairs} pairs of `fetch --runs {args.runs} --warmup 1 "
          f"-j {args.concurrency}` over {args.urls} HTTPS URLs on loopback nginx; --alpha "
          f"{args.alpha}, --max-regression {args.max_regression}%.\n")
    print("| scope | comparisons | false alarms (regression) | inconclusive slowdowns | no change "
          "| improvement | other inconclusive |")
    print("|---|--:|--:|--:|--:|--:|--:|")
    print(row("overall", overall))
    print(row("per URL", per_url))
    if ratios:
        print(f"\nOverall ratio new/base: median {ratios[len(ratios) // 2]:.3f}, "
              f"from {ratios[0]:.3f} to {ratios[-1]:.3f}.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
