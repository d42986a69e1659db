#!/usr/bin/env bash
# On a CUDA machine with PyTorch but no .NET (the `device` machine): runs `apg` on the GPU from the bundle that
# scripts/device/bundle.sh made, with the machine's own libtorch. Checks that each task trains and evaluates on
# CUDA, and measures steps per second, host RSS and GPU memory at the issues' benchmark workloads.
# Usage: scripts/device/cuda-check.sh [STEPS_SCALE]   (writes logs under $OUT, default /tmp/out)
# A rehearsal on a machine without CUDA: APG_CHECK_DEVICE=cpu TORCH_LIB=<libtorch lib dir> APG_CHECK_QUICK=1.
set -uo pipefail
scale="${1:-1}"
source "$(dirname "$0")/common.sh"

{
  nvidia-smi -L; python3 -c 'import torch; print("python torch", torch.__version__, torch.version.cuda)'; nproc; free -g
  # Which of the symbols TorchSharp's glue (built for libtorch 2.10) needs does this libtorch lack?
  python3 - "$torch_lib" "$root/.dev/undefined-symbols.txt" <<'EOF'
import ctypes, os, sys
lib, names = sys.argv[1], open(sys.argv[2]).read().split()
for so in ["libc10.so", "libtorch_cpu.so", "libtorch.so", "libc10_cuda.so", "libtorch_cuda.so"]:
    if os.path.exists(os.path.join(lib, so)):
        ctypes.CDLL(os.path.join(lib, so), mode=os.RTLD_NOW | os.RTLD_GLOBAL)
everything = ctypes.CDLL(None)
missing = [n for n in names if not n.startswith("_ITM") and not n.startswith("__gmon") and not hasattr(everything, n)]
print(f"symbols: {len(names)} asked, {len(missing)} missing")
for n in missing[:40]: print("  missing", n)
EOF
} 2>&1 | tee "$out/environment.txt"

steps() { if [ -n "${APG_CHECK_QUICK:-}" ]; then echo 2; else echo $(( $1 * scale )); fi; }
cd "$work"
run dmm-simulate 120 "${apg[@]}" dmm simulate --instances 400 --out dmm.npy
run dmm-simulate-test 120 "${apg[@]}" dmm simulate --instances 20 --points 600 --seed 1 --out dmm-test.npy
# The issue's benchmark workload: K = 8, L = 10, 20 instances of 200 points (authors' noise 0.5).
run dmm-train-$device 120 "${apg[@]}" dmm train --corpus dmm.npy --out dmm-run --steps "$(steps 60)" --log-every 10 --noise-scale 0.5 --device "$device"
run dmm-eval-apg-$device 60 "${apg[@]}" dmm eval --corpus dmm-test.npy --method apg --checkpoint dmm-run --sweeps 5 --device "$device" --json
run dmm-eval-hmc-$device 60 "${apg[@]}" dmm eval --corpus dmm-test.npy --method hmc-rws --checkpoint dmm-run --sweeps 5 --leapfrog 5 --device "$device" --json

run bmnist-simulate 120 "${apg[@]}" bmnist simulate --videos 50 --out bm.npy
run bmnist-simulate-test 120 "${apg[@]}" bmnist simulate --videos 5 --timesteps 20 --split test --seed 1 --out bm-test.npy
# The issue's benchmark workload: K = 5, L = 10, 5 videos, T = 10, D = 3, 96 x 96.
run bmnist-train-$device 120 "${apg[@]}" bmnist train --corpus bm.npy --out bm-run --steps "$(steps 30)" --log-every 5 --device "$device"
run bmnist-eval-apg-$device 60 "${apg[@]}" bmnist eval --corpus bm-test.npy --method apg --checkpoint bm-run --sweeps 5 --particles 20 --device "$device" --json
run bmnist-eval-hmc-$device 60 "${apg[@]}" bmnist eval --corpus bm-test.npy --method hmc-rws --checkpoint bm-run --sweeps 3 --particles 20 --leapfrog 3 --device "$device" --json

run gmm-simulate 120 "${apg[@]}" gmm simulate --instances 400 --points 60 --out gmm.npy
run gmm-train-$device 60 "${apg[@]}" gmm train --corpus gmm.npy --out gmm-run --steps "$(steps 100)" --log-every 20 --device "$device"
run gmm-eval-apg-$device 60 "${apg[@]}" gmm eval --corpus gmm.npy --method apg --checkpoint gmm-run --sweeps 5 --device "$device" --json
cat "$out/summary.txt"
