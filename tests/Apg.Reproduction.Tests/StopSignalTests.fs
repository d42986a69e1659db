/// Stopping the command line from outside, as `kill` and job controllers do: SIGTERM must end training at a safe point
/// with a checkpoint, not kill it mid-step.
module Apg.Reproduction.Tests.StopSignalTests

open System
open System.Diagnostics
open System.IO
open System.Runtime.InteropServices
open System.Text.Json.Nodes
open System.Threading
open Expecto
open Support

[<DllImport("libc", SetLastError = true)>]
extern int kill(int pid, int signal)

let private sigterm = 15

/// The built command line, started as a child that inherits this process's environment (libtorch and the rest).
let private apg (args: string list) =
    let dll = Path.Combine(repoRoot, "src", "Apg.Scripts", "bin", "Release", "net10.0", "apg.dll")
    if not (File.Exists dll) then failwithf "%s is missing: build the solution first (dotnet build Apg.sln -c Release)" dll
    let info = ProcessStartInfo("dotnet", RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false)
    info.ArgumentList.Add dll
    for a in args do info.ArgumentList.Add a
    Process.Start info

let tests =
    testList "stop signals" [
        testCase "SIGTERM stops training at the next safe point: exit 0, a checkpoint to resume from" <| fun () ->
            let dir = tempDir "sigterm"
            let corpus = Path.Combine(dir, "x.npy")
            use simulate = apg [ "gmm"; "simulate"; "--instances"; "20"; "--points"; "30"; "--out"; corpus ]
            simulate.WaitForExit()
            Expect.equal simulate.ExitCode 0 (sprintf "gmm simulate: %s" (simulate.StandardError.ReadToEnd()))
            let run = Path.Combine(dir, "run")
            let total = 1000000
            use train =
                apg [ "gmm"; "train"; "--corpus"; corpus; "--out"; run; "--steps"; string total; "--batch-size"; "10"
                      "--log-every"; "5"; "--checkpoint-every"; string total ]
            let stderr = Collections.Concurrent.ConcurrentQueue<string>()
            use progressed = new ManualResetEventSlim()
            train.ErrorDataReceived.Add(fun e ->
                if not (isNull e.Data) then
                    stderr.Enqueue e.Data
                    if e.Data.StartsWith "[" && e.Data.Contains(sprintf "/%d]" total) then progressed.Set())
            train.BeginErrorReadLine()
            train.BeginOutputReadLine()
            let said () = String.Join("\n", stderr)
            if not (progressed.Wait(TimeSpan.FromMinutes 5.0)) then
                (try train.Kill true with _ -> ())
                failtestf "no progress line from gmm train within 5 minutes:\n%s" (said ())
            Expect.equal (kill (train.Id, sigterm)) 0 "kill -TERM"
            if not (train.WaitForExit(TimeSpan.FromMinutes 2.0)) then
                (try train.Kill true with _ -> ())
                failtestf "gmm train still running 2 minutes after SIGTERM:\n%s" (said ())
            train.WaitForExit()
            Expect.equal train.ExitCode 0 (sprintf "exit code after SIGTERM; stderr:\n%s" (said ()))
            Expect.stringContains (said ()) "stopping: saving a checkpoint" "SIGTERM is announced"
            let manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "manifest.json")))
            let step = manifest["step"].GetValue<int>()
            Expect.isTrue (step >= 5 && step < total) (sprintf "checkpoint at step %d: after the first progress line, before the end" step)
            Directory.Delete(dir, true)
    ]
