/// The command line: every parser builds its usage text, and the shared schedule options set a task's config.
module Apg.Reproduction.Tests.CliTests

open System
open Argu
open Expecto
open Apg.Core.Models.Dmm
open Apg.Core.Models.Gmm
open Apg.Core.Methods.IterativeInference
open Apg.Scripts

let tests =
    testList "command line" [
        test "every command's parser builds and lists its options" {
            // Argu checks a union type (and asks every case for its usage) when a parser is made.
            let usage = ArgumentParser.Create<Cli.ApgArgs>(programName = "apg").PrintUsage()
            for command in [ "reproduce"; "gmm"; "dmm"; "bmnist"; "iai"; "mcmc-vae" ] do
                Expect.stringContains usage command (sprintf "apg lists %s" command)
            for name, text in [ "gmm train", ArgumentParser.Create<GmmCli.TrainArgs>().PrintUsage()
                                "dmm train", ArgumentParser.Create<DmmCli.TrainArgs>().PrintUsage()
                                "bmnist train", ArgumentParser.Create<BmnistCli.TrainArgs>().PrintUsage()
                                "iai train", ArgumentParser.Create<IaiCli.TrainArgs>().PrintUsage()
                                "mcmc-vae train", ArgumentParser.Create<McmcVaeCli.TrainArgs>().PrintUsage() ] do
                Expect.stringContains text "--steps" (sprintf "%s lists --steps" name)
        }

        test "the options given replace the task's defaults, the others are kept, and the config keeps its type" {
            let parser = ArgumentParser.Create<DmmCli.TrainArgs>()
            let args = parser.Parse [| "--corpus"; "c.npy"; "--out"; "o"; "--steps"; "7"; "--seed"; "3"; "--lr"; "0.5"; "--particles"; "4"; "--steps"; "9" |]
            let d = DmmTrainingConfig(NoiseScale = 0.25)
            let c = TaskCli.apgTraining args d
            Expect.equal (c.GetType()) typeof<DmmTrainingConfig> "its own type"
            Expect.equal (c.Steps, c.Seed, c.LearningRate, c.Particles) (9, 3UL, 0.5, 4) "given (the last --steps wins, as Argu's GetResult)"
            Expect.equal (c.Sweeps, c.BatchSize, c.CheckpointEvery, c.LogEvery, c.NoiseScale) (d.Sweeps, d.BatchSize, d.CheckpointEvery, d.LogEvery, 0.25) "kept"
            let none = TaskCli.apgTraining (parser.Parse [| "--corpus"; "c.npy"; "--out"; "o" |]) (GmmTrainingConfig())
            Expect.equal none (GmmTrainingConfig()) "nothing given: the defaults"
            let iai = TaskCli.schedule (ArgumentParser.Create<IaiCli.TrainArgs>().Parse [| "--mode"; "standard"; "--out"; "o"; "--batch-size"; "5" |]) (IaiTrainingConfig())
            Expect.equal iai.BatchSize 5 "IAI's schedule"
        }

        test "a command without one of the schedule's options is an error naming it" {
            let args = ArgumentParser.Create<GmmCli.SimulateArgs>().Parse [| "--instances"; "2"; "--points"; "3"; "--out"; "x.npy" |]
            let e = Expect.throwsC (fun () -> TaskCli.schedule args (GmmTrainingConfig()) |> ignore) id
            Expect.stringContains e.Message "Batch_Size" "names the option"
        }
    ]
