#!/usr/bin/env bash
# Installs what Apg needs on a Debian/Ubuntu machine. Sourced by reproduce.sh, test.sh and apg.
# Installs with apt-get when it can (root, or passwordless sudo); otherwise prints the exact command.
set -euo pipefail

apg_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# TorchSharp (libtorch 2.10) comes from NuGet. The build fixes TorchSharp's native library for Debian 12's
# older libstdc++ with patchelf and a one-line library compiled by g++ (native/compat/); ScottPlot draws text
# with the DejaVu fonts.
apg_missing_packages() {
  local missing=()
  command -v g++ >/dev/null 2>&1 || missing+=(g++)
  command -v patchelf >/dev/null 2>&1 || missing+=(patchelf)
  dpkg -s fonts-dejavu-core >/dev/null 2>&1 || missing+=(fonts-dejavu-core)
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

apg_setup() {
  apg_check_dotnet
  apg_install_packages
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
}

apg_build_cli() {
  echo "== building (Release)" >&2
  dotnet build "$apg_root/src/Apg.Scripts/Apg.Scripts.fsproj" -c Release -nologo -v quiet -clp:ErrorsOnly >&2
}
