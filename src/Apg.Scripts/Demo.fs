/// The foundation's main job: fit a small MLP to a smooth function and show its loss falling.
module Apg.Scripts.Demo

open TorchSharp
open Apg.Core.NN

type Result = { InitialLoss: float; FinalLoss: float; Steps: int; Seconds: float }

let run (steps: int) (seed: uint64) (csv: string option) : Result =
    use generator = new torch.Generator(seed)
    use data = torch.NewDisposeScope()
    // y = sin(x0) + 0.5 * x1 * x2 on 2,000 points in [-2, 2]^6; only three inputs matter.
    let x = torch.rand([| 2000L; 6L |], generator = generator) * 4.0 - 2.0
    let y = (x.select(1L, 0L).sin() + x.select(1L, 1L) * x.select(1L, 2L) * 0.5).unsqueeze(1L)
    use model = torch.nn.Sequential(SeededLinear.Create(6L, 32L, generator), torch.nn.Tanh(), SeededLinear.Create(32L, 1L, generator))
    use adam = torch.optim.Adam(model.parameters(), lr = 1e-2)
    use progress = new Progress.Reporter(steps, csv, [ "loss" ])
    let mutable first = nan
    let mutable last = nan
    for step in 1 .. steps do
        use _ = torch.NewDisposeScope()
        model.zero_grad(true)
        let loss = (model.forward x - y).square().mean()
        loss.backward()
        adam.step() |> ignore
        last <- float (loss.item<float32> ())
        if step = 1 then first <- last
        if step = 1 || step % (max 1 (steps / 10)) = 0 || step = steps then progress.Report(step, [ last ])
    { InitialLoss = first; FinalLoss = last; Steps = steps; Seconds = progress.Elapsed.TotalSeconds }
