#!/usr/bin/env bash
# Apg.Core as a project outside this repository sees it: pack it into a temporary local feed, then
#   1. a fresh C# console project adds the package and runs the README's "Using the library" snippet (3 training
#      steps) with dotnet run, then from its dotnet publish output;
#   2. an F# script runs the same under dotnet fsi with #r "nuget: Apg.Core".
# On Debian 12 both only work if the package carries the libstdc++ fix (buildTransitive targets for the build and
# publish outputs, TorchRuntime's patched copy for the script). Exits non-zero, saying what failed, if anything a
# consumer needs is missing. Everything lives in a temporary folder, removed on exit: its own NUGET_PACKAGES (so no
# stale Apg.Core from the global cache is read, and nothing is added to it) and its own ~/.cache.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
version="$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' "$root/src/Apg.Core/Apg.Core.csproj")"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "consumer-test: FAIL: $*" >&2; exit 1; }
step() { echo "== consumer-test: $*" >&2; }
quiet() { "$@" >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; fail "$*"; }; }

feed="$tmp/feed"
export NUGET_PACKAGES="$tmp/packages" XDG_CACHE_HOME="$tmp/cache"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
mkdir -p "$NUGET_PACKAGES"
# The other packages (TorchSharp, libtorch: about 600 MB) are hard-linked from the global cache where it is on the
# same file system, rather than downloaded again; Apg.Core itself never is.
global="$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')"
if [ -d "$global" ]; then
  for d in "$global"/*/; do
    name="$(basename "$d")"
    [ "$name" = apg.core ] && continue
    cp -al "$d" "$NUGET_PACKAGES/$name" 2>/dev/null || { rm -rf "$NUGET_PACKAGES"; mkdir -p "$NUGET_PACKAGES"; break; }
  done
fi

step "dotnet pack src/Apg.Core ($version) into a local feed"
quiet dotnet pack "$root/src/Apg.Core" -c Release -o "$feed" -nologo -v quiet -clp:ErrorsOnly
[ -f "$feed/Apg.Core.$version.nupkg" ] || fail "no Apg.Core.$version.nupkg"
[ -f "$feed/Apg.Core.$version.snupkg" ] || fail "no symbols package Apg.Core.$version.snupkg"

# The README's snippet, with the one in the package's own README checked to be the same.
snippet() { sed -n '/^## Using the library/,/^## Layout/p;/^## Train the GMM/,/^## Your own model/p' "$1" | awk '/^```csharp/ {f = 1; next} /^```$/ {if (f) exit} f'; }
snippet "$root/README.md" >"$tmp/snippet.cs"
snippet "$root/src/Apg.Core/PACKAGE.md" | diff -u "$tmp/snippet.cs" - >&2 || fail "src/Apg.Core/PACKAGE.md's snippet differs from README.md's"
grep -q 'step < 1000' "$tmp/snippet.cs" || fail "README.md's snippet no longer has its 'step < 1000' training loop"

# Sources: the local feed, then the ones this repository restores from.
sources="$(cd "$root" && dotnet nuget list source --format short | awk '$1 == "E" {print $2}')"
{
  echo '<?xml version="1.0" encoding="utf-8"?>'
  echo '<configuration><packageSources><clear />'
  echo "  <add key=\"apg-local\" value=\"$feed\" />"
  n=0; for s in $sources; do n=$((n + 1)); echo "  <add key=\"source$n\" value=\"$s\" />"; done
  echo '</packageSources></configuration>'
} >"$tmp/nuget.config"

step "C#: dotnet new console, dotnet add package Apg.Core --version $version, dotnet run"
app="$tmp/Consumer"
quiet dotnet new console -o "$app" -n Consumer --no-restore
cp "$tmp/nuget.config" "$app/nuget.config"
cd "$app"
quiet dotnet add package Apg.Core --version "$version"
for f in lib/net10.0/Apg.Core.dll lib/net10.0/Apg.Core.xml PACKAGE.md \
         buildTransitive/Apg.Core.targets buildTransitive/TorchSharpCompat.cs buildTransitive/stdcxx_compat.cpp; do
  [ -f "$NUGET_PACKAGES/apg.core/$version/$f" ] || fail "the package lacks $f"
done
cached="$(find "$NUGET_PACKAGES/torchsharp" -path '*/runtimes/linux-x64/native/libLibTorchSharp.so' | head -n 1)"
[ -n "$cached" ] || fail "TorchSharp's libLibTorchSharp.so was not restored"
before="$(sha256sum <"$cached")"
{
  sed 's/step < 1000/step < 3/' "$tmp/snippet.cs"
  cat <<'EOF'
using (NewDisposeScope())
{
    var run = sampler.Run(data, sweeps: 5, particles: 10, generator);
    var logJoint = new GmmModel(prior).LogJoint(data, run.Z).mean().item<float>();
    Console.WriteLine($"C# consumer: libtorch {TorchRuntime.LibTorchVersion}, mean log-joint after 5 sweeps {logJoint:F2}");
}
EOF
} >Program.cs
quiet dotnet build -c Release -nologo -v quiet -clp:ErrorsOnly
dotnet run -c Release --no-build | tee "$tmp/cs.out" || fail "the C# consumer failed (dotnet run)"
grep -q '^C# consumer: libtorch 2\.' "$tmp/cs.out" || fail "the C# consumer printed no result"

step "C#: dotnet publish, run the published app"
quiet dotnet publish -c Release -o "$tmp/published" -nologo -v quiet -clp:ErrorsOnly
(cd "$tmp" && dotnet published/Consumer.dll) | tee "$tmp/published.out" || fail "the published C# consumer failed"
grep -q '^C# consumer: libtorch 2\.' "$tmp/published.out" || fail "the published C# consumer printed no result"

step "F#: dotnet fsi with #r \"nuget: Apg.Core, $version\""
cat >"$tmp/consumer.fsx" <<EOF
#i "nuget: $feed"
#r "nuget: Apg.Core, $version"
open Apg.Core.Models.Gmm
open Apg.Core.Runtime
open TorchSharp

TorchRuntime.Initialize()
let device = TorchRuntime.DefaultDevice()
let generator = new torch.Generator(0UL, device)
let prior = GmmPrior.Paper
let data = GmmSimulator.Simulate(prior, instances = 20, points = 60, generator = generator).X.\`\`to\`\`(device)
let networks = new GmmNetworks(prior, generator, device = device)
let model = GmmModel(prior)
let sampler = GmmMethods.Apg(model, networks)
let adam = torch.optim.Adam(networks.parameters(), lr = 2.5e-4, beta1 = 0.9, beta2 = 0.99)
for _ in 1 .. 3 do
    use _scope = torch.NewDisposeScope()
    networks.zero_grad(set_to_none = true)
    sampler.Train(data, sweeps = 5, particles = 10, generator = generator) |> ignore
    adam.step() |> ignore
let run = sampler.Run(data, sweeps = 5, particles = 10, generator = generator)
let logJoint = model.LogJoint(data, run.Z).mean().item<float32>()
printfn "F# script: libtorch %s, mean log-joint after 5 sweeps %.2f" TorchRuntime.LibTorchVersion logJoint
EOF
cd "$tmp"
dotnet fsi consumer.fsx | tee "$tmp/fs.out" || fail "the F# script failed (dotnet fsi)"
grep -q '^F# script: libtorch 2\.' "$tmp/fs.out" || fail "the F# script printed no result"

[ "$(sha256sum <"$cached")" = "$before" ] || fail "the NuGet cache's libLibTorchSharp.so was modified"
step "passed: C# project (build and publish) and F# script use Apg.Core $version from a local feed"
