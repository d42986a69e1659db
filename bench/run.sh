#!/usr/bin/env bash
# Throughput benchmarks (not tests). Arguments go to BenchmarkDotNet, e.g. --filter '*Mlp*'.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
apg_setup
dotnet run -c Release --project bench/Apg.Bench -- "$@"
