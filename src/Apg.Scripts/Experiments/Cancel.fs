/// Ctrl-C for long work: the first press asks every run to stop at a safe point (training saves a checkpoint),
/// so rerunning the same command resumes; a second press aborts at once.
module Apg.Scripts.Experiments.Cancel

open System
open System.Threading

let private source = new CancellationTokenSource()
let token = source.Token
let mutable private installed = false

let install () =
    if not installed then
        installed <- true
        Console.CancelKeyPress.Add(fun e ->
            if not source.IsCancellationRequested then
                e.Cancel <- true
                eprintfn "\nstopping at the next safe point (Ctrl-C again to abort); rerun the same command to resume"
                source.Cancel())
