// The c2p / p2c gathers of disentangled attention added to the content scores, one (batch, head)
// block at a time: AVX-512 gathers, or scalar.
#include "DeBERTaKernels.h"
#include "CPUFeatures.h"

// Keys in blocks of 64: p2c is read down its rows (row j, column index[i, j]), so a block keeps
// the 64 rows it touches in L1 while the queries pass over them.
enum { KEY_BLOCK = 64 };

static void relative_scores_scalar(const float *content, const float *c2p, const float *p2c, const int32_t *index,
                                   float *out, size_t m, size_t n, size_t s) {
    for (size_t jb = 0; jb < n; jb += KEY_BLOCK) {
        size_t je = jb + KEY_BLOCK < n ? jb + KEY_BLOCK : n;
        for (size_t i = 0; i < m; i++) {
            const int32_t *ix = index + i * n;
            for (size_t j = jb; j < je; j++) {
                float v = content[i * n + j];
                if (c2p) v += c2p[i * s + (size_t)ix[j]];
                if (p2c) v += p2c[j * s + (size_t)ix[j]];
                out[i * n + j] = v;
            }
        }
    }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include "VectorMath.h"

__attribute__((target("avx512f")))
static void relative_scores_avx512(const float *content, const float *c2p, const float *p2c, const int32_t *index,
                                   float *out, size_t m, size_t n, size_t s) {
    const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i stride = _mm512_set1_epi32((int)s);
    for (size_t jb = 0; jb < n; jb += KEY_BLOCK) {
        size_t je = jb + KEY_BLOCK < n ? jb + KEY_BLOCK : n;
        for (size_t i = 0; i < m; i++) {
            const int32_t *ix = index + i * n;
            for (size_t j = jb; j < je; j += 16) {
                __mmask16 t = tail_mask((ptrdiff_t)(je - j));
                __m512 v = _mm512_maskz_loadu_ps(t, content + i * n + j);
                __m512i col = _mm512_maskz_loadu_epi32(t, ix + j);
                if (c2p) v = _mm512_add_ps(v, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), t, col, c2p + i * s, 4));
                if (p2c) {
                    __m512i rows = _mm512_add_epi32(_mm512_set1_epi32((int)j), lanes);
                    __m512i at = _mm512_add_epi32(_mm512_mullo_epi32(rows, stride), col);
                    v = _mm512_add_ps(v, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), t, at, p2c, 4));
                }
                _mm512_mask_storeu_ps(out + i * n + j, t, v);
            }
        }
    }
}

void ck_relative_scores(const float *content, const float *c2p, const float *p2c, const int32_t *index,
                        float *out, size_t m, size_t n, size_t s) {
    if (ck_cpu_has_avx512(0) && n * s < ((size_t)1 << 31)) relative_scores_avx512(content, c2p, p2c, index, out, m, n, s);
    else relative_scores_scalar(content, c2p, p2c, index, out, m, n, s);
}
#else
void ck_relative_scores(const float *content, const float *c2p, const float *p2c, const int32_t *index,
                        float *out, size_t m, size_t n, size_t s) {
    relative_scores_scalar(content, c2p, p2c, index, out, m, n, s);
}
#endif
