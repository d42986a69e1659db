// Reductions, with dims and keepdim.
#include "shim.h"

APG_API TensorHandle apg_sum_all(TensorHandle a) { APG_TENSOR(a->sum()) }
APG_API TensorHandle apg_sum(TensorHandle a, const int64_t* d, int64_t nd, int keepdim) {
  APG_TENSOR(a->sum(apg::dims(d, nd), keepdim != 0))
}
APG_API TensorHandle apg_mean_all(TensorHandle a) { APG_TENSOR(a->mean()) }
APG_API TensorHandle apg_mean(TensorHandle a, const int64_t* d, int64_t nd, int keepdim) {
  APG_TENSOR(a->mean(apg::dims(d, nd), keepdim != 0))
}
APG_API TensorHandle apg_prod(TensorHandle a, int64_t d, int keepdim) { APG_TENSOR(a->prod(d, keepdim != 0)) }
APG_API TensorHandle apg_var(TensorHandle a, const int64_t* d, int64_t nd, int unbiased, int keepdim) {
  APG_TENSOR(a->var(apg::dims(d, nd), unbiased != 0, keepdim != 0))
}
APG_API TensorHandle apg_max_all(TensorHandle a) { APG_TENSOR(a->max()) }
APG_API TensorHandle apg_min_all(TensorHandle a) { APG_TENSOR(a->min()) }
APG_API int apg_max(TensorHandle a, int64_t d, int keepdim, TensorHandle* values, TensorHandle* indices) {
  APG_STATUS(auto r = a->max(d, keepdim != 0); *values = apg::wrap(std::get<0>(r)); *indices = apg::wrap(std::get<1>(r)))
}
APG_API int apg_min(TensorHandle a, int64_t d, int keepdim, TensorHandle* values, TensorHandle* indices) {
  APG_STATUS(auto r = a->min(d, keepdim != 0); *values = apg::wrap(std::get<0>(r)); *indices = apg::wrap(std::get<1>(r)))
}
APG_API TensorHandle apg_argmax(TensorHandle a, int64_t d, int keepdim) { APG_TENSOR(a->argmax(d, keepdim != 0)) }
APG_API TensorHandle apg_argmin(TensorHandle a, int64_t d, int keepdim) { APG_TENSOR(a->argmin(d, keepdim != 0)) }
APG_API TensorHandle apg_logsumexp(TensorHandle a, const int64_t* d, int64_t nd, int keepdim) {
  APG_TENSOR(a->logsumexp(apg::dims(d, nd), keepdim != 0))
}
APG_API TensorHandle apg_cumsum(TensorHandle a, int64_t d) { APG_TENSOR(a->cumsum(d)) }
APG_API TensorHandle apg_any(TensorHandle a) { APG_TENSOR(a->any()) }
APG_API TensorHandle apg_all(TensorHandle a) { APG_TENSOR(a->all()) }
APG_API int apg_sort(TensorHandle a, int64_t d, int descending, TensorHandle* values, TensorHandle* indices) {
  APG_STATUS(auto r = a->sort(d, descending != 0); *values = apg::wrap(std::get<0>(r)); *indices = apg::wrap(std::get<1>(r)))
}
