// Run-time CPU feature checks shared by the kernels (internal to DeBERTaKernels).
#ifndef CK_CPU_FEATURES_H
#define CK_CPU_FEATURES_H

/// 1 when the CPU runs AVX-512 F (and, with `need_dq`, AVX-512 DQ) kernels, else 0; probed once.
int ck_cpu_has_avx512(int need_dq);

#endif
