namespace Apg.Torch.NN;

/// <summary>y = x W^T + b, initialized as PyTorch does: U(-1/sqrt(in), 1/sqrt(in)) for W and b.</summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    public Linear(long inFeatures, long outFeatures, bool bias = true, Generator? generator = null,
        DType dtype = DType.Float32, Device? device = null)
    {
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        // kaiming_uniform_(a = sqrt(5)) and the bias rule both reduce to this bound.
        var bound = 1.0 / Math.Sqrt(inFeatures);
        using var _ = Torch.NoGrad();
        Weight = RegisterParameter("weight",
            Torch.Uniform_(Torch.Empty([outFeatures, inFeatures], dtype, device), -bound, bound, generator));
        if (bias)
            Bias = RegisterParameter("bias", Torch.Uniform_(Torch.Empty([outFeatures], dtype, device), -bound, bound, generator));
    }

    public long InFeatures { get; }
    public long OutFeatures { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor input) => Functional.Linear(input, Weight, Bias);
}
