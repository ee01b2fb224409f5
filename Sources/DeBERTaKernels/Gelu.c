// GELU forward and backward: AVX-512 with a polynomial erf/exp, or libm.
#include "DeBERTaKernels.h"
#include "CPUFeatures.h"
#include <math.h>

static const float inv_sqrt2 = 0.70710678118654752f;
static const float inv_sqrt_2pi = 0.39894228040143268f;

static void gelu_forward_scalar(const float *x, float *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = 0.5f * x[i] * (1.0f + erff(x[i] * inv_sqrt2));
}

static void gelu_backward_scalar(const float *x, const float *g, float *dx, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float v = x[i];
        dx[i] = g[i] * (0.5f * (1.0f + erff(v * inv_sqrt2)) + v * inv_sqrt_2pi * expf(-0.5f * v * v));
    }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include "VectorMath.h"

__attribute__((target("avx512f")))
static void gelu_forward_avx512(const float *x, float *y, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        _mm512_storeu_ps(y + i, gelu_ps(_mm512_loadu_ps(x + i)));
    }
    gelu_forward_scalar(x + i, y + i, n - i);
}

__attribute__((target("avx512f")))
static void gelu_backward_avx512(const float *x, const float *g, float *dx, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 v = _mm512_loadu_ps(x + i);
        __m512 e = erf_ps(_mm512_mul_ps(v, _mm512_set1_ps(inv_sqrt2)));
        __m512 gauss = exp_ps(_mm512_mul_ps(_mm512_mul_ps(v, v), _mm512_set1_ps(-0.5f)));  // e^{−x²/2}
        __m512 cdf = _mm512_mul_ps(_mm512_add_ps(e, _mm512_set1_ps(1.0f)), _mm512_set1_ps(0.5f));
        __m512 d = _mm512_fmadd_ps(_mm512_mul_ps(v, _mm512_set1_ps(inv_sqrt_2pi)), gauss, cdf);
        _mm512_storeu_ps(dx + i, _mm512_mul_ps(_mm512_loadu_ps(g + i), d));
    }
    gelu_backward_scalar(x + i, g + i, dx + i, n - i);
}

void ck_gelu_forward(const float *x, float *y, size_t n) {
    if (ck_cpu_has_avx512(0)) gelu_forward_avx512(x, y, n); else gelu_forward_scalar(x, y, n);
}

void ck_gelu_backward(const float *x, const float *g, float *dx, size_t n) {
    if (ck_cpu_has_avx512(0)) gelu_backward_avx512(x, g, dx, n); else gelu_backward_scalar(x, g, dx, n);
}
#else
void ck_gelu_forward(const float *x, float *y, size_t n) { gelu_forward_scalar(x, y, n); }
void ck_gelu_backward(const float *x, const float *g, float *dx, size_t n) { gelu_backward_scalar(x, g, dx, n); }
#endif
