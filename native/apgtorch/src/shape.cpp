// Views, reshapes, joins and indexing.
#include "shim.h"

APG_API TensorHandle apg_view(TensorHandle a, const int64_t* s, int64_t n) { APG_TENSOR(a->view(apg::dims(s, n))) }
APG_API TensorHandle apg_reshape(TensorHandle a, const int64_t* s, int64_t n) { APG_TENSOR(a->reshape(apg::dims(s, n))) }
APG_API TensorHandle apg_expand(TensorHandle a, const int64_t* s, int64_t n) { APG_TENSOR(a->expand(apg::dims(s, n))) }
APG_API TensorHandle apg_repeat(TensorHandle a, const int64_t* s, int64_t n) { APG_TENSOR(a->repeat(apg::dims(s, n))) }
APG_API TensorHandle apg_permute(TensorHandle a, const int64_t* s, int64_t n) { APG_TENSOR(a->permute(apg::dims(s, n))) }
APG_API TensorHandle apg_unsqueeze(TensorHandle a, int64_t d) { APG_TENSOR(a->unsqueeze(d)) }
APG_API TensorHandle apg_squeeze(TensorHandle a, int64_t d) { APG_TENSOR(a->squeeze(d)) }
APG_API TensorHandle apg_squeeze_all(TensorHandle a) { APG_TENSOR(a->squeeze()) }
APG_API TensorHandle apg_flatten(TensorHandle a, int64_t start, int64_t end) { APG_TENSOR(a->flatten(start, end)) }
APG_API TensorHandle apg_transpose(TensorHandle a, int64_t d0, int64_t d1) { APG_TENSOR(a->transpose(d0, d1)) }
APG_API TensorHandle apg_narrow(TensorHandle a, int64_t d, int64_t start, int64_t length) {
  APG_TENSOR(a->narrow(d, start, length))
}
APG_API TensorHandle apg_slice(TensorHandle a, int64_t d, int64_t start, int64_t end, int64_t step) {
  APG_TENSOR(a->slice(d, start, end, step))
}
APG_API TensorHandle apg_select(TensorHandle a, int64_t d, int64_t index) { APG_TENSOR(a->select(d, index)) }
APG_API TensorHandle apg_cat(TensorHandle* ts, int64_t n, int64_t d) { APG_TENSOR(at::cat(apg::tensors(ts, n), d)) }
APG_API TensorHandle apg_stack(TensorHandle* ts, int64_t n, int64_t d) { APG_TENSOR(at::stack(apg::tensors(ts, n), d)) }
APG_API TensorHandle apg_index_select(TensorHandle a, int64_t d, TensorHandle idx) { APG_TENSOR(a->index_select(d, *idx)) }
APG_API TensorHandle apg_gather(TensorHandle a, int64_t d, TensorHandle idx) { APG_TENSOR(a->gather(d, *idx)) }
APG_API TensorHandle apg_scatter(TensorHandle a, int64_t d, TensorHandle idx, TensorHandle src) {
  APG_TENSOR(a->scatter(d, *idx, *src))
}
APG_API TensorHandle apg_scatter_add(TensorHandle a, int64_t d, TensorHandle idx, TensorHandle src) {
  APG_TENSOR(a->scatter_add(d, *idx, *src))
}
APG_API TensorHandle apg_masked_select(TensorHandle a, TensorHandle mask) { APG_TENSOR(a->masked_select(*mask)) }
APG_API TensorHandle apg_tril(TensorHandle a, int64_t k) { APG_TENSOR(a->tril(k)) }
APG_API TensorHandle apg_flip(TensorHandle a, const int64_t* d, int64_t n) { APG_TENSOR(a->flip(apg::dims(d, n))) }
APG_API TensorHandle apg_searchsorted(TensorHandle sorted, TensorHandle values, int right) {
  APG_TENSOR(at::searchsorted(*sorted, *values, false, right != 0))
}
