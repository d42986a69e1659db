// Autograd: leaves, backward, gradients and the grad mode.
#include "shim.h"
#include <torch/csrc/autograd/autograd.h>

APG_API int apg_requires_grad(TensorHandle t) { return t->requires_grad() ? 1 : 0; }
APG_API int apg_set_requires_grad(TensorHandle t, int on) { APG_STATUS(t->requires_grad_(on != 0)) }
APG_API TensorHandle apg_detach(TensorHandle t) { APG_TENSOR(t->detach()) }
APG_API int apg_backward(TensorHandle t, TensorHandle grad, int retain_graph) {
  APG_STATUS(t->backward(grad ? *grad : at::Tensor(), retain_graph != 0 ? c10::optional<bool>(true) : c10::nullopt))
}
// The gradient accumulated on a leaf; out is null when none has been accumulated yet.
APG_API int apg_grad(TensorHandle t, TensorHandle* out) {
  APG_STATUS(const auto& g = t->grad(); *out = g.defined() ? apg::wrap(g) : nullptr)
}
APG_API int apg_set_grad(TensorHandle t, TensorHandle g) { APG_STATUS(t->mutable_grad() = g ? *g : at::Tensor()) }
// torch.autograd.grad: gradients of sum(outputs * grad_outputs) with respect to inputs, written to out.
APG_API int apg_autograd_grad(TensorHandle* outputs, int64_t n_out, TensorHandle* inputs, int64_t n_in,
                              TensorHandle* grad_outputs, int retain_graph, int create_graph, TensorHandle* out) {
  APG_STATUS(
      std::vector<at::Tensor> go;
      if (grad_outputs) go = apg::tensors(grad_outputs, n_out);
      auto r = torch::autograd::grad(apg::tensors(outputs, n_out), apg::tensors(inputs, n_in), go,
                                     retain_graph != 0 ? c10::optional<bool>(true) : c10::nullopt, create_graph != 0,
                                     /*allow_unused=*/true);
      for (int64_t i = 0; i < n_in; i++) out[i] = r[static_cast<size_t>(i)].defined() ? apg::wrap(r[static_cast<size_t>(i)]) : nullptr)
}
APG_API int apg_is_grad_enabled() { return c10::GradMode::is_enabled() ? 1 : 0; }
APG_API void apg_set_grad_enabled(int on) { c10::GradMode::set_enabled(on != 0); }
