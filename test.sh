#!/usr/bin/env bash
# Set-up, then the whole test suite, one test project after another. Extra arguments go to `dotnet test`
# (e.g. --filter Adam).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
apg_setup
echo "== building" >&2
dotnet build Apg.sln -c Release -nologo -v quiet -clp:ErrorsOnly
# xunit runs test classes in parallel: with libtorch's OpenMP pool on every core as well, its barriers stall
# on an oversubscribed machine, so the unit tests give libtorch one thread each. The reproduction tests run
# their classes one at a time and keep the default.
status=0
for project in tests/Apg.Torch.Tests tests/Apg.Core.Tests; do
  echo "== $project" >&2
  APG_NUM_THREADS="${APG_NUM_THREADS:-1}" dotnet test "$project" -c Release --no-build -nologo "$@" || status=1
done
if [ -d tests/Apg.Reproduction.Tests ]; then
  echo "== tests/Apg.Reproduction.Tests" >&2
  dotnet test tests/Apg.Reproduction.Tests -c Release --no-build -nologo "$@" || status=1
fi
exit $status
