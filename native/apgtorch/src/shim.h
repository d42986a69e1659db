// A thin C ABI over libtorch: one function per op, no logic. Every C++ exception is caught and
// kept as a thread-local message; the caller sees a null handle or a -1 status and reads apg_last_error.
#pragma once
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <cstdint>
#include <string>
#include <vector>

#define APG_API extern "C" __attribute__((visibility("default")))

typedef at::Tensor* TensorHandle;
typedef at::Generator* GeneratorHandle;

namespace apg {
void set_error(const char* message);
inline TensorHandle wrap(at::Tensor t) { return new at::Tensor(std::move(t)); }
inline at::IntArrayRef dims(const int64_t* p, int64_t n) { return at::IntArrayRef(p, static_cast<size_t>(n)); }
inline std::vector<at::Tensor> tensors(TensorHandle* p, int64_t n) {
  std::vector<at::Tensor> v;
  v.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; i++) v.push_back(*p[i]);
  return v;
}
inline at::TensorOptions options(int dtype, int device_type, int device_index) {
  return at::TensorOptions()
      .dtype(static_cast<at::ScalarType>(dtype))
      .device(at::Device(static_cast<at::DeviceType>(device_type), static_cast<at::DeviceIndex>(device_index)));
}
inline c10::optional<at::Generator> gen(GeneratorHandle g) {
  return g ? c10::optional<at::Generator>(*g) : c10::nullopt;
}
}  // namespace apg

// Return a new tensor handle, or null with the error kept.
#define APG_TENSOR(expr)                                   \
  try {                                                    \
    return apg::wrap(expr);                                \
  } catch (const std::exception& e) {                      \
    apg::set_error(e.what());                              \
    return nullptr;                                        \
  }

// Run statements; 0 on success, -1 with the error kept.
#define APG_STATUS(stmts)                                  \
  try {                                                    \
    stmts;                                                 \
    return 0;                                              \
  } catch (const std::exception& e) {                      \
    apg::set_error(e.what());                              \
    return -1;                                             \
  }

#define APG_UNARY(name, expr) \
  APG_API TensorHandle apg_##name(TensorHandle a) { APG_TENSOR(expr) }
#define APG_BINARY(name, expr) \
  APG_API TensorHandle apg_##name(TensorHandle a, TensorHandle b) { APG_TENSOR(expr) }
#define APG_SCALAR(name, expr) \
  APG_API TensorHandle apg_##name(TensorHandle a, double s) { APG_TENSOR(expr) }
#define APG_INPLACE(name, stmt) \
  APG_API int apg_##name(TensorHandle a, TensorHandle b) { APG_STATUS(stmt) }
#define APG_INPLACE_SCALAR(name, stmt) \
  APG_API int apg_##name(TensorHandle a, double s) { APG_STATUS(stmt) }
