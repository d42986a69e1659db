/// What the commands of every task share: the usage text of common options, the device, a training run with its
/// progress lines, and an evaluation's per-sweep output (a table, or one JSON object).
module Apg.Scripts.TaskCli

open System
open System.Text.Json.Nodes
open Argu
open Microsoft.FSharp.Reflection
open Apg.Core.Runtime
open Apg.Core.Training

/// The usage text of options that mean the same in every task.
module Usage =
    let out = "run directory: checkpoint.safetensors, manifest.json, metrics.csv. An existing checkpoint there is resumed."
    let trainSeed = "seed of initialization, sampling and shuffling (default 0)."
    let checkpointEvery (every: int) = sprintf "steps between checkpoints (default %d)." every
    let logEvery (every: int) = sprintf "steps between progress lines and metrics.csv rows (default %d)." every
    let device = "cpu, cuda or cuda:N (default: APG_DEVICE, else cuda when available, else cpu)."
    let samplerSeed = "seed of the sampler (default 0)."
    let leapfrog = "hmc-rws: leapfrog steps per transition (default 1)."
    let json = "print one JSON object: mean_log_joint and ess per sweep, and the settings."

/// Whether the command's union type declares an option of this case name.
let private declares<'A> (case: string) = FSharpType.GetUnionCases(typeof<'A>) |> Array.exists (fun c -> c.Name = case)

/// The value of the option whose union case is named `case`, if given (the last one given, as Argu's GetResult).
/// Argu cannot share cases between union types, so each task declares the shared options in its own; this reads
/// them by name. A name the type does not declare is an error, so a renamed option cannot be silently ignored.
let private given<'A, 'T when 'A :> IArgParserTemplate> (args: ParseResults<'A>) (case: string) : 'T option =
    if not (declares<'A> case) then invalidArg "case" (sprintf "%s declares no option %s" typeof<'A>.Name case)
    args.GetAllResults()
    |> List.rev
    |> List.tryPick (fun r -> match FSharpValue.GetUnionFields(r, typeof<'A>) with c, [| value |] when c.Name = case -> Some (value :?> 'T) | _ -> None)

let private withSchedule<'A when 'A :> IArgParserTemplate> (args: ParseResults<'A>) (config: TrainingSchedule) =
    let int case = Option.toNullable (given<'A, int> args case)
    config.WithSchedule(int "Batch_Size", Option.toNullable (given<'A, float> args "Lr"), int "Steps", Option.toNullable (given<'A, uint64> args "Seed"), int "Checkpoint_Every", int "Log_Every")

/// A task's config with the shared schedule options given on its command line (--batch-size, --lr, --steps, --seed,
/// --checkpoint-every, --log-every) replacing its defaults.
let schedule (args: ParseResults<'A>) (config: 'C when 'C :> TrainingSchedule) : 'C = withSchedule args config :?> 'C

/// An APG-trained task's config with the schedule options and --sweeps, --particles given replacing its defaults.
let apgTraining (args: ParseResults<'A>) (config: 'C when 'C :> ApgTrainingConfig) : 'C =
    let int case = Option.toNullable (given<'A, int> args case)
    (withSchedule args (config :> ApgTrainingConfig :> TrainingSchedule) :?> ApgTrainingConfig).WithSweeps(int "Sweeps", int "Particles") :?> 'C

/// --device, else APG_DEVICE, else cuda when available, else cpu.
let device (option: string option) = option |> Option.map TorchRuntime.ParseDevice |> Option.defaultWith TorchRuntime.DefaultDevice

/// Trains (train gets the progress callback and the stop token, and returns the trained networks), printing a
/// progress line per logged step: step, rate, ETA, then the task's own metrics.
let train (out: string) (steps: int) (resumedFrom: unit -> int) (stepOf: 'M -> int) (metrics: 'M -> string)
          (run: Action<'M, TimeSpan> -> Threading.CancellationToken -> #IDisposable) =
    use cancel = Progress.cancelOnStopSignal ()
    let report (m: 'M) (elapsed: TimeSpan) =
        let rate, eta = Progress.rateAndEta (stepOf m) (resumedFrom ()) steps elapsed
        eprintfn "[%d/%d] %.2f steps/s, ETA %s | %s" (stepOf m) steps rate (eta.ToString @"d\.hh\:mm\:ss") (metrics m)
    use networks = run (Action<_, _>(report)) cancel.Token
    printfn "checkpoint in %s (metrics in %s)" out (IO.Path.Combine(out, Apg.Core.Training.TrainingState.MetricsFile))
    0

/// An evaluation's output: with json, one object of the settings and results; else a headline and a table of mean
/// log p(x, z) and ESS / L per sweep (with the given decimals for log p).
let printSweeps (json: bool) (fields: (string * JsonNode) list) (headline: string) (decimals: int) (meanLogJoint: float[]) (ess: float[]) =
    if json then
        let o = JsonObject()
        for name, value in fields do o[name] <- value
        o["mean_log_joint"] <- JsonArray(meanLogJoint |> Array.map (fun v -> JsonValue.Create v :> JsonNode))
        o["ess"] <- JsonArray(ess |> Array.map (fun v -> JsonValue.Create v :> JsonNode))
        printfn "%s" (o.ToJsonString())
    else
        printfn "%s" headline
        printfn "%6s %16s %8s" "sweep" "mean log p(x,z)" "ESS/L"
        for k in 0 .. meanLogJoint.Length - 1 do
            printfn "%6d %16s %8.4f" (k + 1) (meanLogJoint[k].ToString("F" + string decimals)) ess[k]
    0

/// A JSON value for printSweeps' fields.
let value (x: 'T) : JsonNode = JsonValue.Create x

/// Shows the batches done on stderr unless the output is JSON.
let batchProgress (json: bool) (unit': string) = Action<int, int>(fun done' total -> if not json then eprintf "\r%d/%d %s" done' total unit')
