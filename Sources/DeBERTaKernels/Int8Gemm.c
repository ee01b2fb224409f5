// Dynamically quantized matrix products: int8 weights × u8 activations, int32 accumulation.
//
// C[r, j] ≈ Σ_k x[r, k] · W[j, k] with W quantized once per output channel (symmetric int8,
// scale = max|W[j, ·]| / 127) and each row of x quantized per call to u8 with a zero point
// (asymmetric, over [min(x, 0), max(x, 0)]). `vpdpbusd` multiplies u8 by s8, so the zero point
// is taken out afterwards: Σ_k (q_k − zp) · w_k = Σ_k q_k · w_k − zp · Σ_k w_k, the column sums
// Σ_k w_k precomputed at packing.
//
// Packing: panels of 64 output columns; within a panel, group g (k = 4g ..< 4g + 4, k padded with
// zero weights to a multiple of 4) is 64 lanes of 4 bytes, lane c holding W[64p + c, 4g ..< 4g + 4],
// i.e. four zmm registers of 16 columns each, the operand layout of `vpdpbusd`. The VNNI
// micro-kernel keeps a 6 × 64 int32 tile in 24 zmm registers and broadcasts 4 bytes of each row
// per group, like the fp32 kernel (PackedGemm.c) broadcasts one float per step of k.
//
// Range: `vpdpbusd` adds its four u8·s8 products (each |·| ≤ 255 · 127) into the int32 lane
// exactly, without an intermediate 16-bit saturation (the trap of `vpmaddubsw`), but the int32
// accumulator itself wraps. All arithmetic here is modulo 2^32 (the portable loop uses uint32), so
// the corrected result is exact whenever it fits int32, which |Σ (q − zp) · w| ≤ k · 255 · 127
// guarantees for k ≤ CK_QGEMM_MAX_K = 66 311.
#include "DeBERTaKernels.h"
#include "CPUFeatures.h"
#include <math.h>
#include <string.h>

enum { PANEL = 64, MR = 6, MC = 256 };

static int groups_of(int k) { return (k + 3) / 4; }

size_t ck_qgemm_packed_size(int n, int k) { return (size_t)((n + PANEL - 1) / PANEL) * PANEL * (size_t)groups_of(k) * 4; }

int ck_qgemm_row_stride(int k) { return groups_of(k) * 4; }

void ck_qgemm_pack(const float *w, int n, int k, int8_t *panels, float *scale, int32_t *col_sum) {
    int groups = groups_of(k);
    memset(panels, 0, ck_qgemm_packed_size(n, k));
    for (int j = 0; j < n; j++) {
        const float *row = w + (size_t)j * k;
        float top = 0;
        for (int kk = 0; kk < k; kk++) top = fmaxf(top, fabsf(row[kk]));
        float s = top > 0 ? top / 127.0f : 1.0f;  // an all-zero channel quantizes to zeros with any scale
        int32_t sum = 0;
        int8_t *lane = panels + ((size_t)(j / PANEL) * groups * PANEL + j % PANEL) * 4;
        for (int kk = 0; kk < k; kk++) {
            long q = lrintf(row[kk] / s);
            q = q > 127 ? 127 : q < -127 ? -127 : q;
            lane[(size_t)(kk / 4) * PANEL * 4 + kk % 4] = (int8_t)q;
            sum += (int32_t)q;
        }
        scale[j] = s;
        col_sum[j] = sum;
    }
}

// One row's scale and zero point over [min(x, 0), max(x, 0)], given its min and max: the range
// includes 0 so that zero (padding, GELU's floor) is represented exactly.
static void row_range(float lo, float hi, float *scale, int32_t *zero_point) {
    float s = hi > lo ? (hi - lo) / 255.0f : 1.0f;
    long zp = lrintf(-lo / s);
    *scale = s;
    *zero_point = (int32_t)(zp < 0 ? 0 : zp > 255 ? 255 : zp);
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
// The AVX-512 form of one row of ck_qgemm_quantize_rows, with the same IEEE division and
// round-to-nearest-even conversion, so the same bytes (quantizing in scalar cost a tenth of a
// 768-wide product).
__attribute__((target("avx512f")))
static void quantize_row_avx512(const float *row, int k, uint8_t *out, float *scale, int32_t *zero_point) {
    __m512 lo = _mm512_setzero_ps(), hi = lo;
    for (int kk = 0; kk < k; kk += 16) {
        __m512 v = _mm512_maskz_loadu_ps(k - kk >= 16 ? 0xFFFF : (__mmask16)((1u << (k - kk)) - 1), row + kk);
        lo = _mm512_min_ps(lo, v);
        hi = _mm512_max_ps(hi, v);
    }
    row_range(_mm512_reduce_min_ps(lo), _mm512_reduce_max_ps(hi), scale, zero_point);
    const __m512 s = _mm512_set1_ps(*scale);
    const __m512i zp = _mm512_set1_epi32(*zero_point), top = _mm512_set1_epi32(255);
    for (int kk = 0; kk < k; kk += 16) {
        __mmask16 m = k - kk >= 16 ? 0xFFFF : (__mmask16)((1u << (k - kk)) - 1);
        __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_div_ps(_mm512_maskz_loadu_ps(m, row + kk), s)), zp);
        q = _mm512_min_epi32(_mm512_max_epi32(q, _mm512_setzero_si512()), top);
        _mm512_mask_cvtepi32_storeu_epi8(out + kk, m, q);
    }
}
#endif

void ck_qgemm_quantize_rows(const float *x, int rows, int k, int ldx, uint8_t *q, int ldq, float *scale, int32_t *zero_point) {
    for (int r = 0; r < rows; r++) {
        const float *row = x + (size_t)r * ldx;
        uint8_t *out = q + (size_t)r * ldq;
        for (int kk = k; kk < groups_of(k) * 4; kk++) out[kk] = 0;  // meets zero weights
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
        if (ck_cpu_has_avx512(0)) { quantize_row_avx512(row, k, out, scale + r, zero_point + r); continue; }
#endif
        float lo = 0, hi = 0;
        for (int kk = 0; kk < k; kk++) { lo = fminf(lo, row[kk]); hi = fmaxf(hi, row[kk]); }
        row_range(lo, hi, scale + r, zero_point + r);
        for (int kk = 0; kk < k; kk++) {
            long v = lrintf(row[kk] / scale[r]) + zero_point[r];
            out[kk] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
}

// One result of the epilogue: the zero point's share removed, then dequantized (+ bias, residual, GELU).
static float dequantize(int32_t acc, int32_t zp, int32_t col_sum, float row_scale, float col_scale, const float *bias,
                        const float *res, int j, int gelu, int32_t *exact) {
    int32_t v = (int32_t)((uint32_t)acc - (uint32_t)zp * (uint32_t)col_sum);
    *exact = v;
    float y = (float)v * (row_scale * col_scale);
    if (bias) y += bias[j];
    if (res) y += res[j];
    return gelu ? 0.5f * y * (1.0f + erff(y * 0.70710678118654752f)) : y;
}

// The portable loop: the same packed layout and the same modulo-2^32 sums as the VNNI kernel.
static void product_portable(const ck_qweight *w, const ck_qrows *a, const float *bias, const float *residual, float *c,
                             int32_t *c_int, int ldc, int row0, int row1, int col0, int col1, int gelu) {
    int groups = groups_of(w->k);
    for (int r = row0; r < row1; r++) {
        const uint8_t *x = a->q + (size_t)r * a->ld;
        for (int j = col0; j < col1; j++) {
            const int8_t *lane = w->panels + ((size_t)(j / PANEL) * groups * PANEL + j % PANEL) * 4;
            uint32_t acc = 0;
            for (int g = 0; g < groups; g++)
                for (int t = 0; t < 4; t++) acc += (uint32_t)((int32_t)x[4 * g + t] * lane[(size_t)g * PANEL * 4 + t]);
            int32_t exact;
            float y = dequantize((int32_t)acc, a->zero_point ? a->zero_point[r] : 0, w->col_sum[j], c_int ? 0 : a->scale[r],
                                 w->scale[j], bias, residual ? residual + (size_t)r * ldc : 0, j, gelu, &exact);
            if (c_int) c_int[(size_t)r * ldc + j] = exact;
            else c[(size_t)r * ldc + j] = y;
        }
    }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include "VectorMath.h"

static int vnni_state = -1;

int ck_qgemm_vnni_available(void) {
    int s = __atomic_load_n(&vnni_state, __ATOMIC_RELAXED);
    if (s < 0) {
        __builtin_cpu_init();
        s = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vnni") ? 1 : 0;
        __atomic_store_n(&vnni_state, s, __ATOMIC_RELAXED);
    }
    return s;
}

// One mr × 64 tile over all groups of k, then the epilogue: − zp · colsum, and either the int32
// result or the dequantized float (+ bias, residual, GELU); masked stores stop at `cols`.
__attribute__((target("avx512f,avx512vnni"), always_inline))
static inline void tile(const int mr, int groups, const uint8_t *a, size_t lda, const int8_t *b, const int32_t *zp,
                        const float *row_scale, const int32_t *col_sum, const float *col_scale, const float *bias,
                        const float *res, float *c, int32_t *c_int, int ldc, int cols, int gelu) {
    __m512i acc[MR][4];
    for (int i = 0; i < mr; i++)
        for (int v = 0; v < 4; v++) acc[i][v] = _mm512_setzero_si512();
    for (int g = 0; g < groups; g++) {
        __m512i b0 = _mm512_load_si512(b), b1 = _mm512_load_si512(b + 64), b2 = _mm512_load_si512(b + 128),
                b3 = _mm512_load_si512(b + 192);
        for (int i = 0; i < mr; i++) {
            int32_t four;
            memcpy(&four, a + (size_t)i * lda + 4 * (size_t)g, 4);
            __m512i x = _mm512_set1_epi32(four);
            acc[i][0] = _mm512_dpbusd_epi32(acc[i][0], x, b0);
            acc[i][1] = _mm512_dpbusd_epi32(acc[i][1], x, b1);
            acc[i][2] = _mm512_dpbusd_epi32(acc[i][2], x, b2);
            acc[i][3] = _mm512_dpbusd_epi32(acc[i][3], x, b3);
        }
        b += PANEL * 4;
    }
    for (int v = 0; v < 4; v++) {
        __mmask16 m = tail_mask(cols - 16 * v);
        __m512i sums = _mm512_maskz_loadu_epi32(m, col_sum + 16 * v);
        __m512 cs = c_int ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(m, col_scale + 16 * v);
        __m512 bv = bias ? _mm512_maskz_loadu_ps(m, bias + 16 * v) : _mm512_setzero_ps();
        for (int i = 0; i < mr; i++) {
            __m512i exact = _mm512_sub_epi32(acc[i][v], _mm512_mullo_epi32(_mm512_set1_epi32(zp ? zp[i] : 0), sums));
            if (c_int) { _mm512_mask_storeu_epi32(c_int + (size_t)i * ldc + 16 * v, m, exact); continue; }
            __m512 y = _mm512_mul_ps(_mm512_cvtepi32_ps(exact), _mm512_mul_ps(_mm512_set1_ps(row_scale[i]), cs));
            if (bias) y = _mm512_add_ps(y, bv);
            if (res) y = _mm512_add_ps(y, _mm512_maskz_loadu_ps(m, res + (size_t)i * ldc + 16 * v));
            if (gelu) y = gelu_ps(y);
            _mm512_mask_storeu_ps(c + (size_t)i * ldc + 16 * v, m, y);
        }
    }
}

// Rows in blocks of MC (their quantized rows stay in L2 while the panels pass), each panel
// (64 × k bytes) reused by every 6-row tile of the block.
__attribute__((target("avx512f,avx512vnni")))
static void product_vnni(const ck_qweight *w, const ck_qrows *a, const float *bias, const float *residual, float *c,
                         int32_t *c_int, int ldc, int row0, int row1, int col0, int col1, int gelu) {
    int groups = groups_of(w->k), p0 = col0 / PANEL, p1 = (col1 + PANEL - 1) / PANEL;
    for (int ic = row0; ic < row1; ic += MC) {
        int mc = row1 - ic < MC ? row1 - ic : MC;
        for (int p = p0; p < p1; p++) {
            int cols = (p + 1) * PANEL > col1 ? col1 - p * PANEL : PANEL;
            const int8_t *b = w->panels + (size_t)p * groups * PANEL * 4;
            for (int i = ic; i < ic + mc; i += MR) {
                int mr = ic + mc - i < MR ? ic + mc - i : MR;
                const uint8_t *x = a->q + (size_t)i * a->ld;
                const int32_t *zp = a->zero_point ? a->zero_point + i : 0;
                const float *rs = c_int ? 0 : a->scale + i;
                const float *res = residual ? residual + (size_t)i * ldc + p * PANEL : 0;
                const float *bp = bias ? bias + p * PANEL : 0;
                float *ct = c_int ? 0 : c + (size_t)i * ldc + p * PANEL;
                int32_t *ci = c_int ? c_int + (size_t)i * ldc + p * PANEL : 0;
                const int32_t *sums = w->col_sum + p * PANEL;
                const float *cs = w->scale + p * PANEL;
                switch (mr) {
                case 6: tile(6, groups, x, a->ld, b, zp, rs, sums, cs, bp, res, ct, ci, ldc, cols, gelu); break;
                case 5: tile(5, groups, x, a->ld, b, zp, rs, sums, cs, bp, res, ct, ci, ldc, cols, gelu); break;
                case 4: tile(4, groups, x, a->ld, b, zp, rs, sums, cs, bp, res, ct, ci, ldc, cols, gelu); break;
                case 3: tile(3, groups, x, a->ld, b, zp, rs, sums, cs, bp, res, ct, ci, ldc, cols, gelu); break;
                case 2: tile(2, groups, x, a->ld, b, zp, rs, sums, cs, bp, res, ct, ci, ldc, cols, gelu); break;
                default: tile(1, groups, x, a->ld, b, zp, rs, sums, cs, bp, res, ct, ci, ldc, cols, gelu); break;
                }
            }
        }
    }
}

// `repeats` × 24 independent chains of 4 `vpdpbusd` (no loads): the instruction's throughput
// ceiling, for comparing the kernel against. Returns a value derived from the sums so the loop stays.
__attribute__((target("avx512f,avx512vnni")))
static int32_t peak_loop(long repeats) {
    __m512i acc[24];
    for (int i = 0; i < 24; i++) acc[i] = _mm512_set1_epi32(i);
    const __m512i x = _mm512_set1_epi32(0x01020304), y = _mm512_set1_epi32(0x01FF0102);
    for (long r = 0; r < repeats; r++)
        for (int u = 0; u < 4; u++)
            for (int i = 0; i < 24; i++) acc[i] = _mm512_dpbusd_epi32(acc[i], x, y);
    __m512i s = acc[0];
    for (int i = 1; i < 24; i++) s = _mm512_add_epi32(s, acc[i]);
    return _mm512_reduce_add_epi32(s);
}

int32_t ck_qgemm_vnni_peak_loop(long repeats) { return ck_qgemm_vnni_available() ? peak_loop(repeats) : 0; }
#else
int ck_qgemm_vnni_available(void) { return 0; }

int32_t ck_qgemm_vnni_peak_loop(long repeats) { (void)repeats; return 0; }
#endif

int ck_qgemm(const ck_qweight *w, const ck_qrows *a, const float *bias, const float *residual, float *c, int32_t *c_int,
             int ldc, int row0, int row1, int col0, int col1, int gelu, int vnni) {
    if (w->k > CK_QGEMM_MAX_K) return -1;
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    if (vnni && ck_qgemm_vnni_available()) {
        product_vnni(w, a, bias, residual, c, c_int, ldc, row0, row1, col0, col1, gelu);
        return 1;
    }
#endif
    (void)vnni;
    product_portable(w, a, bias, residual, c, c_int, ldc, row0, row1, col0, col1, gelu);
    return 0;
}
