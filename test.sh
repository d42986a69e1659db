#!/usr/bin/env bash
# Set-up, then the whole test suite. Extra arguments go to `dotnet test` (e.g. --filter Adam).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
apg_setup
echo "== running the tests" >&2
dotnet test Apg.sln -c Release -nologo "$@"
