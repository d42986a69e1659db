#!/usr/bin/env bash
# Each task's workload run as a user's program runs the library (bench/Apg.Bench/PlainProgram.cs): fresh processes,
# glibc and a jemalloc preload, the process's first thread and a thread of its own, and with the library's
# allocator settings off (APG_MALLOC_TUNING=0) as the control. Usage: bench/plain.sh [workload...] (default: all).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
APG_JEMALLOC=0 apg_setup
dotnet build bench/Apg.Bench -c Release -nologo -v quiet -clp:ErrorsOnly >&2
dll=bench/Apg.Bench/bin/Release/net10.0/Apg.Bench.dll
jemalloc=$(ls /usr/lib/*/libjemalloc.so.2 | head -1)
steps() { case "$1" in bmnist) echo 5 ;; dmm) echo 10 ;; *) echo 30 ;; esac; }
workloads=("$@")
[ ${#workloads[@]} -gt 0 ] || workloads=(gmm gmm-eval dmm bmnist)
for workload in "${workloads[@]}"; do
  for allocator in glibc jemalloc; do
    for thread in first own; do
      for tuning in 1 0; do
        if [ "$allocator" = jemalloc ]; then preload=$jemalloc; conf=oversize_threshold:0; else preload=; conf=; fi
        printf 'tuning %s  ' "$tuning"
        LD_PRELOAD=$preload MALLOC_CONF=$conf APG_MALLOC_TUNING=$tuning \
          dotnet "$dll" --plain "$workload" --steps "$(steps "$workload")" --thread "$thread" | tail -1
      done
    done
  done
done
