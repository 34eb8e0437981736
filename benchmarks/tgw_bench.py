"""TGW route-domain trace benchmark (issue 12): 50 VPCs and 200 sites on one transit gateway.

    .venv/bin/python benchmarks/tgw_bench.py [--vpcs 50] [--sites 200] [--runs 300]

The model: one TGW with three route tables (spokes reach the shared VPC and the sites,
the shared VPC reaches every spoke, the sites reach every VPC), every site over its own BGP
VPN. Reports the compile time and the median of single traces after compile for four flows
(spoke to shared, site to spoke, spoke to site, spoke to spoke: blocked by its table).
Target: each median <= 0.5 ms. Exit status 1 when a target fails. Beside each, the ratio
against the same network on the TGW's one default route table (the baseline: what route
tables cost a trace), timed in turns in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import vpcdsl  # noqa: E402
from vpcdsl.flows.trace import Tracer  # noqa: E402

TARGET_MS = 0.5


def model_text(vpcs: int, sites: int, tables: bool = True) -> str:
    lines = ["region us-east-1"]
    for i in range(vpcs):
        lines += [f"vpc v{i} {{", f"  cidr 10.{i}.0.0/16", f"  subnet s{i}a 10.{i}.1.0/24 az a",
                  f"  subnet s{i}b 10.{i}.2.0/24 az b", f"  route-table r{i} main {{ 0.0.0.0/0 -> core }}",
                  f"  sg g{i} {{ in tcp 443 from 10.0.0.0/8; in tcp 443 from 172.16.0.0/12 }}",
                  f"  instance h{i} in s{i}a sg g{i}", "}"]
    for j in range(sites):
        lines += [f"site site{j} 172.{16 + j // 256}.{j % 256}.0/24 asn {65000 + j}",
                  f"vpn vpn{j} site{j} <-> core bgp"]
    spokes = ", ".join(f"v{i}" for i in range(1, vpcs))
    vpns = ", ".join(f"vpn{j}" for j in range(sites))
    if not tables:
        return "\n".join(lines + ["tgw core asn 64600 {", *(f"  attach v{i}" for i in range(vpcs)),
                                   "}"]) + "\n"
    lines += ["tgw core asn 64600 {", *(f"  attach v{i}" for i in range(vpcs)),
              "  route-table spokes {", f"    associate {spokes}", f"    propagate v0, {vpns}", "  }",
              "  route-table shared {", "    associate v0", f"    propagate {spokes}", "  }",
              "  route-table sites {", f"    associate {vpns}", f"    propagate v0, {spokes}", "  }",
              "}"]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vpcs", type=int, default=50)
    ap.add_argument("--sites", type=int, default=200)
    ap.add_argument("--runs", type=int, default=300)
    args = ap.parse_args(argv)
    text = model_text(args.vpcs, args.sites)
    start = time.perf_counter()
    m = vpcdsl.loads(text, filename="tgw-bench.vpc", strict=False)
    tracer = Tracer(m)
    tracer.trace("h1", "h0", "tcp", 443)          # builds the data plane once
    compiled = time.perf_counter() - start
    assert not m.errors, [str(d) for d in m.errors]
    flows = [("h3", "h0", "allowed"), ("site7", "h9", "allowed"), ("h5", f"site{args.sites - 50}", "allowed"),
             ("h4", "h6", "blocked")]
    print(f"{args.vpcs} VPCs, {args.sites} sites on one TGW with 3 route tables: "
          f"compile and data plane {compiled:.2f} s")
    flat = Tracer(vpcdsl.loads(model_text(args.vpcs, args.sites, tables=False),
                               filename="tgw-flat.vpc", strict=False))
    ok = True
    for src, dst, want in flows:
        got = tracer.trace(src, dst, "tcp", 443).verdict
        assert got == want, (src, dst, got)
        flat.trace(src, dst, "tcp", 443)
        times, base = [], []
        for _ in range(args.runs):                  # in turns: both see the same machine
            t0 = time.perf_counter()
            tracer.trace(src, dst, "tcp", 443)
            t1 = time.perf_counter()
            flat.trace(src, dst, "tcp", 443)
            times.append(t1 - t0)
            base.append(time.perf_counter() - t1)
        ms, base_ms = statistics.median(times) * 1000, statistics.median(base) * 1000
        ok &= ms <= TARGET_MS
        print(f"  {src} -> {dst} tcp 443 ({want}): median {ms:.3f} ms "
              f"{'PASS' if ms <= TARGET_MS else 'FAIL'} (target <= {TARGET_MS} ms); "
              f"one default table {base_ms:.3f} ms, ratio {ms / base_ms:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
