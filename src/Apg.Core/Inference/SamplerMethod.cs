namespace Apg.Core.Inference;

/// <summary>The samplers the paper compares (Table 1); a task builds the ones it has (Gibbs needs exact conditionals).</summary>
public enum SamplerMethod { Apg, Rws, Bpg, HmcRws, Gibbs }

public static class SamplerMethods
{
    /// <summary>A method by its command-line name (apg, rws, bpg, hmc-rws or hmc, gibbs).</summary>
    public static SamplerMethod Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "apg" => SamplerMethod.Apg,
        "rws" => SamplerMethod.Rws,
        "bpg" => SamplerMethod.Bpg,
        "hmc-rws" or "hmc" => SamplerMethod.HmcRws,
        "gibbs" => SamplerMethod.Gibbs,
        _ => throw new ArgumentException($"unknown method '{text}': use apg, rws, bpg, hmc-rws or gibbs"),
    };

    public static string Name(SamplerMethod method) => method == SamplerMethod.HmcRws ? "hmc-rws" : method.ToString().ToLowerInvariant();

    /// <summary>The error for a method a task does not have, naming the ones it has.</summary>
    public static ArgumentException NotIn(string task, SamplerMethod method, params SamplerMethod[] available) =>
        new($"{task} has no method '{Name(method)}': use {string.Join(", ", available.Select(Name))}");

    /// <summary>Sweeps and particles a method runs with: RWS spends the budget K * L on the particles of one sweep.</summary>
    public static (int Sweeps, int Particles) Budget(SamplerMethod method, int sweeps, int particles) =>
        method == SamplerMethod.Rws ? (1, sweeps * particles) : (sweeps, particles);
}
