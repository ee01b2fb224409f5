// Layer normalisation of one row: AVX-512 (16 partial sums per statistic) or scalar.
#include "DeBERTaKernels.h"
#include "CPUFeatures.h"
#include <math.h>

static float layer_norm_scalar(const float *x, const float *gamma, const float *beta, size_t n, float eps,
                               float *y, float *xhat) {
    float mean = 0;
    for (size_t j = 0; j < n; j++) mean += x[j];
    mean /= (float)n;
    float variance = 0;
    for (size_t j = 0; j < n; j++) { float c = x[j] - mean; variance += c * c; }
    variance /= (float)n;
    float inv = 1 / sqrtf(variance + eps);
    for (size_t j = 0; j < n; j++) {
        float h = (x[j] - mean) * inv;
        if (xhat) xhat[j] = h;
        y[j] = h * gamma[j] + beta[j];
    }
    return inv;
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include "VectorMath.h"

__attribute__((target("avx512f")))
static float layer_norm_avx512(const float *x, const float *gamma, const float *beta, size_t n, float eps,
                               float *y, float *xhat) {
    __m512 s = _mm512_setzero_ps();
    for (size_t j = 0; j < n; j += 16) s = _mm512_add_ps(s, _mm512_maskz_loadu_ps(tail_mask((ptrdiff_t)(n - j)), x + j));
    float mean = _mm512_reduce_add_ps(s) / (float)n;
    __m512 mv = _mm512_set1_ps(mean), q = _mm512_setzero_ps();
    for (size_t j = 0; j < n; j += 16) {
        __mmask16 t = tail_mask((ptrdiff_t)(n - j));
        __m512 c = _mm512_maskz_sub_ps(t, _mm512_maskz_loadu_ps(t, x + j), mv);
        q = _mm512_fmadd_ps(c, c, q);
    }
    float inv = 1 / sqrtf(_mm512_reduce_add_ps(q) / (float)n + eps);
    __m512 iv = _mm512_set1_ps(inv);
    for (size_t j = 0; j < n; j += 16) {
        __mmask16 t = tail_mask((ptrdiff_t)(n - j));
        __m512 h = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(t, x + j), mv), iv);
        if (xhat) _mm512_mask_storeu_ps(xhat + j, t, h);
        __m512 o = _mm512_fmadd_ps(h, _mm512_maskz_loadu_ps(t, gamma + j), _mm512_maskz_loadu_ps(t, beta + j));
        _mm512_mask_storeu_ps(y + j, t, o);
    }
    return inv;
}

float ck_layer_norm_row(const float *x, const float *gamma, const float *beta, size_t n, float eps, float *y, float *xhat) {
    return ck_cpu_has_avx512(0) ? layer_norm_avx512(x, gamma, beta, n, eps, y, xhat)
                                : layer_norm_scalar(x, gamma, beta, n, eps, y, xhat);
}
#else
float ck_layer_norm_row(const float *x, const float *gamma, const float *beta, size_t n, float eps, float *y, float *xhat) {
    return layer_norm_scalar(x, gamma, beta, n, eps, y, xhat);
}
#endif
