// Masked softmax rows (attention probabilities), forward and backward: AVX-512 or scalar.
#include "DeBERTaKernels.h"
#include "CPUFeatures.h"
#include <float.h>
#include <math.h>

static void uniform_row(float *y, size_t n) {
    float u = 1.0f / (float)n;
    for (size_t j = 0; j < n; j++) y[j] = u;
}

static void softmax_forward_scalar(const float *x, const float *keys, float *y, size_t n) {
    float mx = -FLT_MAX;
    int any = 0;
    for (size_t j = 0; j < n; j++)
        if (keys[j] != 0) { any = 1; if (x[j] > mx) mx = x[j]; }
    if (!any) { uniform_row(y, n); return; }
    float total = 0;
    for (size_t j = 0; j < n; j++) {
        float e = keys[j] != 0 ? expf(x[j] - mx) : 0;
        y[j] = e;
        total += e;
    }
    float inv = 1 / total;
    for (size_t j = 0; j < n; j++) y[j] *= inv;
}

static void softmax_backward_scalar(const float *y, const float *g, const float *keys, float *dx, size_t n) {
    float dot = 0;
    for (size_t j = 0; j < n; j++) if (keys[j] != 0) dot += g[j] * y[j];
    for (size_t j = 0; j < n; j++) dx[j] = keys[j] != 0 ? y[j] * (g[j] - dot) : 0;
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include "VectorMath.h"

__attribute__((target("avx512f")))
static inline __mmask16 key_mask(const float *keys, size_t j, size_t n) {
    __mmask16 t = tail_mask((ptrdiff_t)(n - j));
    return _mm512_mask_cmp_ps_mask(t, _mm512_maskz_loadu_ps(t, keys + j), _mm512_setzero_ps(), _CMP_NEQ_UQ);
}

__attribute__((target("avx512f")))
static void softmax_forward_avx512(const float *x, const float *keys, float *y, size_t n) {
    __m512 vmax = _mm512_set1_ps(-FLT_MAX);
    int any = 0;
    for (size_t j = 0; j < n; j += 16) {
        __mmask16 k = key_mask(keys, j, n);
        any |= k != 0;
        vmax = _mm512_mask_max_ps(vmax, k, vmax, _mm512_maskz_loadu_ps(k, x + j));
    }
    if (!any) { uniform_row(y, n); return; }
    __m512 mx = _mm512_set1_ps(_mm512_reduce_max_ps(vmax));
    __m512 sum = _mm512_setzero_ps();
    for (size_t j = 0; j < n; j += 16) {
        __mmask16 k = key_mask(keys, j, n);
        __m512 e = _mm512_maskz_mov_ps(k, exp_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + j), mx)));
        _mm512_mask_storeu_ps(y + j, tail_mask((ptrdiff_t)(n - j)), e);
        sum = _mm512_add_ps(sum, e);
    }
    __m512 inv = _mm512_set1_ps(1 / _mm512_reduce_add_ps(sum));
    for (size_t j = 0; j < n; j += 16) {
        __mmask16 t = tail_mask((ptrdiff_t)(n - j));
        _mm512_mask_storeu_ps(y + j, t, _mm512_mul_ps(_mm512_maskz_loadu_ps(t, y + j), inv));
    }
}

__attribute__((target("avx512f")))
static void softmax_backward_avx512(const float *y, const float *g, const float *keys, float *dx, size_t n) {
    __m512 acc = _mm512_setzero_ps();
    for (size_t j = 0; j < n; j += 16) {
        __mmask16 k = key_mask(keys, j, n);
        acc = _mm512_mask3_fmadd_ps(_mm512_maskz_loadu_ps(k, g + j), _mm512_maskz_loadu_ps(k, y + j), acc, k);
    }
    __m512 dot = _mm512_set1_ps(_mm512_reduce_add_ps(acc));
    for (size_t j = 0; j < n; j += 16) {
        __mmask16 k = key_mask(keys, j, n);
        __m512 d = _mm512_mul_ps(_mm512_maskz_loadu_ps(k, y + j), _mm512_sub_ps(_mm512_maskz_loadu_ps(k, g + j), dot));
        _mm512_mask_storeu_ps(dx + j, tail_mask((ptrdiff_t)(n - j)), _mm512_maskz_mov_ps(k, d));
    }
}

void ck_masked_softmax_row(const float *x, const float *keys, float *y, size_t n) {
    if (ck_cpu_has_avx512(0)) softmax_forward_avx512(x, keys, y, n); else softmax_forward_scalar(x, keys, y, n);
}

void ck_masked_softmax_backward_row(const float *y, const float *g, const float *keys, float *dx, size_t n) {
    if (ck_cpu_has_avx512(0)) softmax_backward_avx512(y, g, keys, dx, n); else softmax_backward_scalar(y, g, keys, dx, n);
}
#else
void ck_masked_softmax_row(const float *x, const float *keys, float *y, size_t n) { softmax_forward_scalar(x, keys, y, n); }
void ck_masked_softmax_backward_row(const float *y, const float *g, const float *keys, float *dx, size_t n) {
    softmax_backward_scalar(y, g, keys, dx, n);
}
#endif
