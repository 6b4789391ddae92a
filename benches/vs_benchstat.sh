#!/usr/bin/env bash
# perfgate compare against benchstat on the same Go benchmark files (issue 13): 100 x 10,
# 1,000 x 10, 3,000 x 30 and 10,000 x 30 benchmarks x samples per side, 5% lognormal noise,
# rounds interleaved as `go test -count` prints them. Runs each tool 5 times per size,
# interleaved, and prints the median wall time and peak RSS of each as a Markdown table.
#
#   benches/vs_benchstat.sh [path/to/perfgate]    (default: target/release/perfgate)
#
# Needs benchstat on PATH (go install golang.org/x/perf/cmd/benchstat@latest) and GNU time
# (/usr/bin/time); skips with a message when either is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
perfgate=${1:-target/release/perfgate}
if ! command -v benchstat >/dev/null 2>&1; then
  echo "benchstat is not on PATH: skipped (go install golang.org/x/perf/cmd/benchstat@latest)"
  exit 0
fi
if [ ! -x /usr/bin/time ]; then echo "GNU time (/usr/bin/time) is missing: skipped"; exit 0; fi
if [ ! -x "$perfgate" ]; then echo "no $perfgate: build it with cargo build --release"; exit 2; fi

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# go_file BENCHMARKS SAMPLES SEED > file
go_file() {
  awk -v nb="$1" -v ns="$2" -v seed="$3" 'BEGIN {
    srand(seed)
    print "goos: linux"; print "goarch: amd64"; print "pkg: example.com/x"
    for (s = 0; s < ns; s++) for (b = 0; b < nb; b++) {
      u1 = rand(); u2 = rand(); if (u1 < 1e-12) u1 = 1e-12
      z = sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2)
      printf "BenchmarkB%05d-8 \t 100000 \t %.1f ns/op\n", b, 1000 * (1 + b % 97) * exp(0.05 * z)
    }
    print "PASS"
  }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "| benchmarks x samples | perfgate s | benchstat s | perfgate / benchstat | perfgate MiB | benchstat MiB |"
echo "|--:|--:|--:|--:|--:|--:|"
for size in 100x10 1000x10 3000x30 10000x30; do
  nb=${size%x*} ns=${size#*x}
  go_file "$nb" "$ns" 1 > "$dir/old.txt"
  go_file "$nb" "$ns" 2 > "$dir/new.txt"
  : > "$dir/pg" ; : > "$dir/bs"
  # Wall time from the clock in nanoseconds (GNU time's %e counts in 10 ms steps, too coarse at
  # the small sizes); peak RSS from GNU time.
  timed() { # timed OUT CMD...: appends "seconds KiB" to OUT
    local out=$1; shift
    local t0 t1 rss
    t0=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$dir/rss" "$@" > /dev/null || true
    t1=$(date +%s%N)
    rss=$(tail -1 "$dir/rss")
    awk -v ns=$((t1 - t0)) -v kb="$rss" 'BEGIN { printf "%.4f %s\n", ns / 1e9, kb }' >> "$out"
  }
  for _ in 1 2 3 4 5; do
    timed "$dir/pg" "$perfgate" compare --baseline "$dir/old.txt" --current "$dir/new.txt"
    timed "$dir/bs" benchstat "$dir/old.txt" "$dir/new.txt"
  done
  pt=$(awk '{ print $1 }' "$dir/pg" | median) bt=$(awk '{ print $1 }' "$dir/bs" | median)
  pm=$(awk '{ print $2 }' "$dir/pg" | median) bm=$(awk '{ print $2 }' "$dir/bs" | median)
  awk -v s="$size" -v pt="$pt" -v bt="$bt" -v pm="$pm" -v bm="$bm" 'BEGIN {
    ratio = (bt > 0) ? sprintf("%.2fx", pt / bt) : "n/a"
    printf "| %s | %.3f | %.3f | %s | %.1f | %.1f |\n", s, pt, bt, ratio, pm / 1024, bm / 1024 }'
done
