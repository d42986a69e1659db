/// One lock per run folder, so that two processes (on one machine, or on a cluster's shared filesystem) never
/// compute one run at once. The lock is the kernel's: a file opened with FileShare.None, which .NET takes as an
/// exclusive flock, released when the holder closes it or dies. So a lock never goes stale: a crashed holder's
/// lock is gone with its process, and a live holder's is never broken.
module Apg.Scripts.Experiments.RunLock

open System
open System.IO

let fileName = ".lock"

/// Who holds the lock, written beside it: the lock file itself cannot be read while another process holds it.
let holderFile = ".lock.holder"

/// A held lock; disposing it releases it (the file stays: deleting it would race with a process opening it).
type Held(stream: FileStream) =
    interface IDisposable with
        member _.Dispose() = stream.Dispose()

let private tryOpen (path: string) =
    try Some(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
    with :? IOException -> None

let private tryTake (folder: string) =
    tryOpen (Path.Combine(folder, fileName))
    |> Option.map (fun stream ->
        let text = sprintf "pid %d on %s since %s\n" Environment.ProcessId Environment.MachineName (DateTime.UtcNow.ToString "o")
        Apg.Core.Data.AtomicFile.WriteAllText(Path.Combine(folder, holderFile), text)
        new Held(stream))

/// The last holder's line (the holder now, while the lock is held), or "" when none was written.
let holder (folder: string) =
    try File.ReadAllText(Path.Combine(folder, holderFile)).Trim() with _ -> ""

/// Takes the folder's lock, waiting while another process holds it; announces the wait once.
let take (folder: string) (announce: string -> unit) : IDisposable =
    Directory.CreateDirectory folder |> ignore
    let rec wait (announced: bool) =
        match tryTake folder with
        | Some held -> held :> IDisposable
        | None ->
            if not announced then announce (holder folder)
            Threading.Thread.Sleep 1000
            wait true
    wait false

/// Whether another process holds the folder's lock now (false when no lock file exists).
let isHeld (folder: string) =
    let path = Path.Combine(folder, fileName)
    File.Exists path && (match tryOpen path with Some s -> s.Dispose(); false | None -> true)
