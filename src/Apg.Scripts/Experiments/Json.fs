/// Small helpers over System.Text.Json nodes, and the canonical form that run keys are hashed from.
module Apg.Scripts.Experiments.Json

open System
open System.IO
open System.Security.Cryptography
open System.Text
open System.Text.Json
open System.Text.Json.Nodes

let parseFile (path: string) : JsonObject =
    if not (File.Exists path) then raise (FileNotFoundException(sprintf "%s: no such file" path, path))
    try
        match JsonNode.Parse(File.ReadAllText path) with
        | :? JsonObject as o -> o
        | _ -> raise (InvalidDataException(sprintf "%s: expected a JSON object" path))
    with :? JsonException as e -> raise (InvalidDataException(sprintf "%s: malformed JSON: %s" path e.Message))

/// A JSON object of (name, node) pairs, in order: how run keys and results are written.
let object (pairs: (string * JsonNode) list) =
    let o = JsonObject()
    for k, v in pairs do o[k] <- v
    o

/// A value as a JSON node.
let value (x: 'T) : JsonNode = JsonValue.Create x

let private field (source: string) (o: JsonObject) (name: string) : JsonNode =
    match o[name] with
    | null -> raise (InvalidDataException(sprintf "%s: missing field '%s'" source name))
    | n -> n

let getInt source o name =
    try (field source o name).GetValue<int>()
    with :? InvalidOperationException | :? FormatException -> raise (InvalidDataException(sprintf "%s: field '%s' must be an integer" source name))

let getFloat source o name =
    try (field source o name).GetValue<float>()
    with :? InvalidOperationException | :? FormatException -> raise (InvalidDataException(sprintf "%s: field '%s' must be a number" source name))

let getString source o name =
    try (field source o name).GetValue<string>()
    with :? InvalidOperationException | :? FormatException -> raise (InvalidDataException(sprintf "%s: field '%s' must be a string" source name))

let getObject source o name =
    match field source o name with
    | :? JsonObject as child -> child
    | _ -> raise (InvalidDataException(sprintf "%s: field '%s' must be an object" source name))

let getArray source o name =
    match field source o name with
    | :? JsonArray as a -> a
    | _ -> raise (InvalidDataException(sprintf "%s: field '%s' must be an array" source name))

let floats (a: JsonArray) = a |> Seq.map (fun n -> n.GetValue<float>()) |> Array.ofSeq

let ofFloats (values: float seq) = JsonArray(values |> Seq.map (fun v -> JsonValue.Create v :> JsonNode) |> Array.ofSeq)

/// Rows of numbers (per sweep, per instance) as an array of arrays.
let ofRows (rows: float[][]) = JsonArray(rows |> Array.map (fun r -> ofFloats r :> JsonNode))

/// A field written by ofRows.
let rows source o name =
    getArray source o name
    |> Seq.map (fun n ->
        match n with
        | :? JsonArray as a -> floats a
        | _ -> raise (InvalidDataException(sprintf "%s: field '%s' must be an array of arrays of numbers" source name)))
    |> Array.ofSeq

/// Properties sorted at every level, no whitespace: equal keys give equal text.
let rec canonical (node: JsonNode) : string =
    match node with
    | null -> "null"
    | :? JsonObject as o ->
        let parts = o |> Seq.sortBy (fun kv -> kv.Key) |> Seq.map (fun kv -> JsonSerializer.Serialize kv.Key + ":" + canonical kv.Value)
        "{" + String.Join(",", parts) + "}"
    | :? JsonArray as a -> "[" + String.Join(",", a |> Seq.map canonical) + "]"
    | v -> v.ToJsonString()

let hash (node: JsonNode) =
    SHA256.HashData(Encoding.UTF8.GetBytes(canonical node)) |> Convert.ToHexString |> fun s -> s.ToLowerInvariant()

let pretty (node: JsonNode) = node.ToJsonString(JsonSerializerOptions(WriteIndented = true))
