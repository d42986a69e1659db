/// Figures with ScottPlot 5: a PNG for people, an SVG beside it, written atomically.
module Apg.Scripts.Report.Figures

open System
open System.IO
open ScottPlot

type Series = { Name: string; X: float[]; Y: float[] }

type Chart =
    { Title: string
      XLabel: string
      YLabel: string
      Series: Series list
      LogX: bool
      /// Lower limit of the y axis; lines below it are clipped at the plot's edge (None: fit every point).
      YMin: float option }

let width, height = 900, 560

let palette = Palettes.Category10()

let private atomically (path: string) (write: string -> unit) = Apg.Core.Data.AtomicFile.WriteVia(path, Action<string> write)

/// Saves a plot as NAME.png and NAME.svg in folder.
let savePlot (folder: string) (name: string) (plot: Plot) =
    atomically (Path.Combine(folder, name + ".png")) (fun p -> plot.SavePng(p, width, height) |> ignore)
    atomically (Path.Combine(folder, name + ".svg")) (fun p -> plot.SaveSvg(p, width, height) |> ignore)

/// 1, 2 and 5 times each power of ten inside [lo, hi] (data units), as ticks placed at their log10.
let private logTicks (lo: float) (hi: float) =
    let ticks = TickGenerators.NumericManual()
    for e in floor (log10 lo) .. ceil (log10 hi) do
        for m in [ 1.0; 2.0; 5.0 ] do
            let t = m * 10.0 ** e
            if t >= lo * (1.0 - 1e-9) && t <= hi * (1.0 + 1e-9) then ticks.AddMajor(log10 t, t.ToString("G4", Globalization.CultureInfo.InvariantCulture))
    ticks

/// A line chart: one line with markers per series, a legend; log x axis when asked.
let lineChart (chart: Chart) : Plot =
    let tx (x: float) = if chart.LogX then log10 x else x
    let finite =
        chart.Series |> List.collect (fun s -> Array.zip s.X s.Y |> Array.filter (fun (x, y) -> Double.IsFinite y && Double.IsFinite(tx x)) |> List.ofArray)
    if finite.IsEmpty then invalidArg "chart" (sprintf "chart '%s' has no finite points to draw" chart.Title)
    let plot = new Plot()
    chart.Series
    |> List.iteri (fun i s ->
        let pts = Array.zip s.X s.Y |> Array.filter (fun (x, y) -> Double.IsFinite y && Double.IsFinite(tx x))
        if pts.Length > 0 then
            let line = plot.Add.Scatter((pts |> Array.map (fst >> tx) : float[]), (pts |> Array.map snd : float[]), palette.GetColor i)
            line.LegendText <- s.Name
            line.LineWidth <- 2.0f
            line.MarkerSize <- (if pts.Length > 40 then 0.0f else 5.0f))
    plot.Title chart.Title
    plot.XLabel chart.XLabel
    plot.YLabel chart.YLabel
    if chart.LogX then
        let xs = finite |> List.map fst
        plot.Axes.Bottom.TickGenerator <- logTicks (List.min xs) (List.max xs)
    plot.Axes.AutoScale()
    match chart.YMin with
    | Some m ->
        let ys = finite |> List.map snd
        let top = List.max ys
        let bottom = max m (List.min ys)
        let pad = 0.05 * max (top - bottom) 1e-9
        plot.Axes.SetLimitsY(bottom - pad, top + pad)
    | None -> ()
    plot.ShowLegend(Alignment.LowerRight) |> ignore
    plot

/// One panel of a clustering figure: points coloured by cluster (None: all grey), and for each cluster a mean
/// marker and an ellipse with the given radii (x, y) around it.
type ClusterPanel =
    { Title: string
      Points: float[][]
      Assignments: int64[] option
      Clusters: (float * float * float * float) list }

let clusterPlot (panel: ClusterPanel) : Plot =
    let plot = new Plot()
    let grey = Colors.Gray
    match panel.Assignments with
    | None ->
        plot.Add.Markers(panel.Points |> Array.map (fun p -> p[0]), panel.Points |> Array.map (fun p -> p[1]), MarkerShape.FilledCircle, 4.0f, grey) |> ignore
    | Some cs ->
        for k in Array.distinct cs |> Array.sort do
            let pts = Array.zip panel.Points cs |> Array.filter (fun (_, c) -> c = k) |> Array.map fst
            plot.Add.Markers(pts |> Array.map (fun p -> p[0]), pts |> Array.map (fun p -> p[1]), MarkerShape.FilledCircle, 4.0f, palette.GetColor(int k)) |> ignore
    panel.Clusters
    |> List.iteri (fun k (mx, my, rx, ry) ->
        let e = plot.Add.Ellipse(mx, my, rx, ry)
        e.LineColor <- palette.GetColor k
        e.LineWidth <- 2.0f
        plot.Add.Marker(mx, my, MarkerShape.Cross, 12.0f, Colors.Black) |> ignore)
    plot.Title(panel.Title, 12.0f)
    plot.Axes.SquareUnits() |> ignore
    plot

/// A grid of plots (row by row) as NAME.png and NAME.svg.
let saveGrid (folder: string) (name: string) (rows: int) (columns: int) (plots: Plot list) (cellWidth: int) (cellHeight: int) =
    let multiplot = Multiplot(List.head plots)
    for p in List.tail plots do multiplot.Subplots.Add p
    multiplot.Layout <- MultiplotLayouts.Grid(rows, columns)
    let w, h = columns * cellWidth, rows * cellHeight
    atomically (Path.Combine(folder, name + ".png")) (fun p -> multiplot.SavePng(p, w, h) |> ignore)
    atomically (Path.Combine(folder, name + ".svg")) (fun p ->
        use stream = File.Create p
        use canvas = SkiaSharp.SKSvgCanvas.Create(SkiaSharp.SKRect(0.0f, 0.0f, float32 w, float32 h), stream)
        multiplot.Render(canvas, PixelRect(float32 w, float32 h)))

/// A surface over a 2-D grid as a heatmap with a colour bar: values[row][column] at (xs[column], ys[row]), clipped below
/// at floor so that the region of interest keeps its contrast; marked points and paths on top, with a legend.
type SurfacePanel =
    { Title: string
      XLabel: string
      YLabel: string
      Xs: float[]
      Ys: float[]
      Values: float[][]
      Floor: float
      ColourLabel: string
      Paths: (string * float[][]) list
      Points: (string * float[] * MarkerShape) list }

let surfacePlot (panel: SurfacePanel) : Plot =
    let plot = new Plot()
    let rows, columns = panel.Ys.Length, panel.Xs.Length
    // ScottPlot draws row 0 at the top.
    let intensities = Array2D.init rows columns (fun r c -> max panel.Floor (panel.Values[rows - 1 - r][c]))
    let heatmap = plot.Add.Heatmap(intensities)
    let dx = (panel.Xs[columns - 1] - panel.Xs[0]) / float (columns - 1)
    let dy = (panel.Ys[rows - 1] - panel.Ys[0]) / float (rows - 1)
    heatmap.Extent <- CoordinateRect(panel.Xs[0] - dx / 2.0, panel.Xs[columns - 1] + dx / 2.0, panel.Ys[0] - dy / 2.0, panel.Ys[rows - 1] + dy / 2.0)
    heatmap.Colormap <- Colormaps.Viridis()
    let bar = plot.Add.ColorBar(heatmap)
    bar.Label <- panel.ColourLabel
    panel.Paths
    |> List.iteri (fun i (name, points) ->
        let line = plot.Add.Scatter(points |> Array.map (fun p -> p[0]), points |> Array.map (fun p -> p[1]))
        line.LegendText <- name
        // Cyan reads on the colour map's dark and light ends and on the legend's white.
        line.Color <- Colors.DarkTurquoise
        line.LineWidth <- 2.5f
        line.MarkerSize <- 8.0f
        line.MarkerShape <- MarkerShape.FilledCircle)
    let colours = [| Colors.Red; Colors.Magenta; Colors.Orange |]
    panel.Points
    |> List.iteri (fun i (name, p, shape) ->
        let m = plot.Add.Marker(p[0], p[1], shape, 16.0f, colours[i % colours.Length])
        m.LegendText <- name)
    plot.Title(panel.Title, 13.0f)
    plot.XLabel panel.XLabel
    plot.YLabel panel.YLabel
    plot.ShowLegend(Alignment.UpperLeft) |> ignore
    plot.Axes.SetLimits(panel.Xs[0] - dx / 2.0, panel.Xs[columns - 1] + dx / 2.0, panel.Ys[0] - dy / 2.0, panel.Ys[rows - 1] + dy / 2.0)
    plot

/// A 28x28 digit as a grey image.
let digitPlot (title: string) (pixels: float[]) : Plot =
    let plot = new Plot()
    let heatmap = plot.Add.Heatmap(Array2D.init 28 28 (fun r c -> pixels[r * 28 + c]))
    heatmap.Colormap <- Colormaps.Grayscale()
    plot.Title(title, 13.0f)
    plot.Axes.SquareUnits() |> ignore
    plot.HideGrid()
    plot

/// Square grey images (values in [0, 1], row-major side x side) laid out in rows with a thin grey gap, one row label
/// each and column labels on top: one picture for a person to read frame by frame.
let imageRows (title: string) (rowLabels: string list) (columnLabels: string list) (side: int) (images: float[][][]) : Plot =
    let rows, columns = images.Length, (images |> Array.map Array.length |> Array.max)
    let gap = 2
    let cell = side + gap
    let pixels = Array2D.create (rows * cell) (columns * cell) 0.5
    images |> Array.iteri (fun r row ->
        row |> Array.iteri (fun c image ->
            for i in 0 .. side - 1 do
                for j in 0 .. side - 1 do
                    pixels[r * cell + i, c * cell + j] <- image[i * side + j]))
    let plot = new Plot()
    let heatmap = plot.Add.Heatmap(pixels)
    heatmap.Colormap <- Colormaps.Grayscale()
    heatmap.Extent <- CoordinateRect(0.0, float (columns * cell), float (-rows * cell), 0.0)
    rowLabels |> List.iteri (fun r label ->
        let text = plot.Add.Text(label, -4.0, float (-r * cell) - float side / 2.0)
        text.LabelAlignment <- Alignment.MiddleRight
        text.LabelFontSize <- 13.0f)
    columnLabels |> List.iteri (fun c label ->
        let text = plot.Add.Text(label, float (c * cell) + float side / 2.0, 3.0)
        text.LabelAlignment <- Alignment.LowerCenter
        text.LabelFontSize <- 11.0f)
    // Frameless hides the title axis too, so the title is a label above the column labels.
    let heading = plot.Add.Text(title, float (columns * cell) / 2.0, float side * 0.45)
    heading.LabelAlignment <- Alignment.LowerCenter
    heading.LabelFontSize <- 15.0f
    heading.LabelBold <- true
    plot.Axes.SetLimits(-float side * 2.1, float (columns * cell) + 2.0, float (-rows * cell) - 2.0, float side * 0.8)
    plot.Axes.Frameless() |> ignore
    plot.HideGrid()
    plot

/// Saves a plot as NAME.png and NAME.svg at a given size.
let savePlotSized (folder: string) (name: string) (plot: Plot) (w: int) (h: int) =
    atomically (Path.Combine(folder, name + ".png")) (fun p -> plot.SavePng(p, w, h) |> ignore)
    atomically (Path.Combine(folder, name + ".svg")) (fun p -> plot.SaveSvg(p, w, h) |> ignore)
