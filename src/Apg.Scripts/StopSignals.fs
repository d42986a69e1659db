/// Stopping long work from outside: the first Ctrl-C or SIGTERM asks it to stop at a safe point (training saves a
/// checkpoint, so the same command resumes); a second one ends the process at once. SIGTERM as well as Ctrl-C because
/// `kill`, `timeout` and job controllers send it, and a job started in the background from a script never sees Ctrl-C:
/// a non-interactive shell starts it with SIGINT ignored.
module Apg.Scripts.StopSignals

open System
open System.Runtime.InteropServices
open System.Threading

// A registration stops handling its signal once collected.
let private registrations = ResizeArray<PosixSignalRegistration>()

/// Calls stop (once) on the first Ctrl-C or SIGTERM, after printing message; leaves the second to end the process.
let onFirst (message: string) (stop: unit -> unit) =
    let mutable signalled = 0
    let first () =
        if Interlocked.Exchange(&signalled, 1) = 0 then
            eprintfn "%s" message
            // the command may have finished and disposed what stop cancels
            try stop () with :? ObjectDisposedException -> ()
            true
        else false
    Console.CancelKeyPress.Add(fun e -> if first () then e.Cancel <- true)
    lock registrations (fun () ->
        registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, fun context -> if first () then context.Cancel <- true)))
