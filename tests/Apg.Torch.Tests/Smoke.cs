public class Smoke
{
    [Fact]
    public void Adds()
    {
        using var scope = Torch.NewDisposeScope();
        var a = Torch.Tensor(new float[] { 1, 2, 3 });
        var b = a + a * 2;
        Assert.Equal(new float[] { 3, 6, 9 }, b.ToArray<float>());
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var x = Torch.Tensor(new float[10]);
        for (int i = 0; i < 100000; i++) { using var s = Torch.NewDisposeScope(); var y = x + x; }
        Console.WriteLine($"add: {sw.Elapsed.TotalMicroseconds / 100000} us; {Torch.BlasInfo}; threads {Torch.NumThreads}; {Torch.Version}");
    }
}
