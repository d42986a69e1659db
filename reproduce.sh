#!/usr/bin/env bash
# Set-up, build, then the main job. For now: a short demo that trains a small MLP and prints its loss falling.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
apg_setup
apg_build_cli
mkdir -p results
./apg info
./apg demo --steps 500 --csv results/demo/loss.csv
