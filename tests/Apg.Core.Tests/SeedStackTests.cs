using Apg.Core.Inference;
using Apg.Core.Models.Gmm;
using Apg.Core.NN;

namespace Apg.Core.Tests;

using static Apg.Core.Models.Gmm.GmmVariables;

/// <summary>
/// Seed batching must be S separate networks computed in shared ops: seed s's group of the stacked networks' outputs
/// equals seed s's own networks on that group, and so do the gradients of a sum over seeds with respect to seed s's
/// slice of each stacked parameter. float64 networks: the stacked path multiplies with a batched matmul where the
/// plain one calls linear, so the two differ in rounding only (1e-10 relative leaves a margin of about a million
/// ulps, while a seed's group seen by another seed's layer is off by O(1)).
/// </summary>
public class SeedStackTests
{
    private static readonly GmmPrior Prior = GmmPrior.Paper;
    private static readonly ulong[] Seeds = [11, 12, 13];
    private const int Instances = 4, Points = 7, Particles = 2;

    private static GmmNetworks Plain(ulong seed)
    {
        using var generator = new Generator(seed);
        return new GmmNetworks(Prior, generator, ScalarType.Float64);
    }

    private static (Tensor X, Latents Z) Inputs()
    {
        using var g = new Generator(5);
        var b = Seeds.Length * Instances;
        var x = randn([b, Points, 2], ScalarType.Float64, generator: g) * 3;
        var mu = randn([Particles, b, 3, 2], ScalarType.Float64, generator: g) * 3;
        var tau = rand([Particles, b, 3, 2], ScalarType.Float64, generator: g) * 4 + 0.05;
        var c = nn.functional.one_hot(randint(3, [Particles, b, Points], generator: g), 3).to(ScalarType.Float64);
        return (x, new Latents((Mu, mu), (Tau, tau), (C, c)));
    }

    /// <summary>Every output of the three proposals the sampler uses, and a scalar of all of them for gradients.</summary>
    private static (Tensor[] Outputs, Tensor Scalar) Run(GmmNetworks n, Tensor x, Latents z)
    {
        var encoded = n.Encoder.Encode(x).Distribution;
        var global = (GlobalConditional)n.Global.Condition(x, z);
        var local = ((LocalConditional)n.Local.Condition(x, z)).Distribution.Categorical.Logits;   // [L, B, N, M]
        Tensor[] outputs = [encoded.Mu, encoded.Beta, global.Distribution.Alpha, global.LogProb(z), local];
        return (outputs, encoded.Mu.sum() + encoded.Beta.log().sum() + global.LogProb(z).sum() + (local * local).sum());
    }

    private static Tensor Group(Tensor t, int s, int axis) => t.narrow(axis, s * Instances, Instances);

    private static Latents Group(Latents z, int s) => new((Mu, Group(z[Mu], s, 1)), (Tau, Group(z[Tau], s, 1)), (C, Group(z[C], s, 1)));

    [Fact]
    public void Stacked_networks_start_as_each_seeds_plain_run_and_unstack_to_it()
    {
        using var stacked = GmmNetworks.Stacked(Prior, Seeds, ScalarType.Float64);
        for (var s = 0; s < Seeds.Length; s++)
        {
            using var plain = Plain(Seeds[s]);
            using var copy = new GmmNetworks(Prior, new Generator(999), ScalarType.Float64);
            SeedStack.Unstack(stacked, s, copy);
            var expected = plain.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var (name, parameter) in copy.named_parameters())
            {
                Assert.Equal(expected[name].shape, parameter.shape);
                Assert.True(expected[name].eq(parameter).all().item<bool>(), $"seed {Seeds[s]}: {name} differs from its plain run's");
            }
        }
    }

    [Fact]
    public void Each_seeds_group_sees_only_its_own_networks_forward_and_backward()
    {
        var (x, z) = Inputs();
        using var stacked = GmmNetworks.Stacked(Prior, Seeds, ScalarType.Float64);
        var (all, scalar) = Run(stacked, x, z);
        scalar.backward();
        var stackedGrads = stacked.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!);
        for (var s = 0; s < Seeds.Length; s++)
        {
            using var plain = Plain(Seeds[s]);
            var (own, ownScalar) = Run(plain, Group(x, s, 0), Group(z, s));
            ownScalar.backward();
            for (var i = 0; i < own.Length; i++)
            {
                var axis = i < 2 ? 0 : 1;                                      // the encoder's [B, M, D]; the rest [L, B, ...]
                Assert.True(Group(all[i], s, axis).allclose(own[i], rtol: 1e-10, atol: 1e-10), $"seed {Seeds[s]}: output {i} differs");
            }
            foreach (var (name, parameter) in plain.named_parameters())
                Assert.True(stackedGrads[name][s].allclose(parameter.grad!, rtol: 1e-10, atol: 1e-10), $"seed {Seeds[s]}: gradient of {name} differs");
        }
    }

    [Fact]
    public void Linear_refuses_instances_that_do_not_split_into_the_seeds_groups()
    {
        var weight = zeros(3, 2, 4);
        var error = Assert.Throws<ArgumentException>(() => SeedStack.Linear(zeros(5, 7, 4), weight, null, -3));
        Assert.Contains("[5, 7, 4]", error.Message);
        Assert.Contains("3 seeds", error.Message);
    }

    [Fact]
    public void Stack_refuses_a_layer_it_cannot_stack()
    {
        using var target = nn.Sequential(("norm", nn.LayerNorm(4)));
        using var other = nn.Sequential(("norm", nn.LayerNorm(4)));
        var error = Assert.Throws<NotSupportedException>(() => SeedStack.Stack(target, [other]));
        Assert.Contains("norm", error.Message);
    }
}
