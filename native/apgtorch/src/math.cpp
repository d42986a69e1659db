// Elementwise arithmetic, math functions, comparisons and in-place updates.
#include "shim.h"

APG_UNARY(neg, a->neg())
APG_UNARY(exp, a->exp())
APG_UNARY(expm1, a->expm1())
APG_UNARY(log, a->log())
APG_UNARY(log1p, a->log1p())
APG_UNARY(sqrt, a->sqrt())
APG_UNARY(rsqrt, a->rsqrt())
APG_UNARY(square, a->square())
APG_UNARY(abs, a->abs())
APG_UNARY(sign, a->sign())
APG_UNARY(reciprocal, a->reciprocal())
APG_UNARY(sin, a->sin())
APG_UNARY(cos, a->cos())
APG_UNARY(tanh, a->tanh())
APG_UNARY(sigmoid, a->sigmoid())
APG_UNARY(relu, a->relu())
APG_UNARY(lgamma, a->lgamma())
APG_UNARY(digamma, a->digamma())
APG_UNARY(floor, a->floor())
APG_UNARY(ceil, a->ceil())
APG_UNARY(round, a->round())
APG_UNARY(isnan, a->isnan())
APG_UNARY(isinf, a->isinf())
APG_UNARY(isfinite, a->isfinite())
APG_UNARY(logical_not, a->logical_not())
APG_API TensorHandle apg_softplus(TensorHandle a, double beta, double threshold) {
  APG_TENSOR(at::softplus(*a, beta, threshold))
}
APG_API TensorHandle apg_leaky_relu(TensorHandle a, double slope) { APG_TENSOR(at::leaky_relu(*a, slope)) }
APG_API TensorHandle apg_elu(TensorHandle a, double alpha) { APG_TENSOR(at::elu(*a, alpha)) }

APG_BINARY(add, *a + *b)
APG_BINARY(sub, *a - *b)
APG_BINARY(mul, *a * *b)
APG_BINARY(div, *a / *b)
APG_BINARY(pow, a->pow(*b))
APG_BINARY(maximum, at::maximum(*a, *b))
APG_BINARY(minimum, at::minimum(*a, *b))
APG_BINARY(remainder, a->remainder(*b))
APG_BINARY(floor_divide, at::div(*a, *b, "floor"))
APG_BINARY(eq, a->eq(*b))
APG_BINARY(ne, a->ne(*b))
APG_BINARY(lt, a->lt(*b))
APG_BINARY(le, a->le(*b))
APG_BINARY(gt, a->gt(*b))
APG_BINARY(ge, a->ge(*b))
APG_BINARY(logical_and, a->logical_and(*b))
APG_BINARY(logical_or, a->logical_or(*b))
APG_BINARY(logical_xor, a->logical_xor(*b))

APG_SCALAR(add_scalar, *a + s)
APG_SCALAR(sub_scalar, *a - s)
APG_SCALAR(rsub_scalar, at::rsub(*a, s))
APG_SCALAR(mul_scalar, *a * s)
APG_SCALAR(div_scalar, *a / s)
APG_SCALAR(rdiv_scalar, a->reciprocal() * s)
APG_SCALAR(pow_scalar, a->pow(s))
APG_SCALAR(rpow_scalar, at::pow(at::Scalar(s), *a))
APG_SCALAR(remainder_scalar, a->remainder(s))
APG_SCALAR(eq_scalar, a->eq(s))
APG_SCALAR(ne_scalar, a->ne(s))
APG_SCALAR(lt_scalar, a->lt(s))
APG_SCALAR(le_scalar, a->le(s))
APG_SCALAR(gt_scalar, a->gt(s))
APG_SCALAR(ge_scalar, a->ge(s))

APG_API TensorHandle apg_clamp(TensorHandle a, double lo, double hi, int has_lo, int has_hi) {
  APG_TENSOR(a->clamp(has_lo ? c10::optional<at::Scalar>(lo) : c10::nullopt,
                      has_hi ? c10::optional<at::Scalar>(hi) : c10::nullopt))
}
APG_API TensorHandle apg_where(TensorHandle cond, TensorHandle a, TensorHandle b) { APG_TENSOR(at::where(*cond, *a, *b)) }
APG_API TensorHandle apg_masked_fill(TensorHandle a, TensorHandle mask, double v) { APG_TENSOR(a->masked_fill(*mask, v)) }
APG_API int apg_allclose(TensorHandle a, TensorHandle b, double rtol, double atol) {
  try {
    return at::allclose(*a, *b, rtol, atol) ? 1 : 0;
  } catch (const std::exception& e) {
    apg::set_error(e.what());
    return -1;
  }
}

// In place (used by optimizers, under no-grad).
APG_INPLACE(add_, a->add_(*b))
APG_INPLACE(sub_, a->sub_(*b))
APG_INPLACE(mul_, a->mul_(*b))
APG_INPLACE(div_, a->div_(*b))
APG_INPLACE_SCALAR(add_scalar_, a->add_(s))
APG_INPLACE_SCALAR(mul_scalar_, a->mul_(s))
APG_API int apg_add_scaled_(TensorHandle a, TensorHandle b, double alpha) { APG_STATUS(a->add_(*b, alpha)) }
APG_API int apg_addcmul_(TensorHandle a, TensorHandle b, TensorHandle c, double value) {
  APG_STATUS(a->addcmul_(*b, *c, value))
}
APG_API int apg_addcdiv_(TensorHandle a, TensorHandle b, TensorHandle c, double value) {
  APG_STATUS(a->addcdiv_(*b, *c, value))
}
APG_API int apg_clamp_(TensorHandle a, double lo, double hi) { APG_STATUS(a->clamp_(lo, hi)) }
