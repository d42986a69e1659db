# Sourced by scripts/device/cuda-check.sh and batch-sweep.sh on the device machine: unpacks scripts/device/bundle.sh's bundle into $work and
# points the bundled .NET at the machine's own libtorch; `run` times one command.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${OUT:-/tmp/out}"; mkdir -p "$out"
work=/tmp/apg-work; rm -rf "$work"; mkdir -p "$work/dotnet" "$work/data" "$work/logs"
tar xzf "$root/.dev/dotnet.tgz" -C "$work/dotnet"
tar xzf "$root/.dev/app.tgz" -C "$work"
tar xzf "$root/.dev/mnist.tgz" -C "$work/data"
device="${APG_CHECK_DEVICE:-cuda}"
torch_lib="${TORCH_LIB:-$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')}"
export LD_LIBRARY_PATH="$torch_lib" DOTNET_ROOT="$work/dotnet" DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 APG_MNIST_DIR="$work/data/mnist"
apg=("$work/dotnet/dotnet" "$work/app/apg.dll")

# run NAME TIMEOUT cmd...: the command's output appended to $out/runs.log (few files come back from the machine),
# then its time, peak host RSS and the GPU's peak memory to $out/summary.txt; the GPU peak is also left in
# $work/NAME.gpu-peak for the caller.
run() {
  local name=$1 limit=$2; shift 2
  local gpu_log="$work/$name.gpu"
  nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 200 > "$gpu_log" 2>/dev/null &
  local smi=$!
  local t0; t0=$(date +%s%N)
  local log="$work/logs/$name.log"
  timeout "$limit" "$@" > "$log" 2>&1 &
  local pid=$! peak=0 r
  while kill -0 $pid 2>/dev/null; do
    for p in $(pgrep -P $pid) $pid; do
      r=$(awk '/VmRSS/{print $2}' /proc/$p/status 2>/dev/null); [ -n "$r" ] && [ "$r" -gt "$peak" ] && peak=$r
    done
    sleep 0.2
  done
  wait $pid; local rc=$?
  kill $smi 2>/dev/null
  local gpu_peak; gpu_peak=$(sort -n "$gpu_log" | tail -1)
  echo "${gpu_peak:-?}" > "$work/$name.gpu-peak"
  echo $((peak / 1024)) > "$work/$name.rss-peak"
  printf '%-22s rc=%-3s %6d ms  host peak RSS %5d MB  GPU memory peak %s MiB\n' "$name" "$rc" \
    $(( ($(date +%s%N) - t0) / 1000000 )) $((peak / 1024)) "${gpu_peak:-?}" | tee -a "$out/summary.txt"
  { echo "=== $name: $*"; cat "$log"; } >> "$out/runs.log"
  tail -3 "$log"
  return $rc
}
