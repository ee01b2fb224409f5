// Counter-based inverted dropout (TensorCore's RandomStream.uniform): AVX-512 (F + DQ for the
// 64-bit multiplies) or plain C, the same bits either way.
#include "DeBERTaKernels.h"
#include "CPUFeatures.h"

static inline uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void dropout_scalar(const float *src, float *dst, size_t n, uint64_t key, uint64_t first, uint64_t threshold, float scale) {
    for (size_t i = 0; i < n; i++) {
        uint64_t bits = mix64(key ^ ((first + i) * 0xD1B54A32D192ED03ull));
        dst[i] = (bits >> 40) < threshold ? 0.0f : src[i] * scale;
    }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

__attribute__((target("avx512f,avx512dq")))
static inline __mmask8 dropped8(__m512i index, __m512i key, __m512i threshold) {
    __m512i z = _mm512_xor_si512(key, _mm512_mullo_epi64(index, _mm512_set1_epi64((long long)0xD1B54A32D192ED03ull)));
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)), _mm512_set1_epi64((long long)0xBF58476D1CE4E5B9ull));
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)), _mm512_set1_epi64((long long)0x94D049BB133111EBull));
    z = _mm512_xor_si512(z, _mm512_srli_epi64(z, 31));
    return _mm512_cmplt_epu64_mask(_mm512_srli_epi64(z, 40), threshold);
}

__attribute__((target("avx512f,avx512dq")))
static void dropout_avx512(const float *src, float *dst, size_t n, uint64_t key, uint64_t first, uint64_t threshold, float scale) {
    const __m512i k = _mm512_set1_epi64((long long)key), t = _mm512_set1_epi64((long long)threshold);
    const __m512i lanes = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0), eight = _mm512_set1_epi64(8);
    const __m512 s = _mm512_set1_ps(scale);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512i lo = _mm512_add_epi64(_mm512_set1_epi64((long long)(first + i)), lanes);
        __mmask16 drop = (__mmask16)(dropped8(lo, k, t) | ((unsigned)dropped8(_mm512_add_epi64(lo, eight), k, t) << 8));
        _mm512_storeu_ps(dst + i, _mm512_maskz_mul_ps((__mmask16)~drop, _mm512_loadu_ps(src + i), s));
    }
    dropout_scalar(src + i, dst + i, n - i, key, first + i, threshold, scale);
}

void ck_dropout(const float *src, float *dst, size_t n, uint64_t key, uint64_t first, uint64_t threshold, float scale) {
    if (ck_cpu_has_avx512(1)) dropout_avx512(src, dst, n, key, first, threshold, scale);
    else dropout_scalar(src, dst, n, key, first, threshold, scale);
}
#else
void ck_dropout(const float *src, float *dst, size_t n, uint64_t key, uint64_t first, uint64_t threshold, float scale) {
    dropout_scalar(src, dst, n, key, first, threshold, scale);
}
#endif
