/// Writing tables (Markdown and CSV) and figures (PNG and SVG with their data as CSV), atomically.
module Apg.Scripts.Experiments.Outputs

open System
open System.Globalization
open System.IO
open Apg.Core.Data
open Apg.Scripts.Report

let num (v: float) = v.ToString("G9", CultureInfo.InvariantCulture)

let csvCell (s: string) = if s.Contains ',' || s.Contains '"' then "\"" + s.Replace("\"", "\"\"") + "\"" else s

/// Rows of text as NAME.csv.
let csv (folder: string) (name: string) (rows: string list list) =
    let lines = rows |> List.map (fun r -> String.Join(",", r |> List.map csvCell))
    AtomicFile.WriteAllText(Path.Combine(folder, name + ".csv"), String.Join("\n", lines) + "\n")

/// A table as Markdown and CSV: header and rows of text.
let table (folder: string) (name: string) (title: string) (header: string list) (rows: string list list) =
    let md =
        [ yield sprintf "## %s" title
          yield ""
          yield "| " + String.Join(" | ", header) + " |"
          yield "|" + String.Join("|", header |> List.map (fun _ -> " --- ")) + "|"
          for r in rows -> "| " + String.Join(" | ", r) + " |" ]
    AtomicFile.WriteAllText(Path.Combine(folder, name + ".md"), String.Join("\n", md) + "\n")
    csv folder name (header :: rows)
    String.Join("\n", md)

/// A line chart as PNG and SVG, with its data beside it as CSV (series, x, y).
let figure (folder: string) (name: string) (chart: Figures.Chart) =
    use plot = Figures.lineChart chart
    Figures.savePlot folder name plot
    csv folder name
        [ yield [ "series"; "x"; "y" ]
          for s in chart.Series do
              for x, y in Array.zip s.X s.Y -> [ s.Name; num x; num y ] ]
