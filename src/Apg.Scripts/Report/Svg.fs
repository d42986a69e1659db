/// Line charts as standalone SVG files: axes with ticks, one polyline per series, a legend. Small and
/// dependency-free, so a figure renders the same on every machine.
module Apg.Scripts.Report.Svg

open System
open System.Globalization
open System.Text

type Series = { Name: string; X: float[]; Y: float[] }

type Chart =
    { Title: string
      XLabel: string
      YLabel: string
      Series: Series list
      LogX: bool
      /// Lower limit of the y axis; lines below it are clipped at the plot's edge (None: fit every point).
      YMin: float option }

let private palette = [| "#1f77b4"; "#d62728"; "#2ca02c"; "#ff7f0e"; "#9467bd"; "#8c564b"; "#e377c2"; "#7f7f7f"; "#bcbd22"; "#17becf" |]

let private f (v: float) = v.ToString("0.##", CultureInfo.InvariantCulture)

let private escape (s: string) = s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;")

/// Round tick positions covering [lo, hi]: steps of 1, 2 or 5 times a power of ten.
let ticks (lo: float) (hi: float) (count: int) =
    if not (hi > lo) then [| lo |]
    else
        let raw = (hi - lo) / float count
        let magnitude = 10.0 ** floor (log10 raw)
        let step = [| 1.0; 2.0; 5.0; 10.0 |] |> Array.map ((*) magnitude) |> Array.find (fun s -> s >= raw)
        let first = ceil (lo / step) * step
        [| for i in 0 .. int ((hi - first) / step + 1e-9) -> first + float i * step |]

let private format (v: float) =
    if v <> 0.0 && (abs v >= 1e5 || abs v < 1e-3) then v.ToString("0.##e0", CultureInfo.InvariantCulture)
    else v.ToString("0.###", CultureInfo.InvariantCulture)

let render (chart: Chart) : string =
    let width, height = 720.0, 440.0
    let left, right, top, bottom = 80.0, 190.0, 40.0, 60.0
    let tx (x: float) = if chart.LogX then log10 x else x
    let points = chart.Series |> List.collect (fun s -> List.zip (List.ofArray s.X) (List.ofArray s.Y)) |> List.filter (fun (x, y) -> Double.IsFinite y && Double.IsFinite(tx x))
    if points.IsEmpty then invalidArg "chart" (sprintf "chart '%s' has no finite points to draw" chart.Title)
    let xs = points |> List.map (fst >> tx)
    let ys = points |> List.map snd
    let pad lo hi = if hi > lo then lo, hi else lo - 1.0, hi + 1.0
    let xlo, xhi = pad (List.min xs) (List.max xs)
    let ylo0, yhi0 = pad (match chart.YMin with Some m -> max m (List.min ys) | None -> List.min ys) (List.max ys)
    let margin = (yhi0 - ylo0) * 0.05
    let ylo, yhi = ylo0 - margin, yhi0 + margin
    let px x = left + (tx x - xlo) / (xhi - xlo) * (width - left - right)
    let py y = height - bottom - (y - ylo) / (yhi - ylo) * (height - top - bottom)
    let sb = StringBuilder()
    let add (s: string) = sb.AppendLine s |> ignore
    add (sprintf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%s\" height=\"%s\" viewBox=\"0 0 %s %s\" font-family=\"sans-serif\" font-size=\"12\">" (f width) (f height) (f width) (f height))
    add "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>"
    add (sprintf "<text x=\"%s\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">%s</text>" (f ((width - right + left) / 2.0)) (escape chart.Title))
    let plotRight = width - right
    add (sprintf "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"none\" stroke=\"#333\"/>" (f left) (f top) (f (plotRight - left)) (f (height - top - bottom)))
    for t in ticks ylo yhi 6 do
        let y = py t
        add (sprintf "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"#ddd\"/>" (f left) (f y) (f plotRight) (f y))
        add (sprintf "<text x=\"%s\" y=\"%s\" text-anchor=\"end\">%s</text>" (f (left - 6.0)) (f (y + 4.0)) (format t))
    // On a log axis: 1, 2 and 5 times each power of ten in range.
    let xTicks =
        if chart.LogX then
            [| for e in floor xlo .. ceil xhi do
                 for m in [ 1.0; 2.0; 5.0 ] do
                     let t = m * 10.0 ** e
                     if log10 t >= xlo - 1e-9 && log10 t <= xhi + 1e-9 then yield t |]
        else ticks xlo xhi 8
    for t in xTicks do
        let x = px t
        add (sprintf "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"#ddd\"/>" (f x) (f top) (f x) (f (height - bottom)))
        add (sprintf "<text x=\"%s\" y=\"%s\" text-anchor=\"middle\">%s</text>" (f x) (f (height - bottom + 18.0)) (format t))
    add (sprintf "<text x=\"%s\" y=\"%s\" text-anchor=\"middle\">%s</text>" (f ((left + plotRight) / 2.0)) (f (height - 18.0)) (escape chart.XLabel))
    add (sprintf "<text transform=\"translate(20,%s) rotate(-90)\" text-anchor=\"middle\">%s</text>" (f ((top + height - bottom) / 2.0)) (escape chart.YLabel))
    add (sprintf "<clipPath id=\"plot\"><rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\"/></clipPath>" (f left) (f top) (f (plotRight - left)) (f (height - top - bottom)))
    chart.Series |> List.iteri (fun i s ->
        let color = palette[i % palette.Length]
        let pts =
            Array.zip s.X s.Y
            |> Array.filter (fun (x, y) -> Double.IsFinite y && Double.IsFinite(tx x))
            |> Array.map (fun (x, y) -> sprintf "%s,%s" (f (px x)) (f (py y)))
        if pts.Length > 0 then
            add (sprintf "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" clip-path=\"url(#plot)\" points=\"%s\"/>" color (String.Join(" ", pts)))
        let ly = top + 16.0 + float i * 18.0
        add (sprintf "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"%s\" stroke-width=\"3\"/>" (f (plotRight + 12.0)) (f ly) (f (plotRight + 36.0)) (f ly) color)
        add (sprintf "<text x=\"%s\" y=\"%s\">%s</text>" (f (plotRight + 42.0)) (f (ly + 4.0)) (escape s.Name)))
    add "</svg>"
    sb.ToString()
