/// Progress for long work: one line per report with step, rate, ETA and metrics, and the same rows as CSV.
module Apg.Scripts.Progress

open System
open System.Diagnostics
open System.IO

type Reporter(total: int, csvPath: string option, columns: string list) =
    let clock = Stopwatch.StartNew()
    let writer =
        csvPath
        |> Option.map (fun path ->
            Path.GetDirectoryName(Path.GetFullPath path) |> Directory.CreateDirectory |> ignore
            let w = new StreamWriter(path, false)
            w.WriteLine(String.Join(",", "step" :: "seconds" :: columns))
            w)

    member _.Report(step: int, metrics: float list) =
        let seconds = clock.Elapsed.TotalSeconds
        let rate = float step / max seconds 1e-9
        let eta = TimeSpan.FromSeconds(float (total - step) / max rate 1e-9)
        let shown = List.map2 (fun (c: string) (v: float) -> sprintf "%s %.5g" c v) columns metrics
        eprintfn "[%d/%d] %.1f steps/s, ETA %s | %s" step total rate (eta.ToString @"hh\:mm\:ss") (String.Join(" | ", shown))
        writer |> Option.iter (fun w ->
            w.WriteLine(String.Join(",", string step :: sprintf "%.3f" seconds :: (metrics |> List.map (sprintf "%.9g"))))
            w.Flush())

    member _.Elapsed = clock.Elapsed

    interface IDisposable with
        member _.Dispose() = writer |> Option.iter (fun w -> w.Dispose())

/// A token that the first Ctrl-C or SIGTERM cancels: training saves a checkpoint, then stops; a second one aborts.
let cancelOnStopSignal () =
    let cancel = new System.Threading.CancellationTokenSource()
    StopSignals.onFirst "stopping: saving a checkpoint to resume from (Ctrl-C or SIGTERM again to abort)" cancel.Cancel
    cancel

/// Steps per second since the run (re)started at resumedFrom, and the time left to total at that rate.
let rateAndEta (step: int) (resumedFrom: int) (total: int) (elapsed: TimeSpan) =
    let rate = float (step - resumedFrom) / max elapsed.TotalSeconds 1e-9
    rate, TimeSpan.FromSeconds(float (total - step) / max rate 1e-9)
