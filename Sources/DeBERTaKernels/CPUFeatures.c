#include "CPUFeatures.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
static int avx512f_state = -1, avx512dq_state = -1;

static int probe(int *state, const int dq) {
    int s = __atomic_load_n(state, __ATOMIC_RELAXED);
    if (s < 0) {
        __builtin_cpu_init();
        s = __builtin_cpu_supports("avx512f") && (!dq || __builtin_cpu_supports("avx512dq")) ? 1 : 0;
        __atomic_store_n(state, s, __ATOMIC_RELAXED);
    }
    return s;
}

int ck_cpu_has_avx512(int need_dq) { return need_dq ? probe(&avx512dq_state, 1) : probe(&avx512f_state, 0); }
#else
int ck_cpu_has_avx512(int need_dq) { (void)need_dq; return 0; }
#endif
