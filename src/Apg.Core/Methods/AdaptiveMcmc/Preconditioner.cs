using TorchSharp.Modules;
namespace Apg.Core.Methods.AdaptiveMcmc;

public enum PreconditionerKind { Diagonal, Full }

/// <summary>
/// A learnable preconditioner C (D x D) of an MCMC proposal: diagonal, C = diag(exp(d)), or full lower-triangular with a
/// positive diagonal, C = tril(A, -1) + diag(exp(d)). The proposal covariance is h^2 C C^T; log |det C| = sum(d).
/// Vectors are [..., D].
/// </summary>
public sealed class Preconditioner : nn.Module
{
    private readonly Parameter logDiagonal;
    private readonly Parameter? lower;

    public Preconditioner(int dimensions, PreconditionerKind kind, ScalarType dtype = ScalarType.Float32, Device? device = null)
        : base(nameof(Preconditioner))
    {
        if (dimensions < 1) throw new ArgumentException($"a preconditioner needs at least one dimension, got {dimensions}");
        Dimensions = dimensions;
        Kind = kind;
        logDiagonal = nn.Parameter(zeros(dimensions, dtype: dtype, device: device));
        if (kind == PreconditionerKind.Full) lower = nn.Parameter(zeros([dimensions, dimensions], dtype: dtype, device: device));
        RegisterComponents();
    }

    public int Dimensions { get; }
    public PreconditionerKind Kind { get; }
    public Parameter LogDiagonal => logDiagonal;
    /// <summary>The strictly lower part of a full C (null when diagonal).</summary>
    public Parameter? Lower => lower;

    /// <summary>C as a matrix [D, D].</summary>
    public Tensor Matrix() => lower is null ? diag(logDiagonal.exp()) : lower.tril(-1) + diag(logDiagonal.exp());

    /// <summary>C v.</summary>
    public Tensor Apply(Tensor v) => lower is null ? v * logDiagonal.exp() : v.matmul(Matrix().t());

    /// <summary>C^T v.</summary>
    public Tensor ApplyTranspose(Tensor v) => lower is null ? v * logDiagonal.exp() : v.matmul(Matrix());

    /// <summary>C^-1 v.</summary>
    public Tensor Solve(Tensor v)
    {
        if (lower is null) return v * (-logDiagonal).exp();
        var flat = v.reshape(-1, Dimensions).t();                                    // [D, n]
        return linalg.solve_triangular(Matrix(), flat, upper: false).t().reshape(v.shape);
    }

    /// <summary>log |det C|.</summary>
    public Tensor LogDeterminant() => logDiagonal.sum();

    /// <summary>The entropy of N(m, h^2 C C^T): D/2 log(2 pi e) + D log h + log |det C|, for h = exp(logStepSize).</summary>
    public Tensor GaussianEntropy(Tensor logStepSize) =>
        0.5 * Dimensions * (1 + Math.Log(2 * Math.PI)) + Dimensions * logStepSize + LogDeterminant();
}
