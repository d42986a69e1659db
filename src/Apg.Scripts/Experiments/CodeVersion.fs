/// Which code computes results: a SHA-256 over the sources of Apg.Core and of the experiment definitions (with the
/// project files that pin package versions). Run keys include it, so a change to that code never reuses a
/// finished run, and a report can tell whether every run behind it came from the code at hand.
module Apg.Scripts.Experiments.CodeVersion

open System
open System.IO
open System.Security.Cryptography
open System.Text

let private roots = [ "src/Apg.Core"; "src/Apg.Scripts/Experiments" ]
let private extensions = set [ ".cs"; ".fs"; ".csproj"; ".fsproj" ]

/// The files that are hashed, as repository-relative paths with '/' separators, in ordinal order.
let sources (repoRoot: string) =
    [ for r in roots do
        let dir = Path.Combine(repoRoot, r)
        if Directory.Exists dir then
            for f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories) do
                let rel = Path.GetRelativePath(repoRoot, f).Replace('\\', '/')
                let inBuildOutput = rel.Split('/') |> Array.exists (fun p -> p = "bin" || p = "obj")
                if extensions.Contains(Path.GetExtension f) && not inBuildOutput then yield rel ]
    |> List.sortWith (fun a b -> String.CompareOrdinal(a, b))

/// The hash of the sources under repoRoot (path and content of each file), as 64 hex digits.
let ofSources (repoRoot: string) =
    let files = sources repoRoot
    if files.IsEmpty then raise (DirectoryNotFoundException(sprintf "%s: no sources under %s" repoRoot (String.Join(", ", roots))))
    use hash = IncrementalHash.CreateHash HashAlgorithmName.SHA256
    for rel in files do
        hash.AppendData(Encoding.UTF8.GetBytes(rel + "\n"))
        let bytes = File.ReadAllBytes(Path.Combine(repoRoot, rel))
        hash.AppendData(Encoding.UTF8.GetBytes(sprintf "%d\n" bytes.Length))
        hash.AppendData bytes
    Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant()

/// The repository that holds this build's sources: the nearest folder above the running assemblies with src/Apg.Core.
let private repoOfBuild () =
    let rec up (dir: DirectoryInfo) =
        if isNull dir then None
        elif Directory.Exists(Path.Combine(dir.FullName, "src", "Apg.Core")) then Some dir.FullName
        else up dir.Parent
    up (DirectoryInfo AppContext.BaseDirectory)

/// The code version of this build: its sources' hash, or, away from the sources, the assemblies' module ids.
let current =
    lazy
        (match repoOfBuild () with
         | Some root -> "src-" + ofSources root
         | None ->
             let ids = [ typeof<Apg.Core.Models.Gmm.GmmModel>.Assembly; Reflection.Assembly.GetExecutingAssembly() ] |> List.map (fun a -> a.ManifestModule.ModuleVersionId.ToString "N")
             "dll-" + String.Join("-", ids))
