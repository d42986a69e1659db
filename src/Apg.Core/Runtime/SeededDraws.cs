namespace Apg.Core.Runtime;

/// <summary>
/// Random draws from an explicit generator onto any device. TorchSharp's Generator is a CPU generator whatever
/// device it is given (its native constructor ignores the device), and libtorch refuses a CPU generator for a
/// CUDA tensor. So a seeded draw is made on the CPU and moved to the target device: a seed gives the same numbers
/// on every device, and a CPU run draws exactly what it drew before. Without a generator, the device's own
/// default generator draws in place.
/// </summary>
public static class SeededDraws
{
    public static Tensor Rand(long[] shape, ScalarType dtype, Device device, Generator? generator) =>
        MovesFromCpu(device, generator)
            ? rand(shape, dtype, CPU, generator: generator).to(device)
            : rand(shape, dtype, device, generator: generator);

    public static Tensor Randn(long[] shape, ScalarType dtype, Device device, Generator? generator) =>
        MovesFromCpu(device, generator)
            ? randn(shape, dtype, CPU, generator: generator).to(device)
            : randn(shape, dtype, device, generator: generator);

    public static Tensor Randperm(long n, Device device, Generator? generator) =>
        MovesFromCpu(device, generator)
            ? randperm(n, generator: generator, device: CPU).to(device)
            : randperm(n, generator: generator, device: device);

    /// <summary>Gamma(alpha, 1) draws, elementwise, on alpha's device.</summary>
    public static Tensor StandardGamma(Tensor alpha, Generator? generator) =>
        MovesFromCpu(alpha.device, generator)
            ? _standard_gamma(alpha.cpu(), generator).to(alpha.device)
            : _standard_gamma(alpha, generator);

    /// <summary>0/1 draws with the given probabilities, on their device.</summary>
    public static Tensor Bernoulli(Tensor probs, Generator? generator) =>
        MovesFromCpu(probs.device, generator)
            ? bernoulli(probs.cpu(), generator).to(probs.device)
            : bernoulli(probs, generator);

    /// <summary>torch.multinomial: row-wise indices, on the probabilities' device.</summary>
    public static Tensor Multinomial(Tensor probs, long samples, bool replacement, Generator? generator) =>
        MovesFromCpu(probs.device, generator)
            ? multinomial(probs.cpu(), samples, replacement, generator).to(probs.device)
            : multinomial(probs, samples, replacement, generator);

    /// <summary>Fills the tensor in place with U(low, high) draws (under no_grad, as an initializer).</summary>
    public static Tensor Uniform_(Tensor tensor, double low, double high, Generator? generator)
    {
        if (!MovesFromCpu(tensor.device, generator)) return tensor.uniform_(low, high, generator);
        using var draws = empty(tensor.shape, tensor.dtype, CPU).uniform_(low, high, generator);
        return tensor.copy_(draws);
    }

    private static bool MovesFromCpu(Device device, Generator? generator) =>
        generator is not null && device.type != DeviceType.CPU;
}
