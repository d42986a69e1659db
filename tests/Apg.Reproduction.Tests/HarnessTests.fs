module Apg.Reproduction.Tests.HarnessTests

open System.IO
open System.Text.Json.Nodes
open System.Xml.Linq
open Expecto
open Apg.Scripts.Experiments
open Apg.Scripts.Report
open Apg.Scripts.Report.Figures

let private pngMagic = [| 0x89uy; byte 'P'; byte 'N'; byte 'G' |]

/// A run key {"n": n}.
let private keyOf (n: int) =
    let o = JsonObject()
    o["n"] <- JsonValue.Create n
    o

/// Work that returns an empty result and counts its calls.
let private countingWork () =
    let calls = ref 0
    (fun (_: string) -> calls.Value <- calls.Value + 1; JsonObject()), calls

let tests =
    testList "harness" [
        test "the README copies no results: numbers live in the generated reports only" {
            let lines = File.ReadAllLines(Path.Combine(Support.repoRoot, "README.md"))
            // A results table would have a method name in its first column and a log p column.
            let copied =
                lines |> Array.filter (fun l ->
                    let t = l.TrimStart()
                    t.StartsWith "|" && [ "RWS"; "BPG"; "APG"; "HMC"; "GIBBS"; "Gibbs" ] |> List.exists (fun m -> t.TrimStart('|', ' ').StartsWith m)
                    && System.Text.RegularExpressions.Regex.IsMatch(t, @"-\d{2,}\.\d"))
            Expect.isEmpty copied "README lines that look like a copied results table"
        }

        test "a finished run is read back, not redone; another key is another run" {
            let store = RunStore.Store(Support.tempDir "store", "code")
            let mutable calls = 0
            let work (_: string) =
                calls <- calls + 1
                let o = JsonObject()
                o["value"] <- JsonValue.Create calls
                o
            let key = keyOf
            let first = store.GetOrRun("test", key 1, work)
            let again = store.GetOrRun("test", key 1, work)
            let other = store.GetOrRun("test", key 2, work)
            Expect.equal calls 2 "two distinct keys ran, the repeat was read back"
            Expect.equal again.Folder first.Folder "same key, same folder"
            Expect.equal (again.Result["value"].GetValue<int>()) 1 "the stored result is returned"
            Expect.notEqual other.Folder first.Folder "another key, another folder"
        }

        test "after a stop request a finished run is still read back, but no unfinished run starts" {
            let root = Support.tempDir "store-stop"
            let work, calls = countingWork ()
            let key = keyOf
            let finished = RunStore.Store(root, "code").GetOrRun("test", key 1, work)
            use stop = new System.Threading.CancellationTokenSource()
            stop.Cancel()
            let stopped = RunStore.Store(root, (fun (_: string) -> "code"), stop.Token)
            Expect.equal (stopped.GetOrRun("test", key 1, work).Folder) finished.Folder "the finished run is read back"
            Expect.throwsT<System.OperationCanceledException> (fun () -> stopped.GetOrRun("test", key 2, work) |> ignore) "an unfinished run is not started"
            Expect.equal calls.Value 1 "only the first run's work ran"
            let _, folder = stopped.Locate("test", key 2)
            Expect.isFalse (File.Exists(Path.Combine(folder, "result.json"))) "nothing is recorded for the run not started"
        }

        test "the same key under other code is another run, and an edited result is reported stale" {
            let root = Support.tempDir "store-code"
            let work, calls = countingWork ()
            let key = keyOf 1
            let a = RunStore.Store(root, "code-a")
            let ra = a.GetOrRun("test", key, work)
            let rb = RunStore.Store(root, "code-b").GetOrRun("test", key, work)
            Expect.equal calls.Value 2 "other code does not reuse the finished run"
            Expect.notEqual rb.Folder ra.Folder "other code, other folder"
            Expect.isEmpty a.StaleRuns "the run records its own code"
            let resultPath = Path.Combine(ra.Folder, "result.json")
            File.WriteAllText(resultPath, File.ReadAllText(resultPath).Replace("code-a", "code-x"))
            let again = RunStore.Store(root, "code-a")
            again.GetOrRun("test", key, work) |> ignore
            Expect.equal calls.Value 2 "read back, not redone"
            Expect.equal (again.StaleRuns |> List.map (fun r -> r.Folder)) [ ra.Folder ] "a result recording other code is stale"
        }

        test "a run's code version follows the engine and its own task's code, nothing else" {
            let root = Support.tempDir "code-version"
            let write (rel: string) (text: string) =
                let path = Path.Combine(root, rel)
                Directory.CreateDirectory(Path.GetDirectoryName path) |> ignore
                File.WriteAllText(path, text)
            write "src/Apg.Core/Inference/Sampler.cs" "class S {}"
            write "src/Apg.Core/Models/Gmm/GmmModel.cs" "class G {}"
            write "src/Apg.Core/Models/Bmnist/BmnistModel.cs" "class B {}"
            write "src/Apg.Core/Methods/Vae/Elbo.cs" "class E {}"
            write "src/Apg.Scripts/Experiments/GmmExperiments.fs" "module G"
            write "src/Apg.Scripts/Experiments/BmnistExperiments.fs" "module B"
            write "src/Apg.Scripts/Experiments/Claims.fs" "module C"
            let kinds = [ "gmm-train"; "gmm-eval"; "dmm-train"; "bmnist-eval"; "iai-train"; "mcmc-vae-train"; "gmm-hmc-adapt"; "dmm-iterative-train" ]
            let versions () = kinds |> List.map (fun k -> k, CodeVersion.ofKind root k) |> Map.ofList
            let changed (before: Map<string, string>) = let now = versions () in kinds |> List.filter (fun k -> now[k] <> before[k])
            let v0 = versions ()
            Expect.equal v0["gmm-eval"] v0["gmm-train"] "one task, one code version"
            write "src/Apg.Core/bin/Release/Generated.cs" "class X {}"
            write "src/Apg.Core/Models/Gmm/obj/Generated.cs" "class X {}"
            write "README.md" "# readme"
            write "src/Apg.Scripts/GmmCli.fs" "module Cli"
            write "src/Apg.Scripts/Experiments/Claims.fs" "module C2"
            write "src/Apg.Scripts/Experiments/GmmTargets.fs" "module T"
            write "src/Apg.Scripts/Report/Figures.fs" "module F"
            write "src/Apg.Core/Runtime/Allocator/Jemalloc.cs" "class J {}"
            Expect.isEmpty (changed v0) "build output, docs, the command line, claims, targets, figures and allocator settings change no run's code"
            write "src/Apg.Core/Models/Bmnist/BmnistModel.cs" "class B { int x; }"
            Expect.equal (changed v0) [ "bmnist-eval" ] "a change in bouncing MNIST's model changes its runs' code alone"
            let v1 = versions ()
            write "src/Apg.Scripts/Experiments/GmmExperiments.fs" "module G2"
            Expect.equal (changed v1) [ "gmm-train"; "gmm-eval"; "gmm-hmc-adapt" ] "a GMM experiment definition changes the GMM's runs (and those built on them)"
            let v2 = versions ()
            write "src/Apg.Core/Methods/Vae/Elbo.cs" "class E2 {}"
            Expect.equal (changed v2) [ "iai-train"; "mcmc-vae-train"; "gmm-hmc-adapt"; "dmm-iterative-train" ] "the VAE methods change the runs that use them"
            let v3 = versions ()
            write "src/Apg.Core/Inference/Sampler.cs" "class S2 {}"
            Expect.equal (changed v3) kinds "a change in the engine changes every run's code"
            Expect.throwsT<System.ArgumentException> (fun () -> CodeVersion.ofKind root "unknown-kind" |> ignore) "a kind no task declares is an error"
            Expect.stringStarts (CodeVersion.current "gmm-train") "src-" "this build hashes its own sources"
        }

        test "one lock per run: another process cannot take a run's lock while it is held, and can once it is released" {
            let folder = Support.tempDir "run-lock"
            let otherProcessTakes () =
                // util-linux flock(1): the kernel lock .NET takes for FileShare.None.
                use p = System.Diagnostics.Process.Start("flock", [ "--nonblock"; "--exclusive"; Path.Combine(folder, RunLock.fileName); "true" ])
                p.WaitForExit()
                p.ExitCode = 0
            let held = RunLock.take folder ignore
            Expect.isTrue (RunLock.isHeld folder) "held, seen from another open file"
            Expect.isFalse (otherProcessTakes ()) "another process cannot take it"
            Expect.stringContains (RunLock.holder folder) (sprintf "pid %d" System.Environment.ProcessId) "the lock names its holder"
            held.Dispose()
            Expect.isTrue (otherProcessTakes ()) "released: another process takes it"
            Expect.isFalse (RunLock.isHeld folder) "and it is free again"
        }

        test "a second store asking for a run that another is computing waits for it and reads its result" {
            let root = Support.tempDir "store-lock"
            let key = JsonObject()
            key["n"] <- JsonValue.Create 1
            let mutable calls = 0
            use started = new System.Threading.ManualResetEventSlim()
            use release = new System.Threading.ManualResetEventSlim()
            let slow (_: string) =
                System.Threading.Interlocked.Increment &calls |> ignore
                started.Set()
                release.Wait()
                let o = JsonObject()
                o["value"] <- JsonValue.Create 42
                o
            let first = System.Threading.Tasks.Task.Run(fun () -> RunStore.Store(root, "code").GetOrRun("test", key, slow))
            started.Wait()
            let second = System.Threading.Tasks.Task.Run(fun () -> RunStore.Store(root, "code").GetOrRun("test", key, slow))
            System.Threading.Thread.Sleep 1500
            Expect.isFalse second.IsCompleted "the second waits while the first computes"
            release.Set()
            Expect.equal (second.Result.Result["value"].GetValue<int>()) 42 "and reads the first's result"
            Expect.equal first.Result.Folder second.Result.Folder "the same run"
            Expect.equal calls 1 "computed once"
        }

        test "run keys hash the same whatever the property order" {
            let a = JsonNode.Parse("""{"x":1,"y":{"b":2,"a":[1,2]}}""")
            let b = JsonNode.Parse("""{"y":{"a":[1,2],"b":2},"x":1}""")
            let c = JsonNode.Parse("""{"y":{"a":[2,1],"b":2},"x":1}""")
            Expect.equal (Json.hash b) (Json.hash a) "property order does not matter"
            Expect.notEqual (Json.hash c) (Json.hash a) "array order does"
        }

        test "every scale loads and a malformed one is an error naming file and field" {
            for name in Scale.names do
                Expect.equal (Scale.load Support.paperDir name).Name name "loads"
            let dir = Support.tempDir "scales"
            Directory.CreateDirectory(Path.Combine(dir, "scales")) |> ignore
            let smoke = File.ReadAllText(Path.Combine(Support.paperDir, "scales", "smoke.json"))
            let messageOf (edit: JsonObject -> unit) =
                let o = JsonNode.Parse(smoke).AsObject()
                edit o
                File.WriteAllText(Path.Combine(dir, "scales", "broken.json"), o.ToJsonString())
                try Scale.load dir "broken" |> ignore; "no error" with :? InvalidDataException as e -> e.Message
            let gmm (o: JsonObject) = o["gmm"].AsObject()
            let renamed = messageOf (fun o -> let g = gmm o in g["test_pointz"] <- g["test_points"].DeepClone(); g.Remove "test_points" |> ignore)
            Expect.stringContains renamed "broken.json (gmm)" "names the file and section"
            Expect.stringContains renamed "test_pointz" "an unknown field is named"
            let missing = messageOf (fun o -> ((gmm o)["train"]).AsObject().Remove "log_every" |> ignore)
            Expect.stringContains missing "log_every" "a missing field is named"
            let mistyped = messageOf (fun o -> (o["dmm"].AsObject())["test_instances"] <- JsonValue.Create "many")
            Expect.stringContains mistyped "broken.json (dmm)" "the section"
            Expect.stringContains mistyped "test_instances" "a mistyped field is named"
            let invalid = messageOf (fun o -> (gmm o)["figure3_sweeps"] <- JsonArray(JsonValue.Create 7))
            Expect.stringContains invalid "figure3_sweeps" "a value that fails its check is named"
            let scheduler (o: JsonObject) = o["scheduler"].AsObject()
            let resources (o: JsonObject) = (((scheduler o)["resources"]).AsObject()["train"]).AsObject()
            let noGpus = messageOf (fun o -> ignore ((resources o).Remove "gpus"))
            Expect.stringContains noGpus "broken.json (scheduler)" "the scheduler section is read like the others"
            Expect.stringContains noGpus "gpus" "a job's missing resource is named"
            let noCpus = messageOf (fun o -> (resources o)["cpus"] <- JsonValue.Create 0)
            Expect.stringContains noCpus "scheduler.resources.train" "a resource that fails its check names its job kind"
            let rate = messageOf (fun o -> ((scheduler o)["seconds_per_step"]).AsObject()["gmm-train"] <- JsonValue.Create(-1.0))
            Expect.stringContains rate "scheduler.seconds_per_step.gmm-train" "a rate that fails its check is named"
            Expect.throwsT<FileNotFoundException> (fun () -> Scale.load dir "nonexistent" |> ignore) "a missing scale is FileNotFound"
            // A scale without a task's section loads; asking for the section is an error naming the file and the section.
            File.WriteAllText(Path.Combine(dir, "scales", "gmm-only.json"), (let o = JsonNode.Parse(smoke).AsObject() in o.Remove "bmnist" |> ignore; o.ToJsonString()))
            let gmmOnly = Scale.load dir "gmm-only"
            let e = Expect.throwsC (fun () -> Scale.section gmmOnly "bmnist" gmmOnly.Bmnist |> ignore) id
            Expect.stringContains e.Message "gmm-only.json: this scale has no 'bmnist' section" "names the file and the section"
        }

        test "every setting of the paper scale has its source, with the value paper.json holds" {
            let json = Path.Combine(Support.paperDir, "scales", "paper.json")
            let sources = Path.Combine(Support.paperDir, "scales", "paper.sources.md")
            // Rows of its tables: | `path` | `value` | source |
            let rows =
                File.ReadLines sources
                |> Seq.map (fun l -> l.Split('|') |> Array.map (fun c -> c.Trim()))
                |> Seq.filter (fun c -> c.Length = 5 && c[1].StartsWith "`")
                |> Seq.map (fun c -> c[1].Trim('`'), (c[2].Trim('`'), c[3]))
                |> Seq.toList
            let duplicated = rows |> List.countBy fst |> List.filter (fun (_, n) -> n > 1)
            Expect.isEmpty duplicated (sprintf "%s: settings with more than one row" sources)
            let rows = Map.ofList rows
            let rec leaves (prefix: string) (node: JsonNode) : (string * string) list =
                match node with
                | :? JsonObject as o -> [ for kv in o do yield! leaves (if prefix = "" then kv.Key else prefix + "." + kv.Key) kv.Value ]
                | n -> [ prefix, n.ToJsonString() ]
            let settings =
                leaves "" (JsonNode.Parse(File.ReadAllText json))
                |> List.filter (fun (p, _) -> not (p.StartsWith "scheduler." || p = "name" || p = "description" || p = "note" || p.EndsWith ".note"))
            Expect.isGreaterThan settings.Length 100 "the paper scale's settings are read"
            for path, value in settings do
                match rows.TryFind path with
                | None -> failtestf "%s: %s has no row in %s" json path sources
                | Some (stated, source) ->
                    Expect.equal stated value (sprintf "%s: %s's value in %s" json path sources)
                    Expect.isTrue (source.Length > 3) (sprintf "%s: %s's source is empty" sources path)
            let stale = rows |> Map.filter (fun p _ -> not (settings |> List.exists (fun (q, _) -> q = p)))
            Expect.isEmpty stale (sprintf "%s: rows for settings paper.json does not hold" sources)
        }

        test "a line chart is written as PNG and SVG, with one path per series and its data as CSV" {
            let folder = Support.tempDir "chart"
            let chart =
                { Chart.Title = "t <&>"; XLabel = "x"; YLabel = "y"; LogX = true; YMin = None
                  Series = [ { Name = "a"; X = [| 1.0; 10.0; 100.0 |]; Y = [| 1.0; 2.0; 3.0 |] }; { Name = "b"; X = [| 1.0; 100.0 |]; Y = [| 0.0; -1.0 |] } ] }
            Outputs.figure folder "c" chart
            let png = File.ReadAllBytes(Path.Combine(folder, "c.png"))
            Expect.equal png[..3] pngMagic "a PNG file"
            Expect.isTrue (png.Length > 5000) "with a drawing in it"
            let doc = XDocument.Load(Path.Combine(folder, "c.svg"))
            let texts = doc.Descendants() |> Seq.filter (fun e -> e.Name.LocalName = "text") |> Seq.map (fun e -> e.Value.Trim()) |> String.concat " "
            Expect.stringContains texts "t <&>" "the title is in the SVG, escaped"
            Expect.stringContains texts "100" "a log-axis tick is labelled in data units"
            let csv = File.ReadAllLines(Path.Combine(folder, "c.csv"))
            Expect.equal csv.Length 6 "header + 5 points"
            Expect.equal csv[1] "a,1,1" "series, x, y"
            Expect.throwsT<System.ArgumentException>
                (fun () -> Outputs.figure folder "empty" { chart with Series = [ { Name = "nan"; X = [| 1.0 |]; Y = [| nan |] } ] })
                "a chart with no finite point is an error"
            Expect.isEmpty (Directory.EnumerateFiles(folder, ".*") |> List.ofSeq) "no temporary file is left behind"
        }

        test "a cluster grid renders every panel" {
            let folder = Support.tempDir "grid"
            let panel title a =
                { ClusterPanel.Title = title; Points = [| [| 0.0; 0.0 |]; [| 1.0; 1.0 |]; [| 5.0; 5.0 |] |]; Assignments = a
                  Clusters = (match a with Some _ -> [ 0.5, 0.5, 1.0, 1.0; 5.0, 5.0, 0.5, 0.5 ] | None -> []) }
            let plots = [ clusterPlot (panel "data" None); clusterPlot (panel "sample" (Some [| 0L; 0L; 1L |])) ]
            saveGrid folder "g" 1 2 plots 300 300
            let png = File.ReadAllBytes(Path.Combine(folder, "g.png"))
            Expect.equal png[..3] pngMagic "a PNG file"
            let doc = XDocument.Load(Path.Combine(folder, "g.svg"))
            let texts = doc.Descendants() |> Seq.filter (fun e -> e.Name.LocalName = "text") |> Seq.map (fun e -> e.Value.Trim()) |> List.ofSeq
            Expect.contains texts "data" "first panel's title"
            Expect.contains texts "sample" "second panel's title"
        }

        test "a bundle verifies, and a tampered one does not" {
            let results = Support.tempDir "bundle"
            let scaleDir = Path.Combine(results, "smoke")
            Directory.CreateDirectory(Path.Combine(scaleDir, "runs", "r1")) |> ignore
            File.WriteAllText(Path.Combine(scaleDir, "REPORT.md"), "# report\n")
            File.WriteAllBytes(Path.Combine(scaleDir, "runs", "r1", "weights.bin"), [| 1uy; 2uy; 3uy |])
            let path = Bundle.create Support.repoRoot results "smoke" [ "k", "v" ]
            Expect.isEmpty (Bundle.verify path) "an untouched bundle verifies"
            // flip one byte in the middle of the compressed file: the gzip CRC or a checksum must catch it
            let bytes = File.ReadAllBytes path
            bytes[bytes.Length / 2] <- bytes[bytes.Length / 2] ^^^ 0xFFuy
            let tampered = path + ".tampered.tar.gz"
            File.WriteAllBytes(tampered, bytes)
            let caught =
                try not (List.isEmpty (Bundle.verify tampered))
                with :? InvalidDataException -> true
            Expect.isTrue caught "a flipped byte is caught"
            File.WriteAllBytes(tampered, bytes[.. bytes.Length / 3])
            Expect.throwsT<InvalidDataException> (fun () -> Bundle.verify tampered |> ignore) "a truncated bundle is an error"
        }
    ]
