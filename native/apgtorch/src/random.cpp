// Explicit, seeded generators and the sampling ops that take them.
#include "shim.h"
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/detail/CUDAHooksInterface.h>

APG_API GeneratorHandle apg_generator_new(uint64_t seed, int device_type, int device_index) {
  try {
    at::Generator g;
    if (static_cast<at::DeviceType>(device_type) == at::kCUDA) {
      // A fresh CUDA generator without CUDA headers: clone the default one, then reseed.
      g = at::detail::getCUDAHooks().getDefaultCUDAGenerator(static_cast<at::DeviceIndex>(device_index)).clone();
    } else {
      g = at::detail::createCPUGenerator(seed);
    }
    g.set_current_seed(seed);
    return new at::Generator(std::move(g));
  } catch (const std::exception& e) {
    apg::set_error(e.what());
    return nullptr;
  }
}
APG_API void apg_generator_free(GeneratorHandle g) { delete g; }
APG_API uint64_t apg_generator_seed(GeneratorHandle g) { return g->current_seed(); }
APG_API int apg_generator_set_seed(GeneratorHandle g, uint64_t seed) {
  APG_STATUS(std::lock_guard<std::mutex> lock(g->mutex()); g->set_current_seed(seed))
}
APG_API TensorHandle apg_generator_get_state(GeneratorHandle g) {
  try {
    std::lock_guard<std::mutex> lock(g->mutex());
    return apg::wrap(g->get_state());
  } catch (const std::exception& e) {
    apg::set_error(e.what());
    return nullptr;
  }
}
APG_API int apg_generator_set_state(GeneratorHandle g, TensorHandle state) {
  APG_STATUS(std::lock_guard<std::mutex> lock(g->mutex()); g->set_state(*state))
}

APG_API TensorHandle apg_rand(const int64_t* s, int64_t n, GeneratorHandle g, int dtype, int dt, int di) {
  APG_TENSOR(at::rand(apg::dims(s, n), apg::gen(g), apg::options(dtype, dt, di)))
}
APG_API TensorHandle apg_randn(const int64_t* s, int64_t n, GeneratorHandle g, int dtype, int dt, int di) {
  APG_TENSOR(at::randn(apg::dims(s, n), apg::gen(g), apg::options(dtype, dt, di)))
}
APG_API TensorHandle apg_randint(int64_t low, int64_t high, const int64_t* s, int64_t n, GeneratorHandle g, int dt, int di) {
  APG_TENSOR(at::randint(low, high, apg::dims(s, n), apg::gen(g), apg::options(static_cast<int>(at::kLong), dt, di)))
}
APG_API TensorHandle apg_randperm(int64_t n, GeneratorHandle g, int dt, int di) {
  APG_TENSOR(at::randperm(n, apg::gen(g), apg::options(static_cast<int>(at::kLong), dt, di)))
}
APG_API TensorHandle apg_normal(TensorHandle mean, TensorHandle std, GeneratorHandle g) {
  APG_TENSOR(at::normal(*mean, *std, apg::gen(g)))
}
APG_API TensorHandle apg_standard_gamma(TensorHandle alpha, GeneratorHandle g) {
  APG_TENSOR(at::_standard_gamma(*alpha, apg::gen(g)))
}
APG_API TensorHandle apg_bernoulli(TensorHandle p, GeneratorHandle g) { APG_TENSOR(at::bernoulli(*p, apg::gen(g))) }
APG_API TensorHandle apg_multinomial(TensorHandle probs, int64_t n, int replacement, GeneratorHandle g) {
  APG_TENSOR(at::multinomial(*probs, n, replacement != 0, apg::gen(g)))
}
APG_API int apg_uniform_(TensorHandle t, double lo, double hi, GeneratorHandle g) { APG_STATUS(t->uniform_(lo, hi, apg::gen(g))) }
APG_API int apg_normal_(TensorHandle t, double mean, double std, GeneratorHandle g) { APG_STATUS(t->normal_(mean, std, apg::gen(g))) }
