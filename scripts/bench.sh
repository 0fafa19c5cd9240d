#!/bin/sh
# Runs every benchmark binary (<builddir>/tests/*_bench) and prints the results. Each binary runs
# its cases interleaved in random order, repeated, and reports medians, so that a reference and
# the code measured against it see the same machine load. JSON results go to <builddir>/bench/.
# For qr_bench it also prints the ratios and goals that docs/BENCHMARKS.md records, and, when
# VIETNAM_QR_PAY_DIR names a directory where `npm install vietnam-qr-pay` was run, compares
# encode/decode with that npm package (tests/bench/vietnam_qr_pay_bench.mjs, needs node).
#
# usage: scripts/bench.sh <builddir>      (BENCH_REPETITIONS, BENCH_MIN_TIME override defaults)
set -eu
if [ $# -ne 1 ] || [ ! -d "$1/tests" ]; then
  echo "usage: $0 <builddir>   (a CMake build dir with -DCHOPHIEN_BENCH=ON, built)" >&2
  exit 2
fi
build=$1
reps=${BENCH_REPETITIONS:-7}
min_time=${BENCH_MIN_TIME:-0.2}
mkdir -p "$build/bench"

found=0
for bin in "$build"/tests/*_bench; do
  [ -x "$bin" ] && [ -f "$bin" ] || continue
  found=1
  name=$(basename "$bin")
  echo "== $name"
  if [ "$name" = hooks_bench ]; then
    # A driver of its own (signed notifications over HTTP), not a Google Benchmark binary.
    "$bin" --orders 5000 --connections 4 || true
    continue
  fi
  if [ "$name" = outbox_bench ] || [ "$name" = dashboard_bench ]; then
    # Fixed iterations over HTTP (seconds per case), 3 repetitions; the outbox's memory case runs
    # in a process of its own so that VmHWM is its own peak.
    uptime
    filter=.
    [ "$name" = outbox_bench ] && filter=-BM_OutboxMemory
    "$bin" --benchmark_filter="$filter" --benchmark_repetitions=3 \
      --benchmark_enable_random_interleaving=true --benchmark_out="$build/bench/$name.json" \
      --benchmark_out_format=json 2>/dev/null | grep -E '^(Benchmark|-|BM_)' || true
    [ "$name" = outbox_bench ] && "$bin" --benchmark_filter=BM_OutboxMemory 2>/dev/null | grep -E '^BM_' || true
    uptime
    continue
  fi
  "$bin" --benchmark_repetitions="$reps" --benchmark_min_time="$min_time" \
    --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true \
    --benchmark_out="$build/bench/$name.json" --benchmark_out_format=json |
    grep -E '^(Benchmark|-|.*_median)' || true
done
if [ $found = 0 ]; then
  echo "no *_bench executables in $build/tests (configure with -DCHOPHIEN_BENCH=ON and build)" >&2
  exit 1
fi

if [ -f "$build/bench/qr_bench.json" ] && command -v python3 >/dev/null; then
  node_json=""
  if [ -n "${VIETNAM_QR_PAY_DIR:-}" ] && command -v node >/dev/null; then
    node_json=$(node "$(dirname "$0")/../tests/bench/vietnam_qr_pay_bench.mjs")
  fi
  python3 - "$build/bench/qr_bench.json" "$node_json" <<'EOF'
import json, sys
runs = json.load(open(sys.argv[1]))["benchmarks"]
med = {r["run_name"]: r["items_per_second"] for r in runs if r.get("aggregate_name") == "median"}
ref = med["BM_Reference_CrcAndCopy"]
bare_png = med["BM_Reference_BarePng/zlib:1/filters:0/window:9/mem:1"]
bare_qr = med["BM_Reference_BareQrEncode"]
rows = [
    ("encode", med["BM_Encode"], ref, "CRC-16 table loop + memcpy", med["BM_Encode"] >= 2e6, ">= 2M/s"),
    ("decode", med["BM_Decode"], ref, "CRC-16 table loop + memcpy", med["BM_Decode"] >= 2e6, ">= 2M/s"),
    ("png", med["BM_Png"], bare_png, "bare libqrencode + libpng", med["BM_Png"] >= 0.9 * bare_png, ">= 0.9x"),
    ("svg", med["BM_Svg"], bare_qr, "bare QRcode_encodeString", med["BM_Svg"] >= 8000, ">= 8000/s"),
    ("terminal", med["BM_Terminal"], bare_qr, "bare QRcode_encodeString", True, "-"),
]
print()
print(f"{'case':9} {'items/s':>12} {'reference/s':>12} {'ratio':>6}  {'goal':9} {'met':4} reference")
for name, ips, r, what, ok, goal in rows:
    print(f"{name:9} {ips:12,.0f} {r:12,.0f} {ips / r:6.2f}  {goal:9} {'yes' if ok else 'NO':4} {what}")
if len(sys.argv) > 2 and sys.argv[2]:
    js = json.loads(sys.argv[2])
    print(f"\nchophien vs {js['package']} {js['version']} (node {js['node']}), "
          f"{len(js['payload'])}-byte payload:")
    for name, ours, theirs in (("encode", med["BM_Encode"], js["encode_per_second"]),
                               ("decode", med["BM_Decode"], js["decode_per_second"])):
        print(f"{name:9} {ours:12,.0f} {theirs:12,.0f} {ours / theirs:6.1f}x")
EOF
fi
