/// A scale is a named config in paper/scales/NAME.json, not code.
module Apg.Scripts.Experiments.Scale

open System.IO
open System.Text.Json.Nodes
open Apg.Core.Models.Gmm

type GmmScale =
    { TrainInstances: int
      TrainPoints: int
      TestInstances: int
      TestPoints: int
      Train: GmmTrainingConfig
      TrainSeeds: uint64 list
      EvalSeeds: uint64 list
      Particles: int
      GibbsStationarySweeps: int
      Figure3Budget: int
      Figure3Sweeps: int list }

type Scale = { Name: string; Description: string; Gmm: GmmScale; Source: string }

let names = [ "smoke"; "cpu"; "paper" ]

let private seeds source (o: JsonObject) name = Json.getArray source o name |> Seq.map (fun n -> n.GetValue<uint64>()) |> List.ofSeq

let private gmm source (o: JsonObject) =
    let t = Json.getObject source o "train"
    let src = source + " (gmm.train)"
    let train =
        GmmTrainingConfig(
            Steps = Json.getInt src t "steps",
            Sweeps = Json.getInt src t "sweeps",
            Particles = Json.getInt src t "particles",
            BatchSize = Json.getInt src t "batch_size",
            LearningRate = Json.getFloat src t "learning_rate",
            CheckpointEvery = Json.getInt src t "checkpoint_every",
            LogEvery = Json.getInt src t "log_every")
    train.Validate()
    let scale =
        { TrainInstances = Json.getInt source o "train_instances"
          TrainPoints = Json.getInt source o "train_points"
          TestInstances = Json.getInt source o "test_instances"
          TestPoints = Json.getInt source o "test_points"
          Train = train
          TrainSeeds = seeds source o "train_seeds"
          EvalSeeds = seeds source o "eval_seeds"
          Particles = Json.getInt source o "particles"
          GibbsStationarySweeps = Json.getInt source o "gibbs_stationary_sweeps"
          Figure3Budget = Json.getInt source o "figure3_budget"
          Figure3Sweeps = Json.getArray source o "figure3_sweeps" |> Seq.map (fun n -> n.GetValue<int>()) |> List.ofSeq }
    if scale.TrainSeeds.IsEmpty || scale.EvalSeeds.IsEmpty then
        raise (InvalidDataException(sprintf "%s: train_seeds and eval_seeds need at least one seed each" source))
    if scale.Figure3Sweeps |> List.exists (fun k -> k < 1 || scale.Figure3Budget % k <> 0) then
        raise (InvalidDataException(sprintf "%s: every figure3_sweeps entry must divide figure3_budget (%d)" source scale.Figure3Budget))
    scale

let load (paperDir: string) (name: string) : Scale =
    let path = Path.Combine(paperDir, "scales", name + ".json")
    if not (File.Exists path) then
        raise (FileNotFoundException(sprintf "%s: no scale named '%s' (known: %s)" path name (String.concat ", " names), path))
    let o = Json.parseFile path
    { Name = Json.getString path o "name"
      Description = Json.getString path o "description"
      Gmm = gmm (path + " (gmm)") (Json.getObject path o "gmm")
      Source = path }
