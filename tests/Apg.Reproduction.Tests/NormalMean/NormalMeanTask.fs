/// A fourth task, registered in the tests only, to show what a new task implements: a model, its networks and
/// proposals, a trainer, an evaluator and one harness target. theta ~ Normal(0, s0); x_i | theta ~ Normal(theta,
/// sigma), i = 1..n. Its posterior is known in closed form, so what the networks learn can be checked exactly.
module Apg.Reproduction.Tests.NormalMean.NormalMeanTask

open System
open System.IO
open System.Text.Json.Nodes
open TorchSharp
open Apg.Core.Data
open Apg.Core.Distributions
open Apg.Core.Inference
open Apg.Core.NN
open Apg.Core.Training
open Apg.Scripts.Experiments
open Apg.Scripts.Experiments.Harness

let priorSd, noiseSd, points = 2.0, 1.0, 10
let theta = "theta"
let block = Block("theta", [| theta |])

/// The exact posterior of theta per instance of x [B, n]: mean and sd, each [B].
let posterior (x: torch.Tensor) =
    let precision = 1.0 / (priorSd * priorSd) + float (x.size(1)) / (noiseSd * noiseSd)
    x.sum(1L) / (noiseSd * noiseSd) / precision, 1.0 / sqrt precision

let private scalar (like: torch.Tensor) (value: float) = torch.tensor(value, like.dtype, like.device)

/// The model: latents theta [L, B, 1], data x [B, n].
type Model() =
    interface IModel with
        member _.LogJoint(x, z) =
            let t = z[theta]
            Normal(scalar t 0.0, scalar t priorSd).LogProb(t).sum(-1L) + Normal(t, scalar t noiseSd).LogProb(x.unsqueeze 0L).sum(-1L)
        member this.LogJointTerms(x, z, _) = (this :> IModel).LogJoint(x, z)
        member _.Parameters = [||]

/// q(theta | x) = Normal(mu, sd) from the points' mean (the sufficient statistic) through one linear layer; the
/// exact posterior is of that form, so the network can learn it exactly.
type Networks(generator: torch.Generator) as this =
    inherit torch.nn.Module("normal-mean")
    let encoder = SeededLinear.Create(1L, 2L, generator)
    do this.RegisterComponents()
    /// Draws and log q for L particles of a batch x [B, n].
    member _.Conditional(x: torch.Tensor, particles: int64) =
        let h = encoder.forward(x.mean([| 1L |], keepdim = true))                   // [B, 2]
        let shape = [| particles; x.size 0; 1L |]
        Normal(h.narrow(1L, 0L, 1L).unsqueeze(0L).expand(shape), h.narrow(1L, 1L, 1L).exp().unsqueeze(0L).expand(shape))

type private Conditional(q: Normal) =
    interface IBlockConditional with
        member _.Sample g = Latents(struct (theta, q.Sample g))
        member _.LogProb z = q.LogProb(z[theta]).sum(-1L)

/// The encoder as both the one-shot proposal and the block's Gibbs-style proposal (the block is all of z).
type private Proposal(networks: Networks) =
    interface IOneShotProposal with
        member _.Sample(x, particles, g) =
            let q = Conditional(networks.Conditional(x, int64 particles)) :> IBlockConditional
            let z = q.Sample g
            struct (z, q.LogProb z)
    interface IBlockProposal with
        member _.Block = block
        member _.Condition(x, z) = Conditional(networks.Conditional(x, z[theta].size(0)))

let sampler (networks: Networks) =
    let p = Proposal networks
    ApgSampler(Model(), p, [| GibbsBlockUpdate(p) :> IBlockUpdate |])

/// Simulates I instances of n points [I, n] (float32).
let simulate (instances: int) (generator: torch.Generator) =
    let t = torch.randn([| int64 instances; 1L |], generator = generator) * priorSd
    t + torch.randn([| int64 instances; int64 points |], generator = generator) * noiseSd

/// The task's trainer: the shared loop with this task's networks, sampler, epochs and one metric.
type Trainer(config: ApgTrainingConfig, corpus: torch.Tensor) =
    inherit ApgTrainer<Networks, float>(config, corpus.size(0), corpus.device)
    override _.Task = "normal-mean"
    override _.MetricColumns = [| "loss" |]
    override _.CreateNetworks g = new Networks(g)
    override _.CreateSampler n = sampler n
    override _.Epoch e = new PermutedEpoch(corpus, TrainingState.EpochPermutation(corpus.size(0), config.Seed, e, corpus.device))
    override _.Measure(_, run, _, _) =
        let loss = run.Loss.``to``(torch.ScalarType.Float64).item<float> ()
        struct (loss, [| loss |])
    override _.IdentityOf(saved, source) = ApgTrainingConfig.Parse(saved, source).Identity()

let load (directory: string) =
    let struct (tensors, _), source = TrainingState.Load(directory, "normal-mean")
    let networks = new Networks(new torch.Generator(0UL))
    StateDicts.Load(networks, Checkpoint.Under(tensors, "networks."), source)
    networks

/// Per sweep, mean log p(x, z) and ESS / L over a corpus.
let evaluate (corpus: torch.Tensor) (networks: Networks) (sweeps: int) (particles: int) (seed: uint64) =
    use generator = new torch.Generator(seed)
    let s = sampler networks :> ISampler
    SweepEvaluation.Evaluate(corpus, sweeps, 50, fun x -> s.Run(x, sweeps, particles, generator))

/// KL(exact posterior || learned q), averaged over a corpus's instances: 0 when the encoder is exact.
let inclusiveKl (corpus: torch.Tensor) (networks: Networks) =
    use _ = torch.no_grad ()
    let mean, sd = posterior corpus
    let q = networks.Conditional(corpus, 1L)
    let mu, s = q.Loc.squeeze(0L).squeeze(-1L), q.Scale.squeeze(0L).squeeze(-1L)
    let kl = (s / sd).log() + (sd * sd + (mean - mu).square()) / (2.0 * s * s) - 0.5
    kl.mean().item<float32> () |> float

let private obj = Json.object
let private v (x: 'T) = Json.value x

/// The harness's keyed runs: a corpus, a training run per seed, an evaluation per trained run.
let corpusRun (ctx: Context) (split: string) (instances: int) (seed: uint64) =
    let key = obj [ "split", v split; "instances", v instances; "points", v points; "seed", v seed ]
    let run =
        ctx.Store.GetOrRun("normal-mean-corpus", key, fun dir ->
            use generator = new torch.Generator(seed)
            Npy.Save(Path.Combine(dir, "corpus.npy"), simulate instances generator)
            obj [ "file", v "corpus.npy" ])
    Path.Combine(run.Folder, "corpus.npy"), key

let steps = 1000

let trainRun (ctx: Context) (seed: uint64) =
    let corpusPath, corpusKey = corpusRun ctx "train" 200 11UL
    let config = ApgTrainingConfig(Sweeps = 2, Particles = 10, BatchSize = 20, LearningRate = 1e-2, Steps = steps, Seed = seed, CheckpointEvery = 100, LogEvery = 50)
    let key = obj [ "corpus", corpusKey.DeepClone(); "config", config.ToJson() ]
    let run =
        ctx.Store.GetOrRun("normal-mean-train", key, fun dir ->
            use scope = torch.NewDisposeScope()
            use networks = Trainer(config, Npy.Load(corpusPath)).Train(dir)
            obj [ "steps", v steps ])
    run.Folder, key

/// The target: per training seed, mean log p(x, z) after the last sweep with trained and with untrained networks
/// (the same seed's initial weights), and KL(exact || q) of both.
let target (ctx: Context) (_: string) : TargetResult =
    let corpusPath, corpusKey = corpusRun ctx "test" 100 22UL
    let measure (seed: uint64) (trained: (string * JsonObject) option) =
        let key = obj [ "corpus", corpusKey.DeepClone(); "trained", (match trained with Some (_, k) -> k.DeepClone() | None -> null); "init_seed", v seed; "sweeps", v 3; "particles", v 10 ]
        let r =
            ctx.Store.GetOrRun("normal-mean-eval", key, fun _ ->
                use scope = torch.NewDisposeScope()
                let x = Npy.Load corpusPath
                use networks = match trained with Some (dir, _) -> load dir | None -> new Networks(new torch.Generator(seed))
                let e = evaluate x networks 3 10 0UL
                obj [ "log_joint", v e.MeanLogJoint[e.MeanLogJoint.Length - 1]; "kl", v (inclusiveKl x networks) ])
        Json.getFloat "eval" r.Result "log_joint", Json.getFloat "eval" r.Result "kl"
    let seeds = [ 1UL .. 5UL ]
    let trained = seeds |> List.map (fun s -> measure s (Some (trainRun ctx s)))
    let untrained = seeds |> List.map (fun s -> measure s None)
    let cells =
        Map [ "trained", List.zip seeds (List.map fst trained); "untrained", List.zip seeds (List.map fst untrained)
              "kl_trained", List.zip seeds (List.map snd trained); "kl_untrained", List.zip seeds (List.map snd untrained) ]
    let row name (values: (uint64 * float) list) = sprintf "| %s | %s |" name (String.Join(", ", values |> List.map (snd >> sprintf "%.3f")))
    { Cells = cells
      Markdown = String.Join("\n", [ yield "## Normal mean (a test task)"; yield ""; yield "| cell | per seed |"; yield "| --- | --- |"; for KeyValue (k, vs) in cells -> row k vs ])
      Files = [] }

/// The task as the harness registers it.
let task : Tasks.Task =
    { Name = "normal-mean"
      InScale = fun _ -> true
      Targets = [ "normal-mean", target ]
      Pretrain = fun ctx _ -> pretrain ctx [ for s in [ 1UL .. 5UL ] -> fun () -> trainRun ctx s ]
      Settings = fun _ -> "a test task: 5 training seeds of a normal mean" }
