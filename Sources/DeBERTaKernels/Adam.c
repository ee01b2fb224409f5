// Adam updates (AdamW as torch.optim.AdamW, XAdam as the original DeBERTa optimizer): AVX-512 or
// plain C. Both evaluate the same expressions in the same order without fused multiply-adds, so
// they give the same bits as each other and as the Swift reference loop they replace.
#include "DeBERTaKernels.h"
#include "CPUFeatures.h"
#include <math.h>

#pragma STDC FP_CONTRACT OFF

static void adamw_scalar(float *theta, float *m, float *v, const float *g, size_t n, const ck_adam_constants *c) {
    for (size_t i = 0; i < n; i++) {
        float gi = g[i] * c->inv_scale;
        float t = theta[i] * c->decay;
        float mi = m[i] + (gi - m[i]) * c->one_minus_beta1;
        float vi = v[i] * c->beta2 + c->one_minus_beta2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        theta[i] = t - c->step_size * mi / (sqrtf(vi) / c->bias_correction2_sqrt + c->eps);
    }
}

static void xadam_scalar(float *theta, float *m, float *v, const float *g, size_t n, const ck_adam_constants *c) {
    for (size_t i = 0; i < n; i++) {
        float gi = g[i] * c->inv_scale;
        float mi = m[i] * c->beta1 + c->one_minus_beta1 * gi;
        float vi = v[i] * c->beta2 + c->one_minus_beta2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        float update = mi / (sqrtf(vi) + c->eps) + c->weight_decay * theta[i];
        theta[i] = theta[i] - c->lr * update;
    }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

__attribute__((target("avx512f")))
static void adamw_avx512(float *theta, float *m, float *v, const float *g, size_t n, const ck_adam_constants *c) {
    const __m512 inv = _mm512_set1_ps(c->inv_scale), decay = _mm512_set1_ps(c->decay);
    const __m512 omb1 = _mm512_set1_ps(c->one_minus_beta1), b2 = _mm512_set1_ps(c->beta2), omb2 = _mm512_set1_ps(c->one_minus_beta2);
    const __m512 step = _mm512_set1_ps(c->step_size), bc2 = _mm512_set1_ps(c->bias_correction2_sqrt), eps = _mm512_set1_ps(c->eps);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 gi = _mm512_mul_ps(_mm512_loadu_ps(g + i), inv);
        __m512 t = _mm512_mul_ps(_mm512_loadu_ps(theta + i), decay);
        __m512 mi = _mm512_loadu_ps(m + i);
        mi = _mm512_add_ps(mi, _mm512_mul_ps(_mm512_sub_ps(gi, mi), omb1));
        __m512 vi = _mm512_add_ps(_mm512_mul_ps(_mm512_loadu_ps(v + i), b2), _mm512_mul_ps(_mm512_mul_ps(omb2, gi), gi));
        _mm512_storeu_ps(m + i, mi);
        _mm512_storeu_ps(v + i, vi);
        __m512 denom = _mm512_add_ps(_mm512_div_ps(_mm512_sqrt_ps(vi), bc2), eps);
        _mm512_storeu_ps(theta + i, _mm512_sub_ps(t, _mm512_div_ps(_mm512_mul_ps(step, mi), denom)));
    }
    adamw_scalar(theta + i, m + i, v + i, g + i, n - i, c);
}

__attribute__((target("avx512f")))
static void xadam_avx512(float *theta, float *m, float *v, const float *g, size_t n, const ck_adam_constants *c) {
    const __m512 inv = _mm512_set1_ps(c->inv_scale), b1 = _mm512_set1_ps(c->beta1), omb1 = _mm512_set1_ps(c->one_minus_beta1);
    const __m512 b2 = _mm512_set1_ps(c->beta2), omb2 = _mm512_set1_ps(c->one_minus_beta2);
    const __m512 wd = _mm512_set1_ps(c->weight_decay), lr = _mm512_set1_ps(c->lr), eps = _mm512_set1_ps(c->eps);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 gi = _mm512_mul_ps(_mm512_loadu_ps(g + i), inv);
        __m512 mi = _mm512_add_ps(_mm512_mul_ps(_mm512_loadu_ps(m + i), b1), _mm512_mul_ps(omb1, gi));
        __m512 vi = _mm512_add_ps(_mm512_mul_ps(_mm512_loadu_ps(v + i), b2), _mm512_mul_ps(_mm512_mul_ps(omb2, gi), gi));
        _mm512_storeu_ps(m + i, mi);
        _mm512_storeu_ps(v + i, vi);
        __m512 t = _mm512_loadu_ps(theta + i);
        __m512 update = _mm512_add_ps(_mm512_div_ps(mi, _mm512_add_ps(_mm512_sqrt_ps(vi), eps)), _mm512_mul_ps(wd, t));
        _mm512_storeu_ps(theta + i, _mm512_sub_ps(t, _mm512_mul_ps(lr, update)));
    }
    xadam_scalar(theta + i, m + i, v + i, g + i, n - i, c);
}

void ck_adamw_update(float *theta, float *m, float *v, const float *g, size_t n, const ck_adam_constants *c) {
    if (ck_cpu_has_avx512(0)) adamw_avx512(theta, m, v, g, n, c); else adamw_scalar(theta, m, v, g, n, c);
}

void ck_xadam_update(float *theta, float *m, float *v, const float *g, size_t n, const ck_adam_constants *c) {
    if (ck_cpu_has_avx512(0)) xadam_avx512(theta, m, v, g, n, c); else xadam_scalar(theta, m, v, g, n, c);
}
#else
void ck_adamw_update(float *theta, float *m, float *v, const float *g, size_t n, const ck_adam_constants *c) { adamw_scalar(theta, m, v, g, n, c); }
void ck_xadam_update(float *theta, float *m, float *v, const float *g, size_t n, const ck_adam_constants *c) { xadam_scalar(theta, m, v, g, n, c); }
#endif
