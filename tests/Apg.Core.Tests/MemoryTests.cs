using System.Diagnostics;
using Apg.Core.NN;

namespace Apg.Core.Tests;

/// <summary>Resident memory is process-wide, so this runs alone, after the parallel tests.</summary>
[Collection("Serial")]
public class MemoryTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static long ResidentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:"))
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0]) * 1024; // reported in kB
        throw new InvalidOperationException("no VmRSS in /proc/self/status");
    }

    [Fact]
    public void Twenty_thousand_training_steps_in_dispose_scopes_do_not_grow_resident_memory()
    {
        const int steps = 20_000, warmUp = 500;
        using var g = new Generator(11);
        using var model = nn.Sequential(("0", SeededLinear.Create(8, 32, g)), ("1", nn.Tanh()), ("2", SeededLinear.Create(32, 1, g)));
        using var adam = optim.Adam(model.parameters(), lr: 1e-3);
        Tensor x, y;
        using (NewDisposeScope())
        {
            x = randn([32, 8], ScalarType.Float32, generator: g).DetachFromDisposeScope();
            y = randn([32, 1], ScalarType.Float32, generator: g).DetachFromDisposeScope();
        }

        double lastLoss = 0;
        long before = 0;
        var clock = Stopwatch.StartNew();
        for (var step = 0; step < steps; step++)
        {
            if (step == warmUp)
            {
                GC.Collect();
                before = ResidentBytes();
            }
            using var s = NewDisposeScope();
            model.zero_grad(set_to_none: true);
            var loss = (model.forward(x) - y).square().mean();
            loss.backward();
            adam.step();
            if (step == steps - 1) lastLoss = loss.item<float>();
        }
        GC.Collect();
        var after = ResidentBytes();
        output.WriteLine($"{steps} steps in {clock.Elapsed.TotalSeconds:F1} s; VmRSS {before / 1e6:F1} MB -> {after / 1e6:F1} MB; final loss {lastLoss:G4}");
        Assert.True(after - before < 50_000_000, $"resident memory grew by {(after - before) / 1e6:F1} MB over {steps - warmUp} steps");
        Assert.True(double.IsFinite(lastLoss));
        x.Dispose();
        y.Dispose();
    }
}
