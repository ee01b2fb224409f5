// Vector math shared by the AVX-512 kernels (internal to DeBERTaKernels).
#ifndef CK_VECTOR_MATH_H
#define CK_VECTOR_MATH_H

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#include <stddef.h>

// Lanes of a 16-float vector that hold the `left` remaining elements (all 16, or none when left ≤ 0).
__attribute__((target("avx512f")))
static inline __mmask16 tail_mask(ptrdiff_t left) {
    return left >= 16 ? (__mmask16)0xFFFF : left <= 0 ? (__mmask16)0 : (__mmask16)((1u << left) - 1);
}

// e^y (y clamped to [−87, 88]): y = n·ln2 + r, |r| ≤ ln2/2, e^r by its degree-7 Taylor polynomial
// (relative error < 6e-9 on that interval, below float32 rounding), scaled by 2^n.
__attribute__((target("avx512f")))
static inline __m512 exp_ps(__m512 y) {
    y = _mm512_min_ps(_mm512_max_ps(y, _mm512_set1_ps(-87.0f)), _mm512_set1_ps(88.0f));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(y, _mm512_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145751953125f), y);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.428606765330187045e-06f), r);
    __m512 p = _mm512_set1_ps(1.0f / 5040.0f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 720.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(p, n);
}


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

// Exact-form GELU, 0.5 · x · (1 + erf(x / √2)).
__attribute__((target("avx512f")))
static inline __m512 gelu_ps(__m512 x) {
    __m512 e = erf_ps(_mm512_mul_ps(x, _mm512_set1_ps(0.70710678118654752f)));
    return _mm512_mul_ps(_mm512_mul_ps(x, _mm512_set1_ps(0.5f)), _mm512_add_ps(e, _mm512_set1_ps(1.0f)));
}

#endif
#endif
