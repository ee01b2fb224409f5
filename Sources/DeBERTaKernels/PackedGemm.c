// Matrix products against a constant weight packed once into column panels (inference linear layers).
//
// C[m, n] = A[m, k] · Wᵀ (+ bias), W [n, k] row-major as PyTorch stores linear weights. W is packed
// into panels of 64 output columns, each panel k rows of 64 floats (zero-padded past n), so the
// micro-kernel streams it with aligned loads. A is read in place: the micro-kernel keeps a 6 × 64
// tile of C in 24 zmm registers and broadcasts one element of each of its 6 rows per step of k.
// Blocking: KC = 768 steps of k per pass (a 192 KiB panel slice in L2, the tile's 18 KiB of A
// in L1), MC = 384 rows of A per block (1.2 MiB, so the rows stay in the 2 MiB L2 while the panels
// pass). Packing W once is what gains on OpenBLAS's sgemm, which packs both operands on every call;
// A is not packed, as packing it gained nothing. The next panel slice is prefetched into L2 during
// the current one. The measurements behind these choices, and the alternatives tried: BENCHMARKS.md,
// "Packed weights".
#include "DeBERTaKernels.h"
#include "CPUFeatures.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { PANEL = 64, MR = 6, KC = 768, MC = 384 };

size_t ck_sgemm_packed_size(int n, int k) { return (size_t)((n + PANEL - 1) / PANEL) * PANEL * (size_t)k; }

int ck_sgemm_packed_panel_width(void) { return PANEL; }

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
// Transposes 16 × 16 blocks of a full panel's 64 rows of W (row c: w[c·ldw ...]) into dst[kk·64 + c]
// for kk below a multiple of 16; returns that multiple (the scalar loop does the rest).
__attribute__((target("avx512f")))
static int transpose_blocks(const float *w, int k, size_t ldw, float *dst) {
    int whole = k / 16 * 16;
    for (int c0 = 0; c0 < PANEL; c0 += 16)
        for (int kk = 0; kk < whole; kk += 16) {
            __m512 r[16], t[16];
            for (int i = 0; i < 16; i++) r[i] = _mm512_loadu_ps(w + (size_t)(c0 + i) * ldw + kk);
            for (int i = 0; i < 16; i += 2) {
                t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
                t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
            }
            for (int i = 0; i < 16; i += 4) {
                r[i] = _mm512_shuffle_ps(t[i], t[i + 2], 0x44);
                r[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], 0xEE);
                r[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0x44);
                r[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
            }
            for (int i = 0; i < 4; i++) {
                t[i] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0x88);
                t[i + 4] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0x88);
                t[i + 8] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0xDD);
                t[i + 12] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0xDD);
            }
            for (int i = 0; i < 4; i++) {
                r[i] = _mm512_shuffle_f32x4(t[i], t[i + 4], 0x88);
                r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 4], 0xDD);
                r[i + 4] = _mm512_shuffle_f32x4(t[i + 8], t[i + 12], 0x88);
                r[i + 12] = _mm512_shuffle_f32x4(t[i + 8], t[i + 12], 0xDD);
            }
            for (int i = 0; i < 16; i++) _mm512_store_ps(dst + (size_t)(kk + i) * PANEL + c0, r[i]);
        }
    return whole;
}
#endif

// W's element (j, kk) is w[j·ldw + kk] (`transposed` 0: W stored [n, k]) or w[kk·ldw + j]
// (`transposed` 1: Wᵀ stored [k, n]).
static void pack_panels(const float *w, int n, int k, size_t ldw, int transposed, float *out) {
    int panels = (n + PANEL - 1) / PANEL;
    for (int p = 0; p < panels; p++) {
        float *dst = out + (size_t)p * k * PANEL;
        int cols = n - p * PANEL < PANEL ? n - p * PANEL : PANEL;
        if (transposed) {
            for (int kk = 0; kk < k; kk++) {
                const float *src = w + (size_t)kk * ldw + (size_t)p * PANEL;
                float *row = dst + (size_t)kk * PANEL;
                memcpy(row, src, sizeof(float) * (size_t)cols);
                if (cols < PANEL) memset(row + cols, 0, sizeof(float) * (size_t)(PANEL - cols));
            }
        } else {
            int kk0 = 0;
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
            if (cols == PANEL && ck_cpu_has_avx512(0)) kk0 = transpose_blocks(w + (size_t)p * PANEL * ldw, k, ldw, dst);
#endif
            for (int c = 0; c < PANEL; c++) {
                const float *src = w + (size_t)(p * PANEL + c) * ldw;
                for (int kk = kk0; kk < k; kk++) dst[(size_t)kk * PANEL + c] = c < cols ? src[kk] : 0;
            }
        }
    }
}

void ck_sgemm_pack(const float *w, int n, int k, float *out) { pack_panels(w, n, k, (size_t)k, 0, out); }

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include "VectorMath.h"

int ck_sgemm_packed_available(void) { return ck_cpu_has_avx512(0); }

// One mr × 64 tile: acc = rows of A (stride lda) · panel over kc; then + bias (first k block) or
// + C (later blocks); masked stores leave columns past `cols` untouched. Each step of k also
// prefetches one line of `pf` (`pf_lines` lines, then the first again) into L2.
__attribute__((target("avx512f"), always_inline))
static inline void tile(const int mr, int kc, const float *a, size_t lda, const float *b, float *c, int ldc,
                        float alpha, const float *add, int add_rows, const float *res, int cols, int gelu,
                        const char *pf, int pf_lines) {
    __m512 acc[MR][4];
    for (int i = 0; i < mr; i++)
        for (int v = 0; v < 4; v++) acc[i][v] = _mm512_setzero_ps();
    for (int kk = 0; kk < kc; kk++) {
        _mm_prefetch(pf + 64 * (kk < pf_lines ? kk : 0), _MM_HINT_T1);
        __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16), b2 = _mm512_load_ps(b + 32), b3 = _mm512_load_ps(b + 48);
        for (int i = 0; i < mr; i++) {
            __m512 x = _mm512_set1_ps(a[(size_t)i * lda]);
            acc[i][0] = _mm512_fmadd_ps(x, b0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(x, b1, acc[i][1]);
            acc[i][2] = _mm512_fmadd_ps(x, b2, acc[i][2]);
            acc[i][3] = _mm512_fmadd_ps(x, b3, acc[i][3]);
        }
        a += 1;
        b += PANEL;
    }
    __mmask16 mask[4];
    for (int v = 0; v < 4; v++) mask[v] = tail_mask(cols - 16 * v);
    const __m512 scale = _mm512_set1_ps(alpha);
    for (int i = 0; i < mr; i++) {
        float *ci = c + (size_t)i * ldc;
        const float *ai = add ? (add_rows ? add + (size_t)i * ldc : add) : 0;
        for (int v = 0; v < 4; v++) {
            __m512 x = alpha == 1.0f ? acc[i][v] : _mm512_mul_ps(acc[i][v], scale);
            if (ai) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(mask[v], ai + 16 * v));
            if (res) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(mask[v], res + (size_t)i * ldc + 16 * v));
            if (gelu) x = gelu_ps(x);
            _mm512_mask_storeu_ps(ci + 16 * v, mask[v], x);
        }
    }
}

__attribute__((target("avx512f")))
static void tile_rows(int mr, int kc, const float *a, size_t lda, const float *b, float *c, int ldc,
                      float alpha, const float *add, int add_rows, const float *res, int cols, int gelu,
                      const char *pf, int pf_lines) {
    switch (mr) {
    case 6: tile(6, kc, a, lda, b, c, ldc, alpha, add, add_rows, res, cols, gelu, pf, pf_lines); break;
    case 5: tile(5, kc, a, lda, b, c, ldc, alpha, add, add_rows, res, cols, gelu, pf, pf_lines); break;
    case 4: tile(4, kc, a, lda, b, c, ldc, alpha, add, add_rows, res, cols, gelu, pf, pf_lines); break;
    case 3: tile(3, kc, a, lda, b, c, ldc, alpha, add, add_rows, res, cols, gelu, pf, pf_lines); break;
    case 2: tile(2, kc, a, lda, b, c, ldc, alpha, add, add_rows, res, cols, gelu, pf, pf_lines); break;
    default: tile(1, kc, a, lda, b, c, ldc, alpha, add, add_rows, res, cols, gelu, pf, pf_lines); break;
    }
}

// The blocked loops of ck_sgemm_packed, with `alpha` scaling the product (not the bias) and GELU
// applied as the last k block is stored when `gelu` is set.
__attribute__((target("avx512f")))
static void packed_product(int n, int k, float alpha, const float *a, int lda, const float *packed, const float *bias,
                           const float *residual, float *c, int ldc, int row0, int row1, int col0, int col1, int gelu) {
    if (k <= 0) {
        for (int r = row0; r < row1; r++)
            for (int j = col0; j < col1; j++) {
                float v = (bias ? bias[j] : 0) + (residual ? residual[(size_t)r * ldc + j] : 0);
                c[(size_t)r * ldc + j] = gelu ? 0.5f * v * (1.0f + erff(v * 0.70710678118654752f)) : v;
            }
        return;
    }
    int p0 = col0 / PANEL, p1 = (col1 + PANEL - 1) / PANEL;
    for (int ic = row0; ic < row1; ic += MC) {
        int mc = row1 - ic < MC ? row1 - ic : MC;
        for (int pc = 0; pc < k; pc += KC) {
            int kc = k - pc < KC ? k - pc : KC;
            for (int p = p0; p < p1; p++) {
                int cols = (p + 1) * PANEL > n ? n - p * PANEL : PANEL;
                const float *b = packed + (size_t)p * k * PANEL + (size_t)pc * PANEL;
                // The panel slice of the next pass, fetched into L2 a share per tile while this one
                // runs: the hardware prefetchers stop at every 4 KiB page, and with few rows a
                // slice is used by only a few tiles, so the first would wait on memory (see
                // BENCHMARKS.md, "Packed weights").
                const float *next = p + 1 < p1 ? b + (size_t)k * PANEL
                                  : pc + KC < k ? packed + (size_t)p0 * k * PANEL + (size_t)(pc + KC) * PANEL : 0;
                int next_kc = p + 1 < p1 ? kc : (k - pc - KC < KC ? k - pc - KC : KC);
                int lines = next ? next_kc * PANEL * (int)sizeof(float) / 64 : 0;
                int tiles = (mc + MR - 1) / MR, share = (lines + tiles - 1) / tiles;
                for (int i = 0; i < mc; i += MR) {
                    int mr = mc - i < MR ? mc - i : MR;
                    int first = i / MR * share, pf_lines = lines - first < share ? lines - first : share;
                    const char *pf = pf_lines > 0 ? (const char *)next + 64 * (size_t)first : (const char *)b;
                    if (pf_lines < 1) pf_lines = 1;
                    float *ct = c + (size_t)(ic + i) * ldc + p * PANEL;
                    const float *add = pc > 0 ? ct : bias ? bias + p * PANEL : 0;
                    const float *res = pc == 0 && residual ? residual + (size_t)(ic + i) * ldc + p * PANEL : 0;
                    tile_rows(mr, kc, a + (size_t)(ic + i) * lda + pc, (size_t)lda, b, ct, ldc, alpha, add, pc > 0, res, cols,
                              gelu && pc + kc == k, pf, pf_lines);
                }
            }
        }
    }
}

int ck_sgemm_packed(int n, int k, const float *a, int lda, const float *packed, const float *bias,
                    const float *residual, float *c, int ldc, int row0, int row1, int col0, int col1, int gelu) {
    if (!ck_sgemm_packed_available()) return 0;
    packed_product(n, k, 1.0f, a, lda, packed, bias, residual, c, ldc, row0, row1, col0, col1, gelu);
    return 1;
}

// Per-thread panel buffer of ck_sgemm_small, grown as needed and kept for the thread's lifetime.
static __thread float *small_panels;
static __thread size_t small_capacity;

int ck_sgemm_small(int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb, int trans_b,
                   float *c, int ldc) {
    if (!ck_sgemm_packed_available()) return 0;
    size_t need = ck_sgemm_packed_size(n, k);
    if (need > small_capacity) {
        float *grown = 0;
        if (posix_memalign((void **)&grown, 64, sizeof(float) * need) != 0) return 0;
        free(small_panels);
        small_panels = grown;
        small_capacity = need;
    }
    pack_panels(b, n, k, (size_t)ldb, !trans_b, small_panels);
    packed_product(n, k, alpha, a, lda, small_panels, 0, 0, c, ldc, 0, m, 0, n, 0);
    return 1;
}
#else
int ck_sgemm_packed_available(void) { return 0; }

int ck_sgemm_packed(int n, int k, const float *a, int lda, const float *packed, const float *bias,
                    const float *residual, float *c, int ldc, int row0, int row1, int col0, int col1, int gelu) {
    (void)n; (void)gelu; (void)residual; (void)k; (void)a; (void)lda; (void)packed; (void)bias; (void)c; (void)ldc;
    (void)row0; (void)row1; (void)col0; (void)col1;
    return 0;
}

int ck_sgemm_small(int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb, int trans_b,
                   float *c, int ldc) {
    (void)m; (void)n; (void)k; (void)alpha; (void)a; (void)lda; (void)b; (void)ldb; (void)trans_b; (void)c; (void)ldc;
    return 0;
}
#endif
