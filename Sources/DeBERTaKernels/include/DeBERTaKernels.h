// Small C kernels of the tensor core that need AVX-512 intrinsics, each with a portable fallback
// chosen at run time (no build flags).
#ifndef C_KERNELS_H
#define C_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Rounds `count` float32 values to bfloat16 bit patterns: round to nearest, ties to even;
/// subnormals are kept (not flushed), ±infinity stays infinite, values that round past the
/// largest bfloat16 become infinite, and every NaN stays a NaN (made quiet, sign kept).
/// Uses AVX-512 when the CPU has it.
void ck_bf16_round_f32(const float *src, uint16_t *dst, size_t count);

/// Widens `count` bfloat16 bit patterns to float32 (exact).
void ck_bf16_widen_to_f32(const uint16_t *src, float *dst, size_t count);

/// 1 when the AVX-512 conversion kernels are in use on this CPU, else 0.
int ck_bf16_kernels_use_avx512(void);

/// Exact-form GELU, `x · Φ(x) = 0.5 · x · (1 + erf(x / √2))`, over `count` values. The AVX-512
/// path evaluates erf with its Maclaurin series below 1 and a fitted erfc form above (absolute
/// error ≈ 2e-8) and a polynomial exp; other CPUs use libm's erff.
void ck_gelu_forward(const float *x, float *y, size_t count);

/// GELU's vector-Jacobian product: `dx = g · (Φ(x) + x · φ(x))`.
void ck_gelu_backward(const float *x, const float *g, float *dx, size_t count);

/// The per-step constants of an Adam update (see ck_adamw_update / ck_xadam_update).
typedef struct {
    float inv_scale;             ///< 1 / gradient scale (loss scale × clipping)
    float beta1, one_minus_beta1, beta2, one_minus_beta2, eps;
    float decay;                 ///< AdamW: 1 − lr · weight decay
    float step_size;             ///< AdamW: lr / (1 − β1^t)
    float bias_correction2_sqrt; ///< AdamW: √(1 − β2^t)
    float weight_decay, lr;      ///< XAdam
} ck_adam_constants;

/// torch.optim.AdamW over `count` elements: θ ← θ·decay; m ← m + (g − m)(1 − β1);
/// v ← v·β2 + (1 − β2)·g²; θ ← θ − step·m / (√v / √(1 − β2^t) + ε), with g = grad · inv_scale.
void ck_adamw_update(float *theta, float *m, float *v, const float *grad, size_t count, const ck_adam_constants *c);

/// The original DeBERTa XAdam (no bias correction, decoupled decay inside the update):
/// m ← m·β1 + (1 − β1)·g; v ← v·β2 + (1 − β2)·g²; θ ← θ − lr·(m / (√v + ε) + wd·θ).
void ck_xadam_update(float *theta, float *m, float *v, const float *grad, size_t count, const ck_adam_constants *c);

/// Inverted dropout of `count` values whose stream indices start at `first`: element i is dropped
/// (0) when the top 24 bits of SplitMix64(key ^ (first + i)·0xD1B54A32D192ED03) are below
/// `threshold` (= ⌈p·2^24⌉, the same test as uniform < p), else scaled by `scale`.
void ck_dropout(const float *src, float *dst, size_t count, uint64_t key, uint64_t first, uint64_t threshold, float scale);

/// Floats needed for a `[n, k]` weight packed by ck_sgemm_pack (n rounded up to whole panels).
size_t ck_sgemm_packed_size(int n, int k);

/// Output columns per packed panel (64).
int ck_sgemm_packed_panel_width(void);

/// Packs a row-major `[n, k]` weight (PyTorch's `[out, in]`) into column panels for
/// ck_sgemm_packed; `out` holds ck_sgemm_packed_size(n, k) floats, 64-byte aligned.
void ck_sgemm_pack(const float *w, int n, int k, float *out);

/// 1 when ck_sgemm_packed runs on this CPU (AVX-512), else 0.
int ck_sgemm_packed_available(void);

/// `C[r, j] = Σ_k A[r, k] · W[j, k] (+ bias[j]) (+ residual[r, j])` for rows `row0 ..< row1` and
/// columns `col0 ..< col1` (whole panels: `col0` a multiple of the panel width, `col1` one too or
/// `n`), with the `[n, k]` weight W packed by ck_sgemm_pack and `residual` (may be NULL) sharing C's
/// row stride; with `gelu` non-zero, exact GELU is applied to each result as it is stored. Returns
/// 0, writing nothing, when the CPU lacks AVX-512.
int ck_sgemm_packed(int n, int k, const float *a, int lda, const float *packed, const float *bias,
                    const float *residual, float *c, int ldc, int row0, int row1, int col0, int col1, int gelu);

/// Softmax of `x[0 ..< n]` over the keys whose `keys[j]` is non-zero; masked keys get 0, and a
/// row with no key gets 1/n everywhere (all its scores equal the mask's fill value). AVX-512 with a
/// polynomial exp when the CPU has it, else libm.
void ck_masked_softmax_row(const float *x, const float *keys, float *y, size_t n);

/// The vector-Jacobian product of ck_masked_softmax_row: `dx = y · (g − Σ_keys g·y)` at keys, 0 elsewhere.
void ck_masked_softmax_backward_row(const float *y, const float *g, const float *keys, float *dx, size_t n);

/// One (batch, head) block of disentangled attention scores: `out[i, j] = content[i, j]
/// + c2p[i, index[i, j]] + p2c[j, index[i, j]]` for `i < m`, `j < n`, with `c2p` `[m, s]` and
/// `p2c` `[n, s]` (either may be NULL) and `index` `[m, n]` holding values in `[0, s)`. `out` may
/// be `content`.
void ck_relative_scores(const float *content, const float *c2p, const float *p2c, const int32_t *index,
                        float *out, size_t m, size_t n, size_t s);

/// `C = alpha · A · op(B)` for one small product (an attention head) on the calling thread: A
/// `[m, k]` (row stride lda), op(B) `[k, n]` given as B `[n, k]` (`trans_b` 1, like `x · Wᵀ`) or as
/// B `[k, n]` (`trans_b` 0), row stride ldb. B is packed into a per-thread buffer first. Returns
/// 0, writing nothing, without AVX-512 or when the buffer cannot grow.
int ck_sgemm_small(int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb, int trans_b,
                   float *c, int ldc);

/// Layer normalisation of one row of `n` values: `y = (x − mean) / sqrt(var + eps) · gamma + beta`
/// with the population variance; the normalised values go to `xhat` too unless it is NULL.
/// Returns `1 / sqrt(var + eps)`.
float ck_layer_norm_row(const float *x, const float *gamma, const float *beta, size_t n, float eps, float *y, float *xhat);

/// One task of a ck_pool_run loop: runs task `index` with the caller's context.
typedef void (*ck_pool_task)(void *ctx, int index);

/// Runs tasks 0 ..< count on up to `threads` threads (the caller and pool workers, started on first
/// use and kept) and returns when all have finished. Idle workers spin for a set time (200 µs) before sleeping
/// (not at all with more pool threads than processors), so back-to-back loops start without a
/// thread wake-up. Runs the tasks inline, in order, when `threads` ≤ 1, `count` > 65 535, from
/// inside a task, or while another thread's loop is running.
void ck_pool_run(int count, int threads, ck_pool_task fn, void *ctx);

/// Tells idle pool workers to sleep now instead of spinning (before another thread pool, such as
/// oneDNN's, takes the cores).
void ck_pool_park(void);

/// Largest k for which ck_qgemm's int32 sums are exact: |Σ_k (q − zp) · w| ≤ k · 255 · 127 < 2^31.
#define CK_QGEMM_MAX_K 66311

/// A `[n, k]` weight quantized and packed by ck_qgemm_pack: int8 per output channel, symmetric.
typedef struct {
    int n, k;                ///< output and input features
    const int8_t *panels;    ///< ck_qgemm_packed_size(n, k) bytes, 64-byte aligned
    const float *scale;      ///< [n] per-column scales (max |W[j, ·]| / 127)
    const int32_t *col_sum;  ///< [n] Σ_k of each column's int8 values
} ck_qweight;

/// Rows of activations quantized by ck_qgemm_quantize_rows: u8 with a zero point per row.
typedef struct {
    const uint8_t *q;            ///< rows of ck_qgemm_row_stride(k) bytes or more (stride `ld`)
    int ld;
    const float *scale;          ///< [rows] per-row scales (may be NULL for int32 results)
    const int32_t *zero_point;   ///< [rows] per-row zero points (NULL: all 0)
} ck_qrows;

/// Bytes of a `[n, k]` weight packed by ck_qgemm_pack: panels of 64 output columns, each
/// ⌈k/4⌉ groups of 64 lanes × 4 consecutive k (the operand layout of `vpdpbusd`).
size_t ck_qgemm_packed_size(int n, int k);

/// The smallest row stride of quantized activations for `k` inputs (k rounded up to 4).
int ck_qgemm_row_stride(int k);

/// Quantizes the row-major `[n, k]` weight `w` per output channel, symmetric: `scale[j]` =
/// max|W[j, ·]| / 127 (1 for an all-zero row), q = round(W / scale) in [−127, 127], packed into
/// `panels` (zero-padded); `col_sum[j]` = Σ_k q[j, k].
void ck_qgemm_pack(const float *w, int n, int k, int8_t *panels, float *scale, int32_t *col_sum);

/// Quantizes `rows` rows of `x` (stride `ldx`) to u8, asymmetric per row over [min(x, 0),
/// max(x, 0)]: `scale[r]` = range / 255 (1 for an all-zero row), `zero_point[r]` = round(−min /
/// scale), q = clamp(round(x / scale) + zp, 0, 255), so x ≈ (q − zp) · scale. Writes
/// ck_qgemm_row_stride(k) bytes per row (stride `ldq`), the padding 0.
void ck_qgemm_quantize_rows(const float *x, int rows, int k, int ldx, uint8_t *q, int ldq, float *scale, int32_t *zero_point);

/// 1 when this CPU runs the AVX-512 VNNI kernel, else 0.
int ck_qgemm_vnni_available(void);

/// The quantized product for rows `row0 ..< row1` and columns `col0 ..< col1` (`col0` a multiple
/// of 64): with `c_int` non-NULL, the exact `c_int[r, j] = Σ_k (q[r, k] − zp[r]) · W[j, k]`
/// (c, bias, residual and gelu unused); else `c[r, j] = that · scale[r] · w->scale[j]
/// (+ bias[j]) (+ residual[r, j])`, through exact GELU with `gelu`. C and residual have row
/// stride `ldc`. With `vnni` non-zero the AVX-512 VNNI kernel runs when the CPU has it, else the
/// portable loop (the same integers). Returns 1 (VNNI ran), 0 (portable), or −1, writing nothing,
/// when k > CK_QGEMM_MAX_K.
int ck_qgemm(const ck_qweight *w, const ck_qrows *a, const float *bias, const float *residual, float *c, int32_t *c_int,
             int ldc, int row0, int row1, int col0, int col1, int gelu, int vnni);

/// `repeats` × 96 register-only `vpdpbusd` on 24 independent accumulators (each 16 × 4 u8·s8
/// products): the instruction's throughput ceiling, for benchmarks. 0 without VNNI.
int32_t ck_qgemm_vnni_peak_loop(long repeats);

#endif
