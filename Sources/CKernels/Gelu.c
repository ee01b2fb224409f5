// GELU forward and backward: AVX-512 with a polynomial erf/exp, or libm.
#include "CKernels.h"
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
#include <immintrin.h>

// e^y for y ≤ 0 (clamped at −87): y = n·ln2 + r, |r| ≤ ln2/2, e^r by a degree-6 Taylor polynomial
// (relative error < 2e-7 on that interval), scaled by 2^n.
__attribute__((target("avx512f")))
static inline __m512 exp_nonpositive(__m512 y) {
    y = _mm512_max_ps(y, _mm512_set1_ps(-87.0f));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(y, _mm512_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145751953125f), y);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.428606765330187045e-06f), r);
    __m512 p = _mm512_set1_ps(1.0f / 720.0f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(p, n);
}

// erf(z) = sign(z) · (1 − poly(t) · e^{−z²}), t = 1 / (1 + 0.3275911·|z|) (A&S 7.1.26); also returns e^{−z²}.
__attribute__((target("avx512f")))
static inline __m512 erf_and_gauss(__m512 z, __m512 *gauss) {
    __m512 a = _mm512_abs_ps(z);
    __m512 t = _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_fmadd_ps(a, _mm512_set1_ps(0.3275911f), _mm512_set1_ps(1.0f)));
    __m512 p = _mm512_set1_ps(1.061405429f);
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-1.453152027f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(1.421413741f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-0.284496736f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.254829592f));
    p = _mm512_mul_ps(p, t);
    __m512 e = exp_nonpositive(_mm512_mul_ps(_mm512_mul_ps(a, a), _mm512_set1_ps(-1.0f)));
    *gauss = e;
    __m512 r = _mm512_fnmadd_ps(p, e, _mm512_set1_ps(1.0f));
    __mmask16 negative = _mm512_cmp_ps_mask(z, _mm512_setzero_ps(), _CMP_LT_OQ);
    return _mm512_mask_sub_ps(r, negative, _mm512_setzero_ps(), r);
}

__attribute__((target("avx512f")))
static void gelu_forward_avx512(const float *x, float *y, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 v = _mm512_loadu_ps(x + i), gauss;
        __m512 e = erf_and_gauss(_mm512_mul_ps(v, _mm512_set1_ps(inv_sqrt2)), &gauss);
        _mm512_storeu_ps(y + i, _mm512_mul_ps(_mm512_mul_ps(v, _mm512_set1_ps(0.5f)), _mm512_add_ps(e, _mm512_set1_ps(1.0f))));
    }
    gelu_forward_scalar(x + i, y + i, n - i);
}

__attribute__((target("avx512f")))
static void gelu_backward_avx512(const float *x, const float *g, float *dx, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 v = _mm512_loadu_ps(x + i), gauss;
        __m512 e = erf_and_gauss(_mm512_mul_ps(v, _mm512_set1_ps(inv_sqrt2)), &gauss);  // gauss = e^{−x²/2}
        __m512 cdf = _mm512_mul_ps(_mm512_add_ps(e, _mm512_set1_ps(1.0f)), _mm512_set1_ps(0.5f));
        __m512 d = _mm512_fmadd_ps(_mm512_mul_ps(v, _mm512_set1_ps(inv_sqrt_2pi)), gauss, cdf);
        _mm512_storeu_ps(dx + i, _mm512_mul_ps(_mm512_loadu_ps(g + i), d));
    }
    gelu_backward_scalar(x + i, g + i, dx + i, n - i);
}

static int gelu_avx512_state = -1;

static int use_avx512(void) {
    int state = __atomic_load_n(&gelu_avx512_state, __ATOMIC_RELAXED);
    if (state < 0) {
        __builtin_cpu_init();
        state = __builtin_cpu_supports("avx512f") ? 1 : 0;
        __atomic_store_n(&gelu_avx512_state, state, __ATOMIC_RELAXED);
    }
    return state;
}

void ck_gelu_forward(const float *x, float *y, size_t n) {
    if (use_avx512()) gelu_forward_avx512(x, y, n); else gelu_forward_scalar(x, y, n);
}

void ck_gelu_backward(const float *x, const float *g, float *dx, size_t n) {
    if (use_avx512()) gelu_backward_avx512(x, g, dx, n); else gelu_backward_scalar(x, g, dx, n);
}
#else
void ck_gelu_forward(const float *x, float *y, size_t n) { gelu_forward_scalar(x, y, n); }
void ck_gelu_backward(const float *x, const float *g, float *dx, size_t n) { gelu_backward_scalar(x, g, dx, n); }
#endif
