// Handles, errors, creation, data access and runtime information.
#include "shim.h"
#include <ATen/Parallel.h>
#include <ATen/Context.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <cstring>
#include <dlfcn.h>
#include <torch/version.h>

static thread_local std::string last_error;

void apg::set_error(const char* message) { last_error = message ? message : "unknown libtorch error"; }

APG_API const char* apg_last_error() { return last_error.c_str(); }
APG_API void apg_clear_error() { last_error.clear(); }

APG_API void apg_free(TensorHandle t) { delete t; }
APG_API void apg_free_many(TensorHandle* ts, int64_t n) {
  for (int64_t i = 0; i < n; i++) delete ts[i];
}
APG_API TensorHandle apg_alias(TensorHandle t) { APG_TENSOR(*t) }

// ---- creation
APG_API TensorHandle apg_from_data(const void* data, const int64_t* shape, int64_t ndim, int dtype) {
  APG_TENSOR(at::from_blob(const_cast<void*>(data), apg::dims(shape, ndim),
                           at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)))
                 .clone())
}
APG_API TensorHandle apg_empty(const int64_t* shape, int64_t ndim, int dtype, int dt, int di) {
  APG_TENSOR(at::empty(apg::dims(shape, ndim), apg::options(dtype, dt, di)))
}
APG_API TensorHandle apg_zeros(const int64_t* shape, int64_t ndim, int dtype, int dt, int di) {
  APG_TENSOR(at::zeros(apg::dims(shape, ndim), apg::options(dtype, dt, di)))
}
APG_API TensorHandle apg_ones(const int64_t* shape, int64_t ndim, int dtype, int dt, int di) {
  APG_TENSOR(at::ones(apg::dims(shape, ndim), apg::options(dtype, dt, di)))
}
APG_API TensorHandle apg_full(const int64_t* shape, int64_t ndim, double value, int dtype, int dt, int di) {
  APG_TENSOR(at::full(apg::dims(shape, ndim), value, apg::options(dtype, dt, di)))
}
APG_API TensorHandle apg_arange(double start, double end, double step, int dtype, int dt, int di) {
  APG_TENSOR(at::arange(start, end, step, apg::options(dtype, dt, di)))
}
APG_API TensorHandle apg_eye(int64_t n, int64_t m, int dtype, int dt, int di) {
  APG_TENSOR(at::eye(n, m, apg::options(dtype, dt, di)))
}
APG_API TensorHandle apg_scalar_tensor(double value, int dtype, int dt, int di) {
  APG_TENSOR(at::scalar_tensor(value, apg::options(dtype, dt, di)))
}

// ---- metadata and data
APG_API int64_t apg_dim(TensorHandle t) { return t->dim(); }
APG_API int apg_sizes(TensorHandle t, int64_t* out) {
  APG_STATUS(auto s = t->sizes(); std::memcpy(out, s.data(), s.size() * sizeof(int64_t)))
}
APG_API int64_t apg_numel(TensorHandle t) { return t->numel(); }
APG_API int apg_dtype(TensorHandle t) { return static_cast<int>(t->scalar_type()); }
APG_API int apg_device_type(TensorHandle t) { return static_cast<int>(t->device().type()); }
APG_API int apg_device_index(TensorHandle t) { return t->device().index(); }
APG_API int apg_is_contiguous(TensorHandle t) { return t->is_contiguous() ? 1 : 0; }
APG_API int apg_defined(TensorHandle t) { return t->defined() ? 1 : 0; }

// Copies a tensor's elements (any layout, any device) into a caller buffer of nbytes.
APG_API int apg_copy_to(TensorHandle t, void* dst, int64_t nbytes) {
  APG_STATUS(
      auto c = t->detach().to(at::kCPU).contiguous();
      int64_t need = c.numel() * static_cast<int64_t>(c.element_size());
      if (need != nbytes) throw std::runtime_error(
          "copy_to: buffer holds " + std::to_string(nbytes) + " bytes, tensor needs " + std::to_string(need));
      if (need > 0) std::memcpy(dst, c.data_ptr(), static_cast<size_t>(need)))
}
APG_API int apg_item_double(TensorHandle t, double* out) { APG_STATUS(*out = t->item<double>()) }
APG_API int apg_item_long(TensorHandle t, int64_t* out) { APG_STATUS(*out = t->item<int64_t>()) }

APG_API TensorHandle apg_to_dtype(TensorHandle t, int dtype) { APG_TENSOR(t->to(static_cast<at::ScalarType>(dtype))) }
APG_API TensorHandle apg_to_device(TensorHandle t, int dt, int di) {
  APG_TENSOR(t->to(at::Device(static_cast<at::DeviceType>(dt), static_cast<at::DeviceIndex>(di))))
}
APG_API TensorHandle apg_clone(TensorHandle t) { APG_TENSOR(t->clone()) }
APG_API TensorHandle apg_contiguous(TensorHandle t) { APG_TENSOR(t->contiguous()) }
APG_API int apg_copy_(TensorHandle dst, TensorHandle src) { APG_STATUS(dst->copy_(*src)) }
APG_API int apg_zero_(TensorHandle t) { APG_STATUS(t->zero_()) }
APG_API int apg_fill_(TensorHandle t, double v) { APG_STATUS(t->fill_(v)) }
APG_API int apg_to_string(TensorHandle t, char* buf, int64_t n) {
  APG_STATUS(std::string s = t->toString() + " " + c10::str(t->sizes());
             std::strncpy(buf, s.c_str(), static_cast<size_t>(n - 1)); buf[n - 1] = 0)
}

// ---- runtime
APG_API const char* apg_torch_version() { return TORCH_VERSION; }
APG_API void apg_set_num_threads(int n) { at::set_num_threads(n); }
APG_API int apg_get_num_threads() { return at::get_num_threads(); }
APG_API int apg_cuda_is_available() { return at::hasCUDA() ? 1 : 0; }
APG_API int apg_cuda_device_count() { return at::hasCUDA() ? at::detail::getCUDAHooks().getNumGPUs() : 0; }
APG_API void apg_manual_seed(uint64_t seed) { at::manual_seed(seed); }

// The BLAS that libtorch ended up with is whatever libblas.so.3 resolves to; OpenBLAS announces itself
// through openblas_get_config. BLAS threads fight libtorch's own pool, so callers can pin them.
APG_API int apg_blas_info(char* buf, int64_t n) {
  typedef char* (*config_fn)();
  typedef int (*threads_fn)();
  auto config = reinterpret_cast<config_fn>(dlsym(RTLD_DEFAULT, "openblas_get_config"));
  auto threads = reinterpret_cast<threads_fn>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  std::string s = config ? std::string(config()) + ", threads=" + std::to_string(threads ? threads() : -1)
                         : std::string("reference or unknown BLAS (no openblas_get_config)");
  std::strncpy(buf, s.c_str(), static_cast<size_t>(n - 1));
  buf[n - 1] = 0;
  return config ? 1 : 0;
}
APG_API int apg_set_blas_threads(int n) {
  typedef void (*set_fn)(int);
  auto set = reinterpret_cast<set_fn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (!set) return 0;
  set(n);
  return 1;
}
