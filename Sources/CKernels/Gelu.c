// GELU forward and backward: AVX-512 with a polynomial erf/exp, or libm.
#include "CKernels.h"
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

// erf(z): for |z| < 1 its Maclaurin series to z^21 (alternating, truncation error < 2e-8); beyond,
// 1 − erfc(|z|) with erfc from the Chebyshev-fitted form of Numerical Recipes (`erfcc`, relative
// error < 1.2e-7 of erfc ≤ 0.16, so < 2e-8 absolute), sign restored.
__attribute__((target("avx512f")))
static inline __m512 erf_ps(__m512 z) {
    __m512 a = _mm512_abs_ps(z);
    __m512 s = _mm512_mul_ps(z, z);
    // Horner in z² over c_k = (−1)^k · 2/√π / (k! (2k + 1)), k = 10 … 0
    __m512 p = _mm512_set1_ps(1.4807192815879218e-08f);
    p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(-1.6365844691234924e-07f));
    p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(1.6462114365889246e-06f));
    p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(-1.492565035840625e-05f));
    p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(1.2055332981789664e-04f));
    p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(-8.548327023450852e-04f));
    p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(5.223977625442188e-03f));
    p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(-2.6866170645131252e-02f));
    p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(0.11283791670955126f));
    p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(-0.37612638903183754f));
    p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(1.1283791670955126f));
    __m512 small = _mm512_mul_ps(z, p);

    __m512 t = _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_fmadd_ps(a, _mm512_set1_ps(0.5f), _mm512_set1_ps(1.0f)));
    __m512 q = _mm512_set1_ps(0.17087277f);
    q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(-0.82215223f));
    q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(1.48851587f));
    q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(-1.13520398f));
    q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(0.27886807f));
    q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(-0.18628806f));
    q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(0.09678418f));
    q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(0.37409196f));
    q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(1.00002368f));
    q = _mm512_fmadd_ps(q, t, _mm512_set1_ps(-1.26551223f));
    __m512 erfc = _mm512_mul_ps(t, exp_ps(_mm512_sub_ps(q, s)));
    __m512 large = _mm512_sub_ps(_mm512_set1_ps(1.0f), erfc);
    __mmask16 negative = _mm512_cmp_ps_mask(z, _mm512_setzero_ps(), _CMP_LT_OQ);
    large = _mm512_mask_sub_ps(large, negative, _mm512_setzero_ps(), large);
    __mmask16 isSmall = _mm512_cmp_ps_mask(a, _mm512_set1_ps(1.0f), _CMP_LT_OQ);
    return _mm512_mask_mov_ps(large, isSmall, small);
}

__attribute__((target("avx512f")))
static void gelu_forward_avx512(const float *x, float *y, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 v = _mm512_loadu_ps(x + i);
        __m512 e = erf_ps(_mm512_mul_ps(v, _mm512_set1_ps(inv_sqrt2)));
        _mm512_storeu_ps(y + i, _mm512_mul_ps(_mm512_mul_ps(v, _mm512_set1_ps(0.5f)), _mm512_add_ps(e, _mm512_set1_ps(1.0f))));
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
