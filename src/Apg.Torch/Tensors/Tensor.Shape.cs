using static Apg.Torch.Native.NativeMethods;

namespace Apg.Torch;

public sealed partial class Tensor
{
    public unsafe Tensor View(params long[] shape)
    {
        fixed (long* p = shape) return New(apg_view(Handle, p, shape.Length));
    }

    public unsafe Tensor Reshape(params long[] shape)
    {
        fixed (long* p = shape) return New(apg_reshape(Handle, p, shape.Length));
    }

    public unsafe Tensor Expand(params long[] shape)
    {
        fixed (long* p = shape) return New(apg_expand(Handle, p, shape.Length));
    }

    public unsafe Tensor Repeat(params long[] repeats)
    {
        fixed (long* p = repeats) return New(apg_repeat(Handle, p, repeats.Length));
    }

    public unsafe Tensor Permute(params long[] dims)
    {
        fixed (long* p = dims) return New(apg_permute(Handle, p, dims.Length));
    }

    public unsafe Tensor Flip(params long[] dims)
    {
        fixed (long* p = dims) return New(apg_flip(Handle, p, dims.Length));
    }

    public Tensor ExpandAs(Tensor other) => Expand(other.Shape);
    public Tensor Unsqueeze(long dim) => New(apg_unsqueeze(Handle, dim));
    public Tensor Squeeze(long dim) => New(apg_squeeze(Handle, dim));
    public Tensor Squeeze() => New(apg_squeeze_all(Handle));
    public Tensor Flatten(long startDim = 0, long endDim = -1) => New(apg_flatten(Handle, startDim, endDim));
    public Tensor Transpose(long dim0, long dim1) => New(apg_transpose(Handle, dim0, dim1));
    public Tensor T() => Transpose(0, 1);
    public Tensor Narrow(long dim, long start, long length) => New(apg_narrow(Handle, dim, start, length));
    /// <summary>Python's a[start:end:step] along one dim; end may be long.MaxValue for "to the end".</summary>
    public Tensor Slice(long dim, long start, long end, long step = 1) => New(apg_slice(Handle, dim, start, end, step));
    public Tensor Select(long dim, long index) => New(apg_select(Handle, dim, index));
    [System.Runtime.CompilerServices.IndexerName("At")]
    public Tensor this[long index] => Select(0, index);

    public Tensor IndexSelect(long dim, Tensor index) => New(apg_index_select(Handle, dim, index.Handle));
    public Tensor Gather(long dim, Tensor index) => New(apg_gather(Handle, dim, index.Handle));
    public Tensor Scatter(long dim, Tensor index, Tensor source) => New(apg_scatter(Handle, dim, index.Handle, source.Handle));
    public Tensor ScatterAdd(long dim, Tensor index, Tensor source) => New(apg_scatter_add(Handle, dim, index.Handle, source.Handle));
    public Tensor MaskedSelect(Tensor mask) => New(apg_masked_select(Handle, mask.Handle));
    public Tensor Tril(long diagonal = 0) => New(apg_tril(Handle, diagonal));

    public Tensor MatMul(Tensor other) => New(apg_matmul(Handle, other.Handle));
    public Tensor Bmm(Tensor other) => New(apg_bmm(Handle, other.Handle));
    public Tensor Softmax(long dim) => New(apg_softmax(Handle, dim));
    public Tensor LogSoftmax(long dim) => New(apg_log_softmax(Handle, dim));
}
