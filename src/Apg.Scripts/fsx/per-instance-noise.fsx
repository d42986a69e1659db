// Does per-instance optimization fit its own fixed noise? For a trained VAE run folder (an `iai-train` run of mode
// standard), optimizes 100 held-out digits' q with S = 8 and S = 64 fixed noise draws and prints the objective on those
// draws beside the ELBO on 200 fresh ones. Usage, from the repository root after a build:
//   dotnet fsi src/Apg.Scripts/fsx/per-instance-noise.fsx results/cpu/runs/iai-train-<hash>
#load "Load.fsx"
open TorchSharp
open Apg.Core.Data
open Apg.Core.Methods.Vae
open Apg.Core.Methods.IterativeInference

Apg.Core.Runtime.TorchRuntime.Initialize()
let root = System.IO.Path.GetFullPath(System.IO.Path.Combine(__SOURCE_DIRECTORY__, "..", "..", ".."))
let runFolder = match fsi.CommandLineArgs |> Array.tail with [| d |] -> d | _ -> failwith "usage: per-instance-noise.fsx RUN_FOLDER (a standard VAE's iai-train run)"
let vae = IaiTrainer.LoadStandard runFolder
let digits = MnistDigits.Load(MnistDigits.DefaultDirectory root)
let x = MnistDigits.Binarize(digits.Test.narrow(0L, 0L, 100L), new torch.Generator(5UL))
let struct (mean, logVar) = (use _ = torch.no_grad () in vae.Encoder.forward x)
let fresh (m: torch.Tensor) (lv: torch.Tensor) =
    use _ = torch.no_grad ()
    Elbo.Evaluate(vae.Decoder, x, m, lv, 200, new torch.Generator(99UL)).mean().item<float32>()
printfn "encoder: ELBO on fresh noise %.3f" (fresh mean logVar)
for samples in [ 8; 64 ] do
    let r = PerInstanceOptimization.Run(vae.Decoder, x, mean, logVar, 500, samples, 0.05, new torch.Generator(7UL))
    printfn "S = %d: objective on its own draws %.3f (start %.3f); ELBO on fresh noise %.3f"
        samples (r.BestObjective.mean().item<float32>()) (r.StartObjective.mean().item<float32>()) (fresh r.Mean r.LogVar)
