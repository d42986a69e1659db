module Apg.Reproduction.Tests.Main

open Expecto

/// Unit tests of the harness first; the smoke reproduction (minutes) last. Arguments go to Expecto
/// (e.g. --filter "harness", --summary).
[<EntryPoint>]
let main argv =
    Apg.Core.Runtime.TorchRuntime.Initialize()
    Apg.Scripts.Experiments.Cancel.install ()
    let all = testList "reproduction" [ ClaimsTests.tests; ClaimRulesTests.tests; HarnessTests.tests; Table1RowTests.tests; StopSignalTests.tests; CliTests.tests; SlurmExecutorTests.tests; FourthTaskTests.tests; SmokeReproductionTests.tests ]
    runTestsWithCLIArgs [ Sequenced ] argv all
