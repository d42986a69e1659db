using System.Diagnostics;
using Apg.Torch.NN;
using Apg.Torch.Optim;
using Xunit.Abstractions;

namespace Apg.Torch.Tests;

/// <summary>Resident memory is process-wide, so this runs alone, after the parallel tests.</summary>
[Collection("Serial")]
public class MemoryTests(ITestOutputHelper output)
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
        using var model = new Sequential(new Linear(8, 32, generator: g), new Tanh(), new Linear(32, 1, generator: g));
        using var adam = new Adam(model.Parameters(), lr: 1e-3);
        Tensor x, y;
        using (Torch.NewDisposeScope())
        {
            x = Torch.Randn([32, 8], g).DetachFromScope();
            y = Torch.Randn([32, 1], g).DetachFromScope();
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
            using var s = Torch.NewDisposeScope();
            adam.ZeroGrad();
            var loss = (model.Forward(x) - y).Square().Mean();
            loss.Backward();
            adam.Step();
            if (step == steps - 1) lastLoss = loss.Item();
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
