/// Writing tables (Markdown and CSV) and figures (SVG with their data as CSV), atomically.
module Apg.Scripts.Experiments.Outputs

open System
open System.Globalization
open System.IO
open Apg.Torch.Serialization
open Apg.Scripts.Report

let private num (v: float) = v.ToString("G9", CultureInfo.InvariantCulture)

let csvCell (s: string) = if s.Contains ',' || s.Contains '"' then "\"" + s.Replace("\"", "\"\"") + "\"" else s

/// A table as Markdown and CSV: header and rows of text.
let table (folder: string) (name: string) (title: string) (header: string list) (rows: string list list) =
    let md =
        [ yield sprintf "## %s" title
          yield ""
          yield "| " + String.Join(" | ", header) + " |"
          yield "|" + String.Join("|", header |> List.map (fun _ -> " --- ")) + "|"
          for r in rows -> "| " + String.Join(" | ", r) + " |" ]
    AtomicFile.WriteAllText(Path.Combine(folder, name + ".md"), String.Join("\n", md) + "\n")
    let csv = (header :: rows) |> List.map (fun r -> String.Join(",", r |> List.map csvCell))
    AtomicFile.WriteAllText(Path.Combine(folder, name + ".csv"), String.Join("\n", csv) + "\n")
    String.Join("\n", md)

/// A line chart as SVG, with its data beside it as CSV (series, x, y).
let figure (folder: string) (name: string) (chart: Svg.Chart) =
    AtomicFile.WriteAllText(Path.Combine(folder, name + ".svg"), Svg.render chart)
    let rows =
        [ yield "series,x,y"
          for s in chart.Series do
              for x, y in Array.zip s.X s.Y -> sprintf "%s,%s,%s" (csvCell s.Name) (num x) (num y) ]
    AtomicFile.WriteAllText(Path.Combine(folder, name + ".csv"), String.Join("\n", rows) + "\n")
