using System.Runtime.InteropServices;

namespace Apg.Torch.Native;

// One declaration per function of native/apgtorch. Handles are at::Tensor* and at::Generator*.
internal static unsafe partial class NativeMethods
{
    private const string Lib = "apgtorch";

    // errors, handles, runtime
    [DllImport(Lib)] internal static extern IntPtr apg_last_error();
    [DllImport(Lib)] internal static extern void apg_free(IntPtr t);
    [DllImport(Lib)] internal static extern void apg_free_many(IntPtr* ts, long n);
    [DllImport(Lib)] internal static extern IntPtr apg_alias(IntPtr t);
    [DllImport(Lib)] internal static extern IntPtr apg_torch_version();
    [DllImport(Lib)] internal static extern void apg_set_num_threads(int n);
    [DllImport(Lib)] internal static extern int apg_get_num_threads();
    [DllImport(Lib)] internal static extern int apg_cuda_is_available();
    [DllImport(Lib)] internal static extern int apg_cuda_device_count();
    [DllImport(Lib)] internal static extern void apg_manual_seed(ulong seed);
    [DllImport(Lib)] internal static extern int apg_blas_info(byte* buf, long n);
    [DllImport(Lib)] internal static extern int apg_set_blas_threads(int n);

    // creation and data
    [DllImport(Lib)] internal static extern IntPtr apg_from_data(void* data, long* shape, long ndim, int dtype);
    [DllImport(Lib)] internal static extern IntPtr apg_empty(long* shape, long ndim, int dtype, int dt, int di);
    [DllImport(Lib)] internal static extern IntPtr apg_zeros(long* shape, long ndim, int dtype, int dt, int di);
    [DllImport(Lib)] internal static extern IntPtr apg_ones(long* shape, long ndim, int dtype, int dt, int di);
    [DllImport(Lib)] internal static extern IntPtr apg_full(long* shape, long ndim, double value, int dtype, int dt, int di);
    [DllImport(Lib)] internal static extern IntPtr apg_arange(double start, double end, double step, int dtype, int dt, int di);
    [DllImport(Lib)] internal static extern IntPtr apg_eye(long n, long m, int dtype, int dt, int di);
    [DllImport(Lib)] internal static extern IntPtr apg_scalar_tensor(double value, int dtype, int dt, int di);
    [DllImport(Lib)] internal static extern long apg_dim(IntPtr t);
    [DllImport(Lib)] internal static extern int apg_sizes(IntPtr t, long* output);
    [DllImport(Lib)] internal static extern long apg_numel(IntPtr t);
    [DllImport(Lib)] internal static extern int apg_dtype(IntPtr t);
    [DllImport(Lib)] internal static extern int apg_device_type(IntPtr t);
    [DllImport(Lib)] internal static extern int apg_device_index(IntPtr t);
    [DllImport(Lib)] internal static extern int apg_is_contiguous(IntPtr t);
    [DllImport(Lib)] internal static extern int apg_copy_to(IntPtr t, void* dst, long nbytes);
    [DllImport(Lib)] internal static extern int apg_item_double(IntPtr t, double* output);
    [DllImport(Lib)] internal static extern int apg_item_long(IntPtr t, long* output);
    [DllImport(Lib)] internal static extern IntPtr apg_to_dtype(IntPtr t, int dtype);
    [DllImport(Lib)] internal static extern IntPtr apg_to_device(IntPtr t, int dt, int di);
    [DllImport(Lib)] internal static extern IntPtr apg_clone(IntPtr t);
    [DllImport(Lib)] internal static extern IntPtr apg_contiguous(IntPtr t);
    [DllImport(Lib)] internal static extern int apg_copy_(IntPtr dst, IntPtr src);
    [DllImport(Lib)] internal static extern int apg_zero_(IntPtr t);
    [DllImport(Lib)] internal static extern int apg_fill_(IntPtr t, double v);
    [DllImport(Lib)] internal static extern int apg_to_string(IntPtr t, byte* buf, long n);

    // elementwise
    [DllImport(Lib)] internal static extern IntPtr apg_neg(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_exp(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_expm1(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_log(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_log1p(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_sqrt(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_rsqrt(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_square(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_abs(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_sign(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_reciprocal(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_sin(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_cos(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_tanh(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_sigmoid(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_relu(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_lgamma(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_digamma(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_floor(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_ceil(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_round(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_isnan(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_isinf(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_isfinite(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_logical_not(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_softplus(IntPtr a, double beta, double threshold);
    [DllImport(Lib)] internal static extern IntPtr apg_leaky_relu(IntPtr a, double slope);
    [DllImport(Lib)] internal static extern IntPtr apg_elu(IntPtr a, double alpha);

    [DllImport(Lib)] internal static extern IntPtr apg_add(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr apg_sub(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr apg_mul(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr apg_div(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr apg_pow(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr apg_maximum(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr apg_minimum(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr apg_remainder(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr apg_floor_divide(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr apg_eq(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr apg_ne(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr apg_lt(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr apg_le(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr apg_gt(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr apg_ge(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr apg_logical_and(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr apg_logical_or(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr apg_logical_xor(IntPtr a, IntPtr b);

    [DllImport(Lib)] internal static extern IntPtr apg_add_scalar(IntPtr a, double s);
    [DllImport(Lib)] internal static extern IntPtr apg_sub_scalar(IntPtr a, double s);
    [DllImport(Lib)] internal static extern IntPtr apg_rsub_scalar(IntPtr a, double s);
    [DllImport(Lib)] internal static extern IntPtr apg_mul_scalar(IntPtr a, double s);
    [DllImport(Lib)] internal static extern IntPtr apg_div_scalar(IntPtr a, double s);
    [DllImport(Lib)] internal static extern IntPtr apg_rdiv_scalar(IntPtr a, double s);
    [DllImport(Lib)] internal static extern IntPtr apg_pow_scalar(IntPtr a, double s);
    [DllImport(Lib)] internal static extern IntPtr apg_rpow_scalar(IntPtr a, double s);
    [DllImport(Lib)] internal static extern IntPtr apg_remainder_scalar(IntPtr a, double s);
    [DllImport(Lib)] internal static extern IntPtr apg_eq_scalar(IntPtr a, double s);
    [DllImport(Lib)] internal static extern IntPtr apg_ne_scalar(IntPtr a, double s);
    [DllImport(Lib)] internal static extern IntPtr apg_lt_scalar(IntPtr a, double s);
    [DllImport(Lib)] internal static extern IntPtr apg_le_scalar(IntPtr a, double s);
    [DllImport(Lib)] internal static extern IntPtr apg_gt_scalar(IntPtr a, double s);
    [DllImport(Lib)] internal static extern IntPtr apg_ge_scalar(IntPtr a, double s);

    [DllImport(Lib)] internal static extern IntPtr apg_clamp(IntPtr a, double lo, double hi, int hasLo, int hasHi);
    [DllImport(Lib)] internal static extern IntPtr apg_where(IntPtr cond, IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr apg_masked_fill(IntPtr a, IntPtr mask, double v);
    [DllImport(Lib)] internal static extern int apg_allclose(IntPtr a, IntPtr b, double rtol, double atol);

    [DllImport(Lib)] internal static extern int apg_add_(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern int apg_sub_(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern int apg_mul_(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern int apg_div_(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern int apg_add_scalar_(IntPtr a, double s);
    [DllImport(Lib)] internal static extern int apg_mul_scalar_(IntPtr a, double s);
    [DllImport(Lib)] internal static extern int apg_add_scaled_(IntPtr a, IntPtr b, double alpha);
    [DllImport(Lib)] internal static extern int apg_addcmul_(IntPtr a, IntPtr b, IntPtr c, double value);
    [DllImport(Lib)] internal static extern int apg_addcdiv_(IntPtr a, IntPtr b, IntPtr c, double value);
    [DllImport(Lib)] internal static extern int apg_clamp_(IntPtr a, double lo, double hi);

    // reductions
    [DllImport(Lib)] internal static extern IntPtr apg_sum_all(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_sum(IntPtr a, long* dims, long nd, int keepdim);
    [DllImport(Lib)] internal static extern IntPtr apg_mean_all(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_mean(IntPtr a, long* dims, long nd, int keepdim);
    [DllImport(Lib)] internal static extern IntPtr apg_prod(IntPtr a, long dim, int keepdim);
    [DllImport(Lib)] internal static extern IntPtr apg_var(IntPtr a, long* dims, long nd, int unbiased, int keepdim);
    [DllImport(Lib)] internal static extern IntPtr apg_max_all(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_min_all(IntPtr a);
    [DllImport(Lib)] internal static extern int apg_max(IntPtr a, long dim, int keepdim, IntPtr* values, IntPtr* indices);
    [DllImport(Lib)] internal static extern int apg_min(IntPtr a, long dim, int keepdim, IntPtr* values, IntPtr* indices);
    [DllImport(Lib)] internal static extern IntPtr apg_argmax(IntPtr a, long dim, int keepdim);
    [DllImport(Lib)] internal static extern IntPtr apg_argmin(IntPtr a, long dim, int keepdim);
    [DllImport(Lib)] internal static extern IntPtr apg_logsumexp(IntPtr a, long* dims, long nd, int keepdim);
    [DllImport(Lib)] internal static extern IntPtr apg_cumsum(IntPtr a, long dim);
    [DllImport(Lib)] internal static extern IntPtr apg_any(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_all(IntPtr a);
    [DllImport(Lib)] internal static extern int apg_sort(IntPtr a, long dim, int descending, IntPtr* values, IntPtr* indices);

    // shape and indexing
    [DllImport(Lib)] internal static extern IntPtr apg_view(IntPtr a, long* shape, long n);
    [DllImport(Lib)] internal static extern IntPtr apg_reshape(IntPtr a, long* shape, long n);
    [DllImport(Lib)] internal static extern IntPtr apg_expand(IntPtr a, long* shape, long n);
    [DllImport(Lib)] internal static extern IntPtr apg_repeat(IntPtr a, long* shape, long n);
    [DllImport(Lib)] internal static extern IntPtr apg_permute(IntPtr a, long* dims, long n);
    [DllImport(Lib)] internal static extern IntPtr apg_unsqueeze(IntPtr a, long dim);
    [DllImport(Lib)] internal static extern IntPtr apg_squeeze(IntPtr a, long dim);
    [DllImport(Lib)] internal static extern IntPtr apg_squeeze_all(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr apg_flatten(IntPtr a, long start, long end);
    [DllImport(Lib)] internal static extern IntPtr apg_transpose(IntPtr a, long d0, long d1);
    [DllImport(Lib)] internal static extern IntPtr apg_narrow(IntPtr a, long dim, long start, long length);
    [DllImport(Lib)] internal static extern IntPtr apg_slice(IntPtr a, long dim, long start, long end, long step);
    [DllImport(Lib)] internal static extern IntPtr apg_select(IntPtr a, long dim, long index);
    [DllImport(Lib)] internal static extern IntPtr apg_cat(IntPtr* ts, long n, long dim);
    [DllImport(Lib)] internal static extern IntPtr apg_stack(IntPtr* ts, long n, long dim);
    [DllImport(Lib)] internal static extern IntPtr apg_index_select(IntPtr a, long dim, IntPtr index);
    [DllImport(Lib)] internal static extern IntPtr apg_gather(IntPtr a, long dim, IntPtr index);
    [DllImport(Lib)] internal static extern IntPtr apg_scatter(IntPtr a, long dim, IntPtr index, IntPtr src);
    [DllImport(Lib)] internal static extern IntPtr apg_scatter_add(IntPtr a, long dim, IntPtr index, IntPtr src);
    [DllImport(Lib)] internal static extern IntPtr apg_masked_select(IntPtr a, IntPtr mask);
    [DllImport(Lib)] internal static extern IntPtr apg_tril(IntPtr a, long k);
    [DllImport(Lib)] internal static extern IntPtr apg_flip(IntPtr a, long* dims, long n);
    [DllImport(Lib)] internal static extern IntPtr apg_searchsorted(IntPtr sorted, IntPtr values, int right);

    // linear algebra and nn functional
    [DllImport(Lib)] internal static extern IntPtr apg_matmul(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr apg_bmm(IntPtr a, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr apg_linear(IntPtr x, IntPtr w, IntPtr b);
    [DllImport(Lib)] internal static extern IntPtr apg_conv2d(IntPtr x, IntPtr w, IntPtr b, long* stride, long* padding, long* dilation, long groups);
    [DllImport(Lib)] internal static extern IntPtr apg_softmax(IntPtr a, long dim);
    [DllImport(Lib)] internal static extern IntPtr apg_log_softmax(IntPtr a, long dim);
    [DllImport(Lib)] internal static extern IntPtr apg_one_hot(IntPtr a, long n);
    [DllImport(Lib)] internal static extern IntPtr apg_affine_grid(IntPtr theta, long* size, long n, int alignCorners);
    [DllImport(Lib)] internal static extern IntPtr apg_grid_sample(IntPtr x, IntPtr grid, long mode, long padding, int alignCorners);
    [DllImport(Lib)] internal static extern IntPtr apg_dropout(IntPtr x, double p, int train);

    // random
    [DllImport(Lib)] internal static extern IntPtr apg_generator_new(ulong seed, int dt, int di);
    [DllImport(Lib)] internal static extern void apg_generator_free(IntPtr g);
    [DllImport(Lib)] internal static extern ulong apg_generator_seed(IntPtr g);
    [DllImport(Lib)] internal static extern int apg_generator_set_seed(IntPtr g, ulong seed);
    [DllImport(Lib)] internal static extern IntPtr apg_generator_get_state(IntPtr g);
    [DllImport(Lib)] internal static extern int apg_generator_set_state(IntPtr g, IntPtr state);
    [DllImport(Lib)] internal static extern IntPtr apg_rand(long* shape, long n, IntPtr g, int dtype, int dt, int di);
    [DllImport(Lib)] internal static extern IntPtr apg_randn(long* shape, long n, IntPtr g, int dtype, int dt, int di);
    [DllImport(Lib)] internal static extern IntPtr apg_randint(long low, long high, long* shape, long n, IntPtr g, int dt, int di);
    [DllImport(Lib)] internal static extern IntPtr apg_randperm(long n, IntPtr g, int dt, int di);
    [DllImport(Lib)] internal static extern IntPtr apg_normal(IntPtr mean, IntPtr std, IntPtr g);
    [DllImport(Lib)] internal static extern IntPtr apg_standard_gamma(IntPtr alpha, IntPtr g);
    [DllImport(Lib)] internal static extern IntPtr apg_bernoulli(IntPtr p, IntPtr g);
    [DllImport(Lib)] internal static extern IntPtr apg_multinomial(IntPtr probs, long n, int replacement, IntPtr g);
    [DllImport(Lib)] internal static extern int apg_uniform_(IntPtr t, double lo, double hi, IntPtr g);
    [DllImport(Lib)] internal static extern int apg_normal_(IntPtr t, double mean, double std, IntPtr g);

    // autograd
    [DllImport(Lib)] internal static extern int apg_requires_grad(IntPtr t);
    [DllImport(Lib)] internal static extern int apg_set_requires_grad(IntPtr t, int on);
    [DllImport(Lib)] internal static extern IntPtr apg_detach(IntPtr t);
    [DllImport(Lib)] internal static extern int apg_backward(IntPtr t, IntPtr grad, int retainGraph);
    [DllImport(Lib)] internal static extern int apg_grad(IntPtr t, IntPtr* output);
    [DllImport(Lib)] internal static extern int apg_set_grad(IntPtr t, IntPtr g);
    [DllImport(Lib)] internal static extern int apg_autograd_grad(IntPtr* outputs, long nOut, IntPtr* inputs, long nIn, IntPtr* gradOutputs, int retainGraph, int createGraph, IntPtr* output);
    [DllImport(Lib)] internal static extern int apg_is_grad_enabled();
    [DllImport(Lib)] internal static extern void apg_set_grad_enabled(int on);
}
