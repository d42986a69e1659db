using System.Collections;
namespace Apg.Core.Inference;

/// <summary>An immutable set of named latent tensors, particles first: [L particles, B instances, ...].</summary>
public sealed class Latents : IReadOnlyDictionary<string, Tensor>
{
    private readonly Dictionary<string, Tensor> values;

    public Latents(IEnumerable<KeyValuePair<string, Tensor>> values) => this.values = new Dictionary<string, Tensor>(values);
    public Latents(params (string Name, Tensor Value)[] values) : this(values.Select(v => KeyValuePair.Create(v.Name, v.Value))) { }

    public Tensor this[string key] =>
        values.TryGetValue(key, out var t) ? t : throw new KeyNotFoundException($"no latent variable '{key}' (have: {string.Join(", ", values.Keys)})");

    /// <summary>A copy with some variables replaced or added.</summary>
    public Latents With(Latents update)
    {
        var copy = new Dictionary<string, Tensor>(values);
        foreach (var (k, v) in update) copy[k] = v;
        return new Latents(copy);
    }

    public Latents Only(IEnumerable<string> names) => new(names.Select(n => KeyValuePair.Create(n, this[n])));

    /// <summary>Every variable resampled along the particle dim by ancestors [L, B].</summary>
    public Latents Select(Tensor ancestors) =>
        new(values.Select(kv => KeyValuePair.Create(kv.Key, Resampling.Select(kv.Value, ancestors))));

    public Latents Detach() => new(values.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.detach())));

    public Latents MoveToOuterScope()
    {
        foreach (var t in values.Values) t.MoveToOuterDisposeScope();
        return this;
    }

    /// <summary>Frees this set's tensors that the other set does not hold (compared by reference).</summary>
    public void DisposeExcept(Latents keep)
    {
        foreach (var t in values.Values)
            if (!keep.values.Values.Any(k => ReferenceEquals(k, t))) t.Dispose();
    }

    public int Count => values.Count;
    public IEnumerable<string> Keys => values.Keys;
    public IEnumerable<Tensor> Values => values.Values;
    public bool ContainsKey(string key) => values.ContainsKey(key);
    public bool TryGetValue(string key, out Tensor value) => values.TryGetValue(key, out value!);
    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() => values.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
