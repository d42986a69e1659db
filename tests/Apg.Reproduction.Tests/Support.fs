module Apg.Reproduction.Tests.Support

open System
open System.IO

/// The repository root: the nearest folder above the test binaries that holds paper/scales.
let repoRoot =
    let rec up (dir: DirectoryInfo) =
        if isNull dir then failwith "paper/scales not found above the test binaries"
        elif Directory.Exists(Path.Combine(dir.FullName, "paper", "scales")) then dir.FullName
        else up dir.Parent
    up (DirectoryInfo AppContext.BaseDirectory)

let paperDir = Path.Combine(repoRoot, "paper")

let tempDir (name: string) =
    let dir = Path.Combine(Path.GetTempPath(), sprintf "apg-repro-%s-%d-%s" name Environment.ProcessId (Guid.NewGuid().ToString("N").Substring(0, 8)))
    Directory.CreateDirectory dir |> ignore
    dir
