// Loads the built Apg assemblies (build first: ./apg --help, or dotnet build src/Apg.Scripts -c Release).
#r "../bin/Release/net10.0/TorchSharp.dll"
#r "../bin/Release/net10.0/Apg.Core.dll"
#r "../bin/Release/net10.0/apg.dll"

open System.IO

/// Runs one target at the scale given on the command line (default smoke), from the repository root.
let runTarget (target: string) =
    let root = Path.GetFullPath(Path.Combine(__SOURCE_DIRECTORY__, "..", "..", ".."))
    let scale = match fsi.CommandLineArgs |> Array.tail with [| s |] -> s | _ -> "smoke"
    Apg.Core.Runtime.TorchRuntime.Initialize()
    Apg.Scripts.Experiments.Cancel.install ()
    // The same run store as ./reproduce.sh (and the reproduction tests, which may point it elsewhere with APG_RESULTS).
    let results = match System.Environment.GetEnvironmentVariable "APG_RESULTS" with null | "" -> Path.Combine(root, "results") | dir -> dir
    let outcome = Apg.Scripts.Experiments.Reproduce.run (Path.Combine(root, "paper")) results scale [ target ]
    for v in outcome.Verdicts do
        printfn "%s %s: %s (%s)" (if not v.Asserted then "INFO" elif v.Pass then "PASS" else "FAIL") v.Id v.Ours v.Band
    exit (if outcome.Verdicts |> List.forall (fun v -> v.Pass || not v.Asserted) then 0 else 3)
