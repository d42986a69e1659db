/// The foundation's main job: fit a small MLP to a smooth function and show its loss falling.
module Apg.Scripts.Demo

open Apg.Torch
open Apg.Torch.NN
open Apg.Torch.Optim

type Result = { InitialLoss: float; FinalLoss: float; Steps: int; Seconds: float }

let run (steps: int) (seed: uint64) (csv: string option) : Result =
    use generator = new Generator(seed)
    use data = Torch.NewDisposeScope()
    // y = sin(x0) + 0.5 * x1 * x2 on 2,000 points in [-2, 2]^6; only three inputs matter.
    let x = Torch.Rand([| 2000L; 6L |], generator) * 4.0 - 2.0
    let y = (x.Select(1L, 0L).Sin() + x.Select(1L, 1L) * x.Select(1L, 2L) * 0.5).Unsqueeze(1L)
    use model = new Sequential(new Linear(6L, 32L, generator = generator), new Tanh(), new Linear(32L, 1L, generator = generator))
    use adam = new Adam(model.Parameters(), lr = 1e-2)
    use progress = new Progress.Reporter(steps, csv, [ "loss" ])
    let mutable first = nan
    let mutable last = nan
    for step in 1 .. steps do
        use _ = Torch.NewDisposeScope()
        adam.ZeroGrad()
        let loss = (model.Forward x - y).Square().Mean()
        loss.Backward()
        adam.Step()
        last <- loss.Item()
        if step = 1 then first <- last
        if step = 1 || step % (max 1 (steps / 10)) = 0 || step = steps then progress.Report(step, [ last ])
    { InitialLoss = first; FinalLoss = last; Steps = steps; Seconds = progress.Elapsed.TotalSeconds }
