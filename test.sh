#!/usr/bin/env bash
# Set-up, then the whole test suite: the C# unit tests (xunit), then the F# reproduction tests (Expecto, with the
# smoke-scale reproduction), then the package consumer test. Extra arguments go to `dotnet test` (e.g. --filter Adam).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
apg_setup
echo "== building" >&2
dotnet build Apg.sln -c Release -nologo -v quiet -clp:ErrorsOnly
# xunit runs test classes in parallel: with libtorch's OpenMP pool on every core as well, its barriers stall
# on an oversubscribed machine, so the unit tests give libtorch one thread each. The reproduction tests run
# one at a time and keep the default.
status=0
echo "== tests/Apg.Core.Tests" >&2
APG_NUM_THREADS="${APG_NUM_THREADS:-1}" dotnet test tests/Apg.Core.Tests -c Release --no-build -nologo "$@" || status=1
echo "== tests/Apg.Reproduction.Tests (Expecto)" >&2
dotnet tests/Apg.Reproduction.Tests/bin/Release/net10.0/Apg.Reproduction.Tests.dll --summary --colours 0 --no-spinner || status=1
# Apg.Core as a NuGet package, from a fresh C# project and an F# script outside the repository.
echo "== tests/package/consumer-test.sh" >&2
bash tests/package/consumer-test.sh || status=1
exit $status
