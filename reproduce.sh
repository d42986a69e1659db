#!/usr/bin/env bash
# Set-up, build, then the reproduction:
#   ./reproduce.sh                      every table and figure at smoke scale (what CI checks)
#   ./reproduce.sh cpu table1 figure2   chosen targets at another scale (smoke, cpu, paper)
#   ./reproduce.sh bundle [scale]       pack source, configs, results, checkpoints and checksums into one tar.gz
#   ./reproduce.sh verify FILE          re-check a bundle's checksums
# Finished runs are skipped and interrupted ones resume (Ctrl-C saves a checkpoint first).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
apg_setup
apg_build_cli
touch src/Apg.Scripts/bin/Release/.built
case "${1:-smoke}" in
  bundle) exec ./apg bundle --scale "${2:-smoke}" ;;
  verify) exec ./apg verify "${2:?usage: ./reproduce.sh verify FILE}" ;;
  smoke|cpu|paper) scale="${1:-smoke}"; shift || true ;;
  *) scale=smoke ;;
esac
./apg info
exec ./apg reproduce --scale "$scale" "$@"
