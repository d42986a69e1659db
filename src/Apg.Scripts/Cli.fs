/// The command line: `./apg <command> --help` explains each command.
module Apg.Scripts.Cli

open Argu

type DemoArgs =
    | Steps of int
    | Seed of uint64
    | Csv of path: string
    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Steps _ -> "gradient steps to take (default 500)."
            | Seed _ -> "seed of the generator that draws the data and the initial weights (default 0)."
            | Csv _ -> "also write the loss curve to this CSV file."

type InfoArgs =
    | [<Hidden>] Dummy
    interface IArgParserTemplate with
        member _.Usage = "unused"

[<RequireSubcommand>]
type ApgArgs =
    | [<CliPrefix(CliPrefix.None)>] Reproduce of ParseResults<ReproduceCli.ReproduceArgs>
    | [<CliPrefix(CliPrefix.None)>] Run of ParseResults<ReproduceCli.RunArgs>
    | [<CliPrefix(CliPrefix.None)>] Bundle of ParseResults<ReproduceCli.BundleArgs>
    | [<CliPrefix(CliPrefix.None)>] Verify of ParseResults<ReproduceCli.VerifyArgs>
    | [<CliPrefix(CliPrefix.None)>] Gmm of ParseResults<GmmCli.GmmArgs>
    | [<CliPrefix(CliPrefix.None)>] Dmm of ParseResults<DmmCli.DmmArgs>
    | [<CliPrefix(CliPrefix.None)>] Bmnist of ParseResults<BmnistCli.BmnistArgs>
    | [<CliPrefix(CliPrefix.None)>] Iai of ParseResults<IaiCli.IaiArgs>
    | [<CliPrefix(CliPrefix.None)>] Mcmc_Vae of ParseResults<McmcVaeCli.McmcVaeArgs>
    | [<CliPrefix(CliPrefix.None)>] Demo of ParseResults<DemoArgs>
    | [<CliPrefix(CliPrefix.None)>] Info of ParseResults<InfoArgs>
    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Reproduce _ -> "regenerate the paper's tables and figures at a scale, check every claim, write results/SCALE/REPORT.md."
            | Run _ -> "run one job of a reproduction's plan (what a Slurm job of `reproduce --executor slurm` runs)."
            | Bundle _ -> "pack source, configs, results, checkpoints and checksums into one tar.gz."
            | Verify _ -> "re-check every file of a bundle against its SHA-256."
            | Gmm _ -> "the Gaussian mixture task: simulate, train, eval."
            | Dmm _ -> "the deep generative mixture of rings: simulate, train, eval."
            | Bmnist _ -> "bouncing-MNIST tracking: simulate, train, eval."
            | Iai _ -> "iterative amortized inference (Marino et al. 2018) on MNIST: train, eval."
            | Mcmc_Vae _ -> "VAEs refined by MCMC adapted by a speed measure (Hirt et al. 2023): train, eval."
            | Demo _ -> "train a small MLP (6 -> 32 -> 1) with Adam and print its loss falling."
            | Info _ -> "print the libtorch version, BLAS, threads and devices this build uses."
