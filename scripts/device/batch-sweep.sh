#!/usr/bin/env bash
# On the device machine, from scripts/device/bundle.sh's bundle: each task's APG training step at the issue's bench
# workload and at 4x and 16x its batch (instances or videos per step), on the GPU and on 2 of the machine's CPU cores
# (taskset, 2 intra-op threads), with seconds per step, steps and examples per second, host RSS and GPU memory.
# Writes $OUT/batch-sweep.csv (one row per run), runs.log and summary.txt; about 7 minutes on an H200.
# Usage: scripts/device/batch-sweep.sh
# A rehearsal without CUDA: APG_CHECK_DEVICE=cpu TORCH_LIB=<libtorch lib dir> APG_SWEEP_QUICK=1 (1x and 4x, 4 steps).
set -uo pipefail
source "$(dirname "$0")/common.sh"
cd "$work"
quick="${APG_SWEEP_QUICK:-}"
multiples=(1 4 16); [ -n "$quick" ] && multiples=(1 4)
csv="$out/batch-sweep.csv"
echo "task,device,batch,timed_steps,median_step_s,steps_per_s,examples_per_s,host_peak_rss_mb,gpu_peak_mib,rc" > "$csv"

# Seconds per step from a run's metrics.csv (every step logged): the median of the steps after the first two.
rate() {
  python3 - "$1" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
t = [float(r["seconds"]) for r in rows]
d = [b - a for a, b in zip(t, t[1:])][1:]
print(len(d), statistics.median(d) if d else "nan")
PY
}

# sweep TASK BASE_BATCH CORPUS STEPS_GPU STEPS_CPU CPU_MAX_MULTIPLE -- extra train options
sweep() {
  local task=$1 base=$2 corpus=$3 gpu_steps=$4 cpu_steps=$5 cpu_max=$6; shift 7
  for where in "$device" cpu2; do
    for m in "${multiples[@]}"; do
      [ "$where" = cpu2 ] && [ "$m" -gt "$cpu_max" ] && continue
      local batch=$((base * m)) steps=$gpu_steps name="$task-$where-x$m" prefix=() dev=$device
      if [ "$where" = cpu2 ]; then steps=$cpu_steps; dev=cpu; prefix=(env APG_NUM_THREADS=2 OMP_NUM_THREADS=2 taskset -c 0,1); fi
      [ -n "$quick" ] && steps=4
      rm -rf "run-$name"
      run "$name" 300 "${prefix[@]}" "${apg[@]}" "$task" train --corpus "$corpus" --out "run-$name" --batch-size "$batch" \
        --steps "$steps" --log-every 1 --checkpoint-every 100000 --device "$dev" "$@"
      local rc=$? timed=0 median=nan
      [ -f "run-$name/metrics.csv" ] && read -r timed median < <(rate "run-$name/metrics.csv")
      python3 - "$task" "$where" "$batch" "$timed" "$median" "$(cat "$work/$name.rss-peak")" "$(cat "$work/$name.gpu-peak")" "$rc" >> "$csv" <<'PY'
import sys
task, where, batch, timed, median, rss, gpu, rc = sys.argv[1:]
m = float(median)
sps, eps = (1 / m, int(batch) / m) if m == m and m > 0 else (float("nan"), float("nan"))
print(f"{task},{where},{batch},{timed},{m:.4f},{sps:.3f},{eps:.2f},{rss},{gpu},{rc}")
PY
    done
  done
}

{ nvidia-smi -L; nproc; free -g; } 2>&1 | tee "$out/environment.txt"
run gmm-simulate 120 "${apg[@]}" gmm simulate --instances 1000 --points 60 --out gmm.npy
run dmm-simulate 120 "${apg[@]}" dmm simulate --instances 400 --out dmm.npy
run bmnist-simulate 300 "${apg[@]}" bmnist simulate --videos 100 --out bm.npy
# The issue's bench workloads: GMM K = 5, L = 10, 20 x N = 60; DMM K = 8, L = 10, 20 x N = 200 (noise 0.5);
# bouncing MNIST K = 5, L = 10, 5 videos, T = 10, D = 3, 96 x 96. Bouncing MNIST at 16x (80 videos, about 45 s a
# step on 2 cores) is left out on the CPU.
sweep gmm 20 gmm.npy 20 12 16 -- --sweeps 5 --particles 10
sweep dmm 20 dmm.npy 10 5 16 -- --sweeps 8 --particles 10 --noise-scale 0.5
sweep bmnist 5 bm.npy 6 4 4 -- --sweeps 5 --particles 10
column -s, -t "$csv" | tee -a "$out/summary.txt"
