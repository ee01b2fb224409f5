// float32 <-> bfloat16 conversion kernels: a portable scalar loop and an AVX-512F version chosen
// at run time (no build flags needed; other CPUs take the scalar loop).
#include "DeBERTaKernels.h"
#include "CPUFeatures.h"

static inline uint16_t round_one(float x) {
    union { float f; uint32_t u; } v = { x };
    uint32_t u = v.u;
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x0040u);  // NaN: quiet, sign kept
    return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

static void round_scalar(const float *src, uint16_t *dst, size_t count) {
    for (size_t i = 0; i < count; i++) dst[i] = round_one(src[i]);
}

static void widen_scalar(const uint16_t *src, float *dst, size_t count) {
    for (size_t i = 0; i < count; i++) {
        union { uint32_t u; float f; } v = { (uint32_t)src[i] << 16 };
        dst[i] = v.f;
    }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define HAVE_AVX512_PATH 1

__attribute__((target("avx512f")))
static void round_avx512(const float *src, uint16_t *dst, size_t count) {
    const __m512i one = _mm512_set1_epi32(1), half = _mm512_set1_epi32(0x7fff), quiet = _mm512_set1_epi32(0x0040);
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512 x = _mm512_loadu_ps(src + i);
        __m512i u = _mm512_castps_si512(x);
        __m512i high = _mm512_srli_epi32(u, 16);
        __m512i rounded = _mm512_srli_epi32(_mm512_add_epi32(u, _mm512_add_epi32(half, _mm512_and_si512(high, one))), 16);
        __mmask16 nan = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
        rounded = _mm512_mask_mov_epi32(rounded, nan, _mm512_or_si512(high, quiet));
        _mm256_storeu_si256((__m256i *)(dst + i), _mm512_cvtepi32_epi16(rounded));
    }
    round_scalar(src + i, dst + i, count - i);
}

__attribute__((target("avx512f")))
static void widen_avx512(const uint16_t *src, float *dst, size_t count) {
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512i w = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(src + i)));
        _mm512_storeu_si512(dst + i, _mm512_slli_epi32(w, 16));
    }
    widen_scalar(src + i, dst + i, count - i);
}

int ck_bf16_kernels_use_avx512(void) { return ck_cpu_has_avx512(0); }
#else
int ck_bf16_kernels_use_avx512(void) { return 0; }
#endif

void ck_bf16_round_f32(const float *src, uint16_t *dst, size_t count) {
#ifdef HAVE_AVX512_PATH
    if (ck_bf16_kernels_use_avx512()) { round_avx512(src, dst, count); return; }
#endif
    round_scalar(src, dst, count);
}

void ck_bf16_widen_to_f32(const uint16_t *src, float *dst, size_t count) {
#ifdef HAVE_AVX512_PATH
    if (ck_bf16_kernels_use_avx512()) { widen_avx512(src, dst, count); return; }
#endif
    widen_scalar(src, dst, count);
}
