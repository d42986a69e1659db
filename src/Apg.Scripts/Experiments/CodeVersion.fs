/// Which code computes a run: a SHA-256 over the sources that run's kind depends on, the engine (Apg.Core outside
/// Models/ and Methods/, with the project files that pin package versions, and the harness files that shape every
/// run) plus the run's task (its model or method folders and its experiment definitions). Run keys include it, so a
/// change to that code never reuses a finished run, while a change elsewhere (another task, the claims, reports,
/// figures, the command line) leaves the run's key as it was.
module Apg.Scripts.Experiments.CodeVersion

open System
open System.IO
open System.Security.Cryptography
open System.Text

let private extensions = set [ ".cs"; ".fs"; ".csproj"; ".fsproj" ]

/// The engine: every task's runs depend on it. Models/ and Methods/ are parts of their own (below).
let private engine =
    [ "src/Apg.Core/Apg.Core.csproj"; "src/Apg.Core/Autograd"; "src/Apg.Core/Data"; "src/Apg.Core/Distributions"
      "src/Apg.Core/Inference"; "src/Apg.Core/NN"; "src/Apg.Core/Optim"; "src/Apg.Core/Runtime"; "src/Apg.Core/Training"
      "src/Apg.Core/Tasks"; "src/Apg.Scripts/Experiments/Json.fs"; "src/Apg.Scripts/Experiments/Runs.fs" ]

/// Inside the engine but outside every run's code: the allocator settings decide where tensors' memory comes from
/// and how it is returned, never a computed value (an evaluation's output is byte for byte the same under different
/// jemalloc decays), so tuning them reuses finished runs.
let private unhashed = [ "src/Apg.Core/Runtime/Allocator/" ]

/// The code parts a task's runs read, besides the engine; a part is a folder or a file.
let private parts =
    Map [ "gmm", [ "src/Apg.Core/Models/Gmm"; "src/Apg.Scripts/Experiments/GmmExperiments.fs" ]
          "dmm", [ "src/Apg.Core/Models/Dmm"; "src/Apg.Scripts/Experiments/DmmExperiments.fs" ]
          "bmnist", [ "src/Apg.Core/Models/Bmnist"; "src/Apg.Scripts/Experiments/BmnistExperiments.fs" ]
          "vae", [ "src/Apg.Core/Methods/Vae"; "src/Apg.Core/Methods/IterativeInference" ]
          "iai", [ "src/Apg.Scripts/Experiments/IaiExperiments.fs" ]
          "adaptive-mcmc", [ "src/Apg.Core/Methods/AdaptiveMcmc" ]
          "mcmc-vae", [ "src/Apg.Scripts/Experiments/McmcVaeExperiments.fs" ]
          "gmm-adapted-hmc", [ "src/Apg.Scripts/Experiments/GmmAdaptedHmc.fs" ] ]

/// Run kinds by prefix (the longest matching prefix wins) and the parts each reads. The iterative inference model
/// and the vae folder reference each other, so they are one part.
let private kinds =
    [ "gmm-hmc-adapt", [ "gmm"; "vae"; "adaptive-mcmc"; "gmm-adapted-hmc" ]
      "gmm-", [ "gmm" ]
      "dmm-iterative-", [ "dmm"; "vae" ]
      "dmm-", [ "dmm" ]
      "bmnist-", [ "bmnist" ]
      "iai-", [ "vae"; "iai" ]
      "mcmc-vae-", [ "vae"; "adaptive-mcmc"; "mcmc-vae" ] ]

/// The parts behind runs of this kind; a kind no task declares is an error naming it.
let partsOf (kind: string) =
    match kinds |> List.filter (fun (prefix, _) -> kind.StartsWith prefix) |> List.sortByDescending (fun (p, _) -> p.Length) with
    | (_, ps) :: _ -> ps
    | [] -> raise (ArgumentException(sprintf "run kind '%s' belongs to no task in CodeVersion (declare its code parts there)" kind))

let private isBuildOutput (rel: string) = rel.Split('/') |> Array.exists (fun p -> p = "bin" || p = "obj")

/// The files under the given roots (folders or files), as repository-relative paths with '/' separators, in ordinal order.
let private filesUnder (repoRoot: string) (roots: string list) =
    [ for r in roots do
        let path = Path.Combine(repoRoot, r)
        if File.Exists path then yield r
        elif Directory.Exists path then
            for f in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories) do
                let rel = Path.GetRelativePath(repoRoot, f).Replace('\\', '/')
                if extensions.Contains(Path.GetExtension f) && not (isBuildOutput rel)
                   && not (unhashed |> List.exists (fun u -> rel.StartsWith(u, StringComparison.Ordinal))) then yield rel ]
    |> List.distinct
    |> List.sortWith (fun a b -> String.CompareOrdinal(a, b))

/// The files hashed for runs of this kind: the engine's and its task's.
let sourcesOf (repoRoot: string) (kind: string) =
    filesUnder repoRoot (engine @ (partsOf kind |> List.collect (fun p -> parts[p])))

let private hashFiles (repoRoot: string) (files: string list) =
    use hash = IncrementalHash.CreateHash HashAlgorithmName.SHA256
    for rel in files do
        hash.AppendData(Encoding.UTF8.GetBytes(rel + "\n"))
        let bytes = File.ReadAllBytes(Path.Combine(repoRoot, rel))
        hash.AppendData(Encoding.UTF8.GetBytes(sprintf "%d\n" bytes.Length))
        hash.AppendData bytes
    Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant()

/// The hash of the sources behind runs of this kind under repoRoot, as 64 hex digits.
let ofKind (repoRoot: string) (kind: string) =
    let files = sourcesOf repoRoot kind
    if not (files |> List.exists (fun f -> f.StartsWith "src/Apg.Core/")) then
        raise (DirectoryNotFoundException(sprintf "%s: no engine sources under src/Apg.Core" repoRoot))
    hashFiles repoRoot files

/// The repository that holds this build's sources: the nearest folder with src/Apg.Core above the running program
/// or above this assembly (under `dotnet fsi` the program is the SDK's, the assembly still ours).
let private repoOfBuild () =
    let rec up (dir: DirectoryInfo) =
        if isNull dir then None
        elif Directory.Exists(Path.Combine(dir.FullName, "src", "Apg.Core")) then Some dir.FullName
        else up dir.Parent
    [ AppContext.BaseDirectory; Path.GetDirectoryName(Reflection.Assembly.GetExecutingAssembly().Location) ]
    |> List.filter (String.IsNullOrEmpty >> not)
    |> List.tryPick (fun d -> up (DirectoryInfo d))

let private buildRepo = lazy (repoOfBuild ())
let private cache = Collections.Concurrent.ConcurrentDictionary<string, string>()

/// The code version of runs of this kind in this build: its sources' hash, or, away from the sources, the
/// assemblies' module ids (a build without sources cannot tell which of its code changed).
let current (kind: string) =
    let parts = String.Join("+", partsOf kind)
    cache.GetOrAdd(parts, fun _ ->
        match buildRepo.Value with
        | Some root -> "src-" + ofKind root kind
        | None ->
            let ids = [ typeof<Apg.Core.Models.Gmm.GmmModel>.Assembly; Reflection.Assembly.GetExecutingAssembly() ] |> List.map (fun a -> a.ManifestModule.ModuleVersionId.ToString "N")
            "dll-" + String.Join("-", ids))

/// Per task (as its first run kind prefix names it), this build's code version: for the report's environment.
let summary () =
    [ for prefix, ps in kinds -> String.Join("+", ps), current (prefix + "run") ] |> List.distinct
