/// Ctrl-C or SIGTERM for long work: the first one asks every run to stop at a safe point (training saves a checkpoint),
/// so rerunning the same command resumes; a second one aborts at once.
module Apg.Scripts.Experiments.Cancel

open System.Threading

let private source = new CancellationTokenSource()
let token = source.Token
let mutable private installed = false

let install () =
    if not installed then
        installed <- true
        Apg.Scripts.StopSignals.onFirst "\nstopping at the next safe point (Ctrl-C or SIGTERM again to abort); rerun the same command to resume" source.Cancel
