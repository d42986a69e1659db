module Apg.Reproduction.Tests.HarnessTests

open System.IO
open System.Text.Json.Nodes
open System.Xml.Linq
open Xunit
open Apg.Scripts.Experiments
open Apg.Scripts.Report
open Apg.Scripts.Report.Svg

[<Fact>]
let ``a finished run is read back, not redone; another key is another run`` () =
    let store = RunStore.Store(Support.tempDir "store")
    let mutable calls = 0
    let work (_: string) =
        calls <- calls + 1
        let o = JsonObject()
        o["value"] <- JsonValue.Create calls
        o
    let key (n: int) =
        let o = JsonObject()
        o["n"] <- JsonValue.Create n
        o
    let first = store.GetOrRun("test", key 1, work)
    let again = store.GetOrRun("test", key 1, work)
    let other = store.GetOrRun("test", key 2, work)
    Assert.Equal(2, calls)
    Assert.Equal(first.Folder, again.Folder)
    Assert.Equal(1, again.Result["value"].GetValue<int>())
    Assert.NotEqual<string>(first.Folder, other.Folder)

[<Fact>]
let ``run keys hash the same whatever the property order`` () =
    let a = JsonNode.Parse("""{"x":1,"y":{"b":2,"a":[1,2]}}""")
    let b = JsonNode.Parse("""{"y":{"a":[1,2],"b":2},"x":1}""")
    let c = JsonNode.Parse("""{"y":{"a":[2,1],"b":2},"x":1}""")
    Assert.Equal(Json.hash a, Json.hash b)
    Assert.NotEqual<string>(Json.hash a, Json.hash c)

[<Fact>]
let ``every scale loads and a malformed one is an error naming file and field`` () =
    for name in Scale.names do
        Assert.Equal(name, (Scale.load Support.paperDir name).Name)
    let dir = Support.tempDir "scales"
    Directory.CreateDirectory(Path.Combine(dir, "scales")) |> ignore
    let text = File.ReadAllText(Path.Combine(Support.paperDir, "scales", "smoke.json")).Replace("\"test_points\"", "\"test_pointz\"")
    File.WriteAllText(Path.Combine(dir, "scales", "broken.json"), text)
    let e = Assert.Throws<InvalidDataException>(fun () -> Scale.load dir "broken" |> ignore)
    Assert.Contains("broken.json", e.Message)
    Assert.Contains("test_points", e.Message)
    Assert.Throws<FileNotFoundException>(fun () -> Scale.load dir "nonexistent" |> ignore) |> ignore

[<Fact>]
let ``a chart renders as SVG with one polyline per series`` () =
    let chart =
        { Chart.Title = "t <&>"; XLabel = "x"; YLabel = "y"; LogX = true; YMin = None
          Series = [ { Name = "a"; X = [| 1.0; 10.0; 100.0 |]; Y = [| 1.0; 2.0; 3.0 |] }; { Name = "b"; X = [| 1.0; 100.0 |]; Y = [| 0.0; -1.0 |] } ] }
    let doc = XDocument.Parse(Svg.render chart)
    let ns = XNamespace.Get "http://www.w3.org/2000/svg"
    Assert.Equal(2, doc.Descendants(ns + "polyline") |> Seq.length)
    Assert.Contains(doc.Descendants(ns + "text"), fun t -> t.Value = "t <&>")

[<Fact>]
let ``ticks are round numbers covering the range`` () =
    Assert.Equal<float[]>([| 0.0; 2.0; 4.0; 6.0; 8.0; 10.0 |], Svg.ticks 0.0 10.0 5)
    Assert.Equal<float[]>([| -400.0; -300.0; -200.0 |], Svg.ticks -450.0 -150.0 3)

[<Fact>]
let ``a bundle verifies, and a tampered one does not`` () =
    let results = Support.tempDir "bundle"
    let scaleDir = Path.Combine(results, "smoke")
    Directory.CreateDirectory(Path.Combine(scaleDir, "runs", "r1")) |> ignore
    File.WriteAllText(Path.Combine(scaleDir, "REPORT.md"), "# report\n")
    File.WriteAllBytes(Path.Combine(scaleDir, "runs", "r1", "weights.bin"), [| 1uy; 2uy; 3uy |])
    let path = Bundle.create Support.repoRoot results "smoke" [ "k", "v" ]
    Assert.Empty(Bundle.verify path)
    // flip one byte in the middle of the compressed file: the gzip CRC or a checksum must catch it
    let bytes = File.ReadAllBytes path
    bytes[bytes.Length / 2] <- bytes[bytes.Length / 2] ^^^ 0xFFuy
    let tampered = path + ".tampered.tar.gz"
    File.WriteAllBytes(tampered, bytes)
    let caught =
        try not (List.isEmpty (Bundle.verify tampered))
        with :? InvalidDataException -> true
    Assert.True(caught)
    File.WriteAllBytes(tampered, bytes[.. bytes.Length / 3])
    Assert.Throws<InvalidDataException>(fun () -> Bundle.verify tampered |> ignore) |> ignore
