using static Apg.Torch.Native.NativeMethods;

namespace Apg.Torch;

public sealed partial class Tensor
{
    public Tensor Neg() => New(apg_neg(Handle));
    public Tensor Exp() => New(apg_exp(Handle));
    public Tensor Expm1() => New(apg_expm1(Handle));
    public Tensor Log() => New(apg_log(Handle));
    public Tensor Log1p() => New(apg_log1p(Handle));
    public Tensor Sqrt() => New(apg_sqrt(Handle));
    public Tensor Rsqrt() => New(apg_rsqrt(Handle));
    public Tensor Square() => New(apg_square(Handle));
    public Tensor Abs() => New(apg_abs(Handle));
    public Tensor Sign() => New(apg_sign(Handle));
    public Tensor Reciprocal() => New(apg_reciprocal(Handle));
    public Tensor Sin() => New(apg_sin(Handle));
    public Tensor Cos() => New(apg_cos(Handle));
    public Tensor Tanh() => New(apg_tanh(Handle));
    public Tensor Sigmoid() => New(apg_sigmoid(Handle));
    public Tensor Relu() => New(apg_relu(Handle));
    public Tensor Softplus(double beta = 1, double threshold = 20) => New(apg_softplus(Handle, beta, threshold));
    public Tensor LeakyRelu(double negativeSlope = 0.01) => New(apg_leaky_relu(Handle, negativeSlope));
    public Tensor Elu(double alpha = 1) => New(apg_elu(Handle, alpha));
    public Tensor Lgamma() => New(apg_lgamma(Handle));
    public Tensor Digamma() => New(apg_digamma(Handle));
    public Tensor Floor() => New(apg_floor(Handle));
    public Tensor Ceil() => New(apg_ceil(Handle));
    public Tensor Round() => New(apg_round(Handle));
    public Tensor IsNan() => New(apg_isnan(Handle));
    public Tensor IsInf() => New(apg_isinf(Handle));
    public Tensor IsFinite() => New(apg_isfinite(Handle));
    public Tensor LogicalNot() => New(apg_logical_not(Handle));

    public Tensor Add(Tensor other) => New(apg_add(Handle, other.Handle));
    public Tensor Sub(Tensor other) => New(apg_sub(Handle, other.Handle));
    public Tensor Mul(Tensor other) => New(apg_mul(Handle, other.Handle));
    public Tensor Div(Tensor other) => New(apg_div(Handle, other.Handle));
    public Tensor Pow(Tensor exponent) => New(apg_pow(Handle, exponent.Handle));
    public Tensor Pow(double exponent) => New(apg_pow_scalar(Handle, exponent));
    public Tensor Maximum(Tensor other) => New(apg_maximum(Handle, other.Handle));
    public Tensor Minimum(Tensor other) => New(apg_minimum(Handle, other.Handle));
    public Tensor Remainder(Tensor other) => New(apg_remainder(Handle, other.Handle));
    public Tensor Remainder(double other) => New(apg_remainder_scalar(Handle, other));
    public Tensor FloorDivide(Tensor other) => New(apg_floor_divide(Handle, other.Handle));

    public Tensor Eq(Tensor other) => New(apg_eq(Handle, other.Handle));
    public Tensor Ne(Tensor other) => New(apg_ne(Handle, other.Handle));
    public Tensor Lt(Tensor other) => New(apg_lt(Handle, other.Handle));
    public Tensor Le(Tensor other) => New(apg_le(Handle, other.Handle));
    public Tensor Gt(Tensor other) => New(apg_gt(Handle, other.Handle));
    public Tensor Ge(Tensor other) => New(apg_ge(Handle, other.Handle));
    public Tensor Eq(double other) => New(apg_eq_scalar(Handle, other));
    public Tensor Ne(double other) => New(apg_ne_scalar(Handle, other));
    public Tensor Lt(double other) => New(apg_lt_scalar(Handle, other));
    public Tensor Le(double other) => New(apg_le_scalar(Handle, other));
    public Tensor Gt(double other) => New(apg_gt_scalar(Handle, other));
    public Tensor Ge(double other) => New(apg_ge_scalar(Handle, other));
    public Tensor LogicalAnd(Tensor other) => New(apg_logical_and(Handle, other.Handle));
    public Tensor LogicalOr(Tensor other) => New(apg_logical_or(Handle, other.Handle));
    public Tensor LogicalXor(Tensor other) => New(apg_logical_xor(Handle, other.Handle));

    public Tensor Clamp(double? min = null, double? max = null) =>
        New(apg_clamp(Handle, min ?? 0, max ?? 0, min.HasValue ? 1 : 0, max.HasValue ? 1 : 0));
    public Tensor ClampMin(double min) => Clamp(min, null);
    public Tensor ClampMax(double max) => Clamp(null, max);
    public Tensor MaskedFill(Tensor mask, double value) => New(apg_masked_fill(Handle, mask.Handle, value));
    public bool AllClose(Tensor other, double rtol = 1e-5, double atol = 1e-8)
    {
        var r = apg_allclose(Handle, other.Handle, rtol, atol);
        Check(r);
        return r == 1;
    }

    // ---- in place, for optimizers and buffers (PyTorch's trailing underscore)
    public Tensor Add_(Tensor other) { Check(apg_add_(Handle, other.Handle)); return this; }
    public Tensor Add_(Tensor other, double alpha) { Check(apg_add_scaled_(Handle, other.Handle, alpha)); return this; }
    public Tensor Add_(double other) { Check(apg_add_scalar_(Handle, other)); return this; }
    public Tensor Sub_(Tensor other) { Check(apg_sub_(Handle, other.Handle)); return this; }
    public Tensor Mul_(Tensor other) { Check(apg_mul_(Handle, other.Handle)); return this; }
    public Tensor Mul_(double other) { Check(apg_mul_scalar_(Handle, other)); return this; }
    public Tensor Div_(Tensor other) { Check(apg_div_(Handle, other.Handle)); return this; }
    public Tensor Addcmul_(Tensor a, Tensor b, double value = 1) { Check(apg_addcmul_(Handle, a.Handle, b.Handle, value)); return this; }
    public Tensor Addcdiv_(Tensor a, Tensor b, double value = 1) { Check(apg_addcdiv_(Handle, a.Handle, b.Handle, value)); return this; }
    public Tensor Clamp_(double min, double max) { Check(apg_clamp_(Handle, min, max)); return this; }

    // ---- operators
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    public static Tensor operator %(Tensor a, Tensor b) => a.Remainder(b);
    public static Tensor operator -(Tensor a) => a.Neg();
    public static Tensor operator +(Tensor a, double s) => New(apg_add_scalar(a.Handle, s));
    public static Tensor operator +(double s, Tensor a) => New(apg_add_scalar(a.Handle, s));
    public static Tensor operator -(Tensor a, double s) => New(apg_sub_scalar(a.Handle, s));
    public static Tensor operator -(double s, Tensor a) => New(apg_rsub_scalar(a.Handle, s));
    public static Tensor operator *(Tensor a, double s) => New(apg_mul_scalar(a.Handle, s));
    public static Tensor operator *(double s, Tensor a) => New(apg_mul_scalar(a.Handle, s));
    public static Tensor operator /(Tensor a, double s) => New(apg_div_scalar(a.Handle, s));
    public static Tensor operator /(double s, Tensor a) => New(apg_rdiv_scalar(a.Handle, s));
    public static Tensor operator %(Tensor a, double s) => a.Remainder(s);
    public static Tensor operator <(Tensor a, Tensor b) => a.Lt(b);
    public static Tensor operator >(Tensor a, Tensor b) => a.Gt(b);
    public static Tensor operator <=(Tensor a, Tensor b) => a.Le(b);
    public static Tensor operator >=(Tensor a, Tensor b) => a.Ge(b);
    public static Tensor operator <(Tensor a, double s) => a.Lt(s);
    public static Tensor operator >(Tensor a, double s) => a.Gt(s);
    public static Tensor operator <=(Tensor a, double s) => a.Le(s);
    public static Tensor operator >=(Tensor a, double s) => a.Ge(s);
    public static Tensor operator &(Tensor a, Tensor b) => a.LogicalAnd(b);
    public static Tensor operator |(Tensor a, Tensor b) => a.LogicalOr(b);
    public static Tensor operator !(Tensor a) => a.LogicalNot();
}
