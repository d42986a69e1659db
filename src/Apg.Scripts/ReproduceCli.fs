/// `./apg reproduce`, `./apg bundle`, `./apg verify`: the reproduction harness on the command line.
module Apg.Scripts.ReproduceCli

open System
open System.IO
open Argu
open Apg.Scripts.Experiments

type ReproduceArgs =
    | Scale of name: string
    | Results of dir: string
    | Paper of dir: string
    | [<MainCommand; Last>] Targets of target: string list
    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Scale _ -> "smoke (default; minutes on 2 cores), cpu (hours, the paper's sizes, fewer steps) or paper (the paper's settings)."
            | Results _ -> "results root (default: results); output goes to RESULTS/SCALE/."
            | Paper _ -> "folder of the paper's numbers, claims and scales (default: paper/ of this repository)."
            | Targets _ -> sprintf "%s (default: all of the scale's)." (String.Join(", ", Tasks.targetNames))

type BundleArgs =
    | Scale of name: string
    | Results of dir: string
    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Scale _ -> "which scale's results to bundle (default smoke)."
            | Results _ -> "results root (default: results)."

type VerifyArgs =
    | [<MainCommand; Mandatory>] Bundle of path: string
    interface IArgParserTemplate with
        member _.Usage = "the bundle (.tar.gz) to re-check."

/// The repository root: the nearest folder above the working directory that holds paper/scales.
let repoRoot () =
    let rec up (dir: DirectoryInfo) =
        if isNull dir then raise (DirectoryNotFoundException "no paper/scales folder here or above: run from the Apg repository or pass --paper")
        elif Directory.Exists(Path.Combine(dir.FullName, "paper", "scales")) then dir.FullName
        else up dir.Parent
    up (DirectoryInfo(Environment.CurrentDirectory))

let reproduce (args: ParseResults<ReproduceArgs>) =
    Cancel.install ()
    let paper = args.TryGetResult ReproduceArgs.Paper |> Option.defaultWith (fun () -> Path.Combine(repoRoot (), "paper"))
    let results = args.GetResult(ReproduceArgs.Results, defaultValue = "results")
    let outcome = Reproduce.run paper results (args.GetResult(ReproduceArgs.Scale, defaultValue = "smoke")) (args.GetResult(Targets, defaultValue = []))
    let failed = outcome.Verdicts |> List.filter (fun v -> v.Asserted && not v.Pass)
    for v in failed do eprintfn "FAIL %s / %s: %s (band %s)" v.Target v.Id v.Ours v.Band
    if failed.IsEmpty then 0 else 3

let bundle (args: ParseResults<BundleArgs>) =
    let root = repoRoot ()
    let scaleName = args.GetResult(BundleArgs.Scale, defaultValue = "smoke")
    let scale = Scale.load (Path.Combine(root, "paper")) scaleName
    let path = Bundle.create root (args.GetResult(BundleArgs.Results, defaultValue = "results")) scaleName (Reproduce.environment scale 0.0)
    printfn "%s" path
    0

let verify (args: ParseResults<VerifyArgs>) =
    let path = args.GetResult Bundle
    match Bundle.verify path with
    | [] ->
        printfn "%s: every file matches its SHA-256" path
        0
    | problems ->
        for p in problems do eprintfn "%s: %s" path p
        4
