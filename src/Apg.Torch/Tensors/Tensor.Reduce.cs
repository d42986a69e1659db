using static Apg.Torch.Native.NativeMethods;

namespace Apg.Torch;

public sealed partial class Tensor
{
    public Tensor Sum() => New(apg_sum_all(Handle));
    public unsafe Tensor Sum(long dim, bool keepdim = false) => New(apg_sum(Handle, &dim, 1, keepdim ? 1 : 0));
    public unsafe Tensor Sum(long[] dims, bool keepdim = false)
    {
        fixed (long* p = dims) return New(apg_sum(Handle, p, dims.Length, keepdim ? 1 : 0));
    }

    public Tensor Mean() => New(apg_mean_all(Handle));
    public unsafe Tensor Mean(long dim, bool keepdim = false) => New(apg_mean(Handle, &dim, 1, keepdim ? 1 : 0));
    public unsafe Tensor Mean(long[] dims, bool keepdim = false)
    {
        fixed (long* p = dims) return New(apg_mean(Handle, p, dims.Length, keepdim ? 1 : 0));
    }

    public Tensor Prod(long dim, bool keepdim = false) => New(apg_prod(Handle, dim, keepdim ? 1 : 0));
    public unsafe Tensor Var(long dim, bool unbiased = true, bool keepdim = false) =>
        New(apg_var(Handle, &dim, 1, unbiased ? 1 : 0, keepdim ? 1 : 0));

    public Tensor Max() => New(apg_max_all(Handle));
    public Tensor Min() => New(apg_min_all(Handle));

    public unsafe (Tensor Values, Tensor Indices) Max(long dim, bool keepdim = false)
    {
        IntPtr values, indices;
        Check(apg_max(Handle, dim, keepdim ? 1 : 0, &values, &indices));
        return (new Tensor(values), new Tensor(indices));
    }

    public unsafe (Tensor Values, Tensor Indices) Min(long dim, bool keepdim = false)
    {
        IntPtr values, indices;
        Check(apg_min(Handle, dim, keepdim ? 1 : 0, &values, &indices));
        return (new Tensor(values), new Tensor(indices));
    }

    public unsafe (Tensor Values, Tensor Indices) Sort(long dim = -1, bool descending = false)
    {
        IntPtr values, indices;
        Check(apg_sort(Handle, dim, descending ? 1 : 0, &values, &indices));
        return (new Tensor(values), new Tensor(indices));
    }

    public Tensor ArgMax(long dim, bool keepdim = false) => New(apg_argmax(Handle, dim, keepdim ? 1 : 0));
    public Tensor ArgMin(long dim, bool keepdim = false) => New(apg_argmin(Handle, dim, keepdim ? 1 : 0));

    public unsafe Tensor LogSumExp(long dim, bool keepdim = false) => New(apg_logsumexp(Handle, &dim, 1, keepdim ? 1 : 0));
    public unsafe Tensor LogSumExp(long[] dims, bool keepdim = false)
    {
        fixed (long* p = dims) return New(apg_logsumexp(Handle, p, dims.Length, keepdim ? 1 : 0));
    }

    public Tensor CumSum(long dim) => New(apg_cumsum(Handle, dim));
    public Tensor Any() => New(apg_any(Handle));
    public Tensor All() => New(apg_all(Handle));
}
