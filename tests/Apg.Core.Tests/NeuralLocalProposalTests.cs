using Apg.Core.Inference;
using Apg.Core.Models.Gmm;
using Apg.Core.Autograd;

namespace Apg.Core.Tests;

using static Apg.Core.Models.Gmm.GmmVariables;

/// <summary>
/// NeuralLocalProposal computes score(concat(x_n, mu_m, tau_m)) with score = Linear(3D, 32) -> tanh -> Linear(32, 1)
/// through identities (a split first layer, tanh(a) = 2 sigmoid(2a) - 1 folded into the weights, chunks of particles).
/// Here the plain network is written out from the module's own parameters and both are compared: the proposal's
/// log-probabilities (log_softmax of the scores over clusters) and their gradients with respect to every parameter.
/// float64 modules pin the algebra to 1e-10; float32 ones check the production dtype to rounding: the reformulation
/// reorders ~40 float32 operations per score, each off by at most half an ulp (6e-8 relative), so 2e-5 relative to
/// max(1, |value|) has a wide margin, while any wrong fold (a missing factor 2, the -1 dropped) is off by O(0.1).
/// </summary>
public class NeuralLocalProposalTests
{
    private static readonly GmmPrior Prior = GmmPrior.Paper;

    private static (Tensor X, Latents Z) Inputs(int particles, int instances, int points, ScalarType dtype, Generator g)
    {
        var x = (randn([instances, points, 2], ScalarType.Float64, generator: g) * 3).to(dtype);
        var mu = (randn([particles, instances, 3, 2], ScalarType.Float64, generator: g) * 3).to(dtype);
        var tau = (rand([particles, instances, 3, 2], ScalarType.Float64, generator: g) * 4 + 0.05).to(dtype);
        return (x, new Latents((Mu, mu), (Tau, tau)));
    }

    private static Dictionary<string, Tensor> Parameters(NeuralLocalProposal module) =>
        module.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);

    /// <summary>The textbook network on the materialized [L, B, N, M, 3D] input, normalized over clusters.</summary>
    private static Tensor Plain(NeuralLocalProposal module, Tensor x, Latents z)
    {
        var p = Parameters(module);
        var mu = z[Mu];
        var (particles, instances, clusters) = (mu.size(0), mu.size(1), mu.size(2));
        var points = x.size(1);
        long[] shape = [particles, instances, points, clusters, 2];
        var input = cat([
            x.unsqueeze(0).unsqueeze(3).expand(shape),                           // x_n
            mu.unsqueeze(2).expand(shape),                                       // mu_m
            z[Tau].unsqueeze(2).expand(shape),                                   // tau_m
        ], -1);
        var hidden = nn.functional.linear(input, p["score.0.weight"], p["score.0.bias"]).tanh();
        var scores = nn.functional.linear(hidden, p["score.2.weight"], p["score.2.bias"]).squeeze(-1);
        return scores.log_softmax(-1);
    }

    private static Tensor Fast(NeuralLocalProposal module, Tensor x, Latents z) =>
        ((LocalConditional)module.Condition(x, z)).Distribution.Categorical.Logits;

    [Fact]
    public void Module_has_the_documented_parameters()
    {
        using var module = new NeuralLocalProposal(Prior, generator: new Generator(70));
        var shapes = module.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        Assert.Equal(new long[] { 32, 6 }, shapes["score.0.weight"]);
        Assert.Equal(new long[] { 32 }, shapes["score.0.bias"]);
        Assert.Equal(new long[] { 1, 32 }, shapes["score.2.weight"]);
        Assert.Equal(new long[] { 1 }, shapes["score.2.bias"]);
        Assert.Equal(4, shapes.Count);
    }

    [Theory]
    [InlineData(4, 3, 7, ScalarType.Float64, 1e-10)]      // one chunk
    [InlineData(60, 2, 50, ScalarType.Float64, 1e-10)]    // B N M H = 9,600 per particle: chunks of 27, 27, 6
    [InlineData(4, 3, 7, ScalarType.Float32, 2e-5)]
    [InlineData(60, 20, 100, ScalarType.Float32, 2e-5)]   // 192,000 per particle: 60 chunks of one particle
    public void Log_probabilities_equal_the_plain_network(int particles, int instances, int points, ScalarType dtype, double tol)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(71);
        using var module = new NeuralLocalProposal(Prior, generator: g, dtype: dtype);
        var (x, z) = Inputs(particles, instances, points, dtype, g);
        using var noGrad = no_grad();
        var fast = Fast(module, x, z);
        Assert.Equal(new long[] { particles, instances, points, 3 }, fast.shape);
        Approx.Close(T.D(Plain(module, x, z)), T.D(fast), tol);
    }

    [Theory]
    [InlineData(5, 2, 6, ScalarType.Float64, 1e-10)]
    [InlineData(60, 2, 50, ScalarType.Float64, 1e-10)]    // several chunks, each a separate graph piece
    [InlineData(60, 2, 50, ScalarType.Float32, 1e-4)]
    public void Parameter_gradients_equal_the_plain_network(int particles, int instances, int points, ScalarType dtype, double tol)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(72);
        using var module = new NeuralLocalProposal(Prior, generator: g, dtype: dtype);
        var (x, z) = Inputs(particles, instances, points, dtype, g);
        var weights = randn([particles, instances, points, 3], dtype, generator: g);   // a random linear functional of the output
        var parameters = module.parameters().ToList();
        var fast = Gradients.Of((Fast(module, x, z) * weights).sum(), parameters);
        var plain = Gradients.Of((Plain(module, x, z) * weights).sum(), parameters);
        for (var i = 0; i < parameters.Count; i++)
        {
            var expected = T.D(plain[i]);
            // gradients are sums over L B N M terms: compare relative to the largest entry of the parameter's gradient
            var scale = Math.Max(1, expected.Max(Math.Abs));
            Approx.Close(expected.Select(v => v / scale).ToArray(), T.D(fast[i]).Select(v => v / scale).ToArray(), tol);
        }
    }

    [Fact]
    public void Float64_gradients_pass_gradcheck_in_the_globals()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(73);
        using var module = new NeuralLocalProposal(Prior, generator: g, dtype: ScalarType.Float64);
        var (x, z) = Inputs(3, 2, 4, ScalarType.Float64, g);
        var check = GradCheck.Check(v => Fast(module, x, new Latents((Mu, v[0]), (Tau, v[1]))), [z[Mu], z[Tau]]);
        Assert.True(check.Passed, check.Detail);
    }
}
