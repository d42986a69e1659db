/// What every keyed run's computation shares, whatever its task: part of every run's code version (CodeVersion).
module Apg.Scripts.Experiments.Runs

open TorchSharp

/// Runs a training run's work on one intra-op thread. Training is op-overhead bound (thousands of small ops a step):
/// a second thread does not speed it up, so every training run uses one, whether it runs alone or beside others
/// (`Harness.pretrain`), and its floating-point results do not depend on how many run at once. Its thread gets an
/// allocator arena of its own (`TorchRuntime.UseOwnArena`): two trainings side by side never share one.
let withOneIntraOpThread (work: unit -> 'T) : 'T =
    Apg.Core.Runtime.TorchRuntime.UseOwnArena ()
    let threads = torch.get_num_threads ()
    torch.set_num_threads 1
    try work () finally torch.set_num_threads threads
