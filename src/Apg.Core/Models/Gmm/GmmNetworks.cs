using Apg.Core.NN;

namespace Apg.Core.Models.Gmm;

/// <summary>The three learned GMM proposals, as one module so they save and load together.</summary>
public sealed class GmmNetworks : nn.Module
{
    /// <summary>The three proposals for prior, their initial weights drawn from generator, on device.</summary>
    public GmmNetworks(GmmPrior prior, Generator? generator = null, ScalarType dtype = ScalarType.Float32, Device? device = null)
        : base(nameof(GmmNetworks))
    {
        Encoder = new NeuralGlobalProposal(prior, conditionsOnAssignments: false, generator, dtype, device);
        Global = new NeuralGlobalProposal(prior, conditionsOnAssignments: true, generator, dtype, device);
        Local = new NeuralLocalProposal(prior, generator: generator, dtype: dtype, device: device);
        register_module("encoder", Encoder);
        register_module("global", Global);
        register_module("local", Local);
    }

    /// <summary>q(mu, tau | x), the one-shot global encoder.</summary>
    public NeuralGlobalProposal Encoder { get; }
    /// <summary>q(mu, tau | x, c).</summary>
    public NeuralGlobalProposal Global { get; }
    /// <summary>q(c | x, mu, tau), also the one-shot local encoder.</summary>
    public NeuralLocalProposal Local { get; }

    public NeuralOneShot OneShot => new(Encoder, Local);

    /// <summary>
    /// The networks of several training seeds in one, for seed batching (NN.SeedStack): seed s's layers start as a
    /// plain run of that seed starts them (drawn from a generator seeded with it). Its inputs hold the seeds'
    /// instances as consecutive groups, in seed order.
    /// </summary>
    public static GmmNetworks Stacked(GmmPrior prior, IReadOnlyList<ulong> seeds, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var plain = seeds.Select(seed =>
        {
            using var generator = new Generator(seed, device);
            return new GmmNetworks(prior, generator, dtype, device);
        }).ToList();
        var stacked = new GmmNetworks(prior, null, dtype, device);
        SeedStack.Stack(stacked, plain);
        foreach (var network in plain) network.Dispose();
        return stacked;
    }
}
