/// Artifact bundles: one tar.gz with the source at the commit, the paper configs, a scale's results and
/// checkpoints, an environment manifest, and SHA-256 checksums of every file; `verify` re-checks one.
module Apg.Scripts.Experiments.Bundle

open System
open System.Diagnostics
open System.Formats.Tar
open System.IO
open System.IO.Compression
open System.Security.Cryptography
open System.Text
open System.Text.Json.Nodes
open Apg.Core.Data
open Apg.Core.Training

let private sha256 (bytes: byte[]) = SHA256.HashData bytes |> Convert.ToHexString |> fun s -> s.ToLowerInvariant()

let private gitArchive (repoRoot: string) =
    let psi = ProcessStartInfo("git", "archive --format=tar.gz HEAD", RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = repoRoot)
    use p = Process.Start psi
    use ms = new MemoryStream()
    p.StandardOutput.BaseStream.CopyTo ms
    let err = p.StandardError.ReadToEnd()
    p.WaitForExit()
    if p.ExitCode <> 0 then raise (InvalidOperationException(sprintf "git archive failed in %s: %s" repoRoot err))
    ms.ToArray()

let private filesUnder (root: string) (prefix: string) =
    if not (Directory.Exists root) then []
    else
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
        |> Seq.filter (fun f -> not (Path.GetFileName(f).EndsWith ".tmp"))
        |> Seq.sort
        |> Seq.map (fun f -> prefix + "/" + Path.GetRelativePath(root, f).Replace('\\', '/'), File.ReadAllBytes f)
        |> List.ofSeq

/// Writes the bundle for one scale's results; returns its path.
let create (repoRoot: string) (resultsRoot: string) (scale: string) (environment: (string * string) list) : string =
    let results = Path.Combine(resultsRoot, scale)
    if not (File.Exists(Path.Combine(results, "REPORT.md"))) then
        raise (FileNotFoundException(sprintf "%s: no REPORT.md; run ./reproduce.sh %s first" results scale))
    let commit = Provenance.GitCommit()
    let manifest = JsonObject()
    manifest["commit"] <- JsonValue.Create commit
    manifest["scale"] <- JsonValue.Create scale
    manifest["created"] <- JsonValue.Create(DateTime.UtcNow.ToString "o")
    let env = JsonObject()
    for k, v in environment do env[k] <- JsonValue.Create v
    manifest["environment"] <- env
    let files =
        [ yield "source.tar.gz", gitArchive repoRoot
          yield! filesUnder (Path.Combine(repoRoot, "paper")) "paper"
          yield! filesUnder results ("results/" + scale) ]
    manifest["files"] <- JsonValue.Create files.Length
    let withManifest = files @ [ "manifest.json", Encoding.UTF8.GetBytes(Json.pretty manifest + "\n") ]
    let sums = withManifest |> List.map (fun (name, bytes) -> sprintf "%s  %s" (sha256 bytes) name)
    let entries = withManifest @ [ "SHA256SUMS", Encoding.UTF8.GetBytes(String.Join("\n", sums) + "\n") ]
    let short = if commit.Length >= 12 then commit.Substring(0, 12) else commit
    let path = Path.Combine(resultsRoot, "bundles", sprintf "apg-%s-%s.tar.gz" scale (short.Replace("+", "")))
    AtomicFile.Write(path, fun stream ->
        use gz = new GZipStream(stream, CompressionLevel.Optimal, leaveOpen = true)
        use tar = new TarWriter(gz, TarEntryFormat.Pax, leaveOpen = true)
        for name, bytes in entries do
            let entry = PaxTarEntry(TarEntryType.RegularFile, "apg-bundle/" + name)
            entry.DataStream <- new MemoryStream(bytes)
            tar.WriteEntry entry)
    path

/// Re-checks every file of a bundle against its SHA256SUMS; returns the problems (none: the bundle is intact).
let verify (path: string) : string list =
    if not (File.Exists path) then raise (FileNotFoundException(sprintf "%s: no such bundle" path, path))
    let contents = Collections.Generic.Dictionary<string, byte[]>()
    try
        use file = File.OpenRead path
        use gz = new GZipStream(file, CompressionMode.Decompress)
        use tar = new TarReader(gz)
        let mutable entry = tar.GetNextEntry()
        while not (isNull entry) do
            if entry.EntryType = TarEntryType.RegularFile then
                use ms = new MemoryStream()
                if not (isNull entry.DataStream) then entry.DataStream.CopyTo ms
                contents[entry.Name.Substring("apg-bundle/".Length)] <- ms.ToArray()
            entry <- tar.GetNextEntry()
    with
    | :? InvalidDataException | :? EndOfStreamException | :? FormatException as e ->
        raise (InvalidDataException(sprintf "%s: not a readable bundle (truncated or corrupt): %s" path e.Message))
    match contents.TryGetValue "SHA256SUMS" with
    | false, _ -> [ "SHA256SUMS is missing" ]
    | true, sums ->
        let listed =
            Encoding.UTF8.GetString(sums).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            |> Array.map (fun line -> let parts = line.Split("  ", 2) in parts[1], parts[0])
        let problems =
            [ for name, expected in listed do
                match contents.TryGetValue name with
                | false, _ -> yield sprintf "%s: listed but missing" name
                | true, bytes -> if sha256 bytes <> expected then yield sprintf "%s: checksum mismatch" name
              let names = listed |> Array.map fst |> Set.ofArray
              for name in contents.Keys do
                  if name <> "SHA256SUMS" && not (names.Contains name) then yield sprintf "%s: present but not listed" name ]
        problems
