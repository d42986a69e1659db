// Linear algebra and the functional layer of torch.nn.
#include "shim.h"

static at::Tensor opt(TensorHandle t) { return t ? *t : at::Tensor(); }

APG_API TensorHandle apg_matmul(TensorHandle a, TensorHandle b) { APG_TENSOR(at::matmul(*a, *b)) }
APG_API TensorHandle apg_bmm(TensorHandle a, TensorHandle b) { APG_TENSOR(at::bmm(*a, *b)) }
APG_API TensorHandle apg_linear(TensorHandle x, TensorHandle w, TensorHandle b) { APG_TENSOR(at::linear(*x, *w, opt(b))) }
APG_API TensorHandle apg_conv2d(TensorHandle x, TensorHandle w, TensorHandle b, const int64_t* stride,
                                const int64_t* padding, const int64_t* dilation, int64_t groups) {
  APG_TENSOR(at::conv2d(*x, *w, opt(b), apg::dims(stride, 2), apg::dims(padding, 2), apg::dims(dilation, 2), groups))
}
APG_API TensorHandle apg_softmax(TensorHandle a, int64_t d) { APG_TENSOR(a->softmax(d)) }
APG_API TensorHandle apg_log_softmax(TensorHandle a, int64_t d) { APG_TENSOR(a->log_softmax(d)) }
APG_API TensorHandle apg_one_hot(TensorHandle a, int64_t n) { APG_TENSOR(at::one_hot(*a, n)) }
APG_API TensorHandle apg_affine_grid(TensorHandle theta, const int64_t* size, int64_t n, int align_corners) {
  APG_TENSOR(at::affine_grid_generator(*theta, apg::dims(size, n), align_corners != 0))
}
// mode: 0 bilinear, 1 nearest; padding: 0 zeros, 1 border, 2 reflection (ATen's own codes).
APG_API TensorHandle apg_grid_sample(TensorHandle x, TensorHandle grid, int64_t mode, int64_t padding, int align_corners) {
  APG_TENSOR(at::grid_sampler(*x, *grid, mode, padding, align_corners != 0))
}
APG_API TensorHandle apg_dropout(TensorHandle x, double p, int train) { APG_TENSOR(at::dropout(*x, p, train != 0)) }
