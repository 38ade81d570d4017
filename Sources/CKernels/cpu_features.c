// Run-time choice of the kernels' AVX-512 builds (the baseline x86-64 target has no AVX).
#include "cpu_features.h"

#if defined(__x86_64__)
#include <cpuid.h>

// CPUID.1:ECX.OSXSAVE, XCR0 bits 1, 2, 5, 6, 7 (SSE, AVX, opmask, ZMM0–15 upper halves, ZMM16–31;
// Intel SDM vol. 1, 15.2 and 13.3), CPUID.(7,0):EBX bits 16 (AVX512F) and 31 (AVX512VL).
static int detect(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !((c >> 27) & 1)) return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0xE6) != 0xE6) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return ((b >> 16) & 1) && ((b >> 31) & 1);
}

int voiceqa_has_avx512vl(void) {
    // 0 unknown, 1 no, 2 yes; racing first calls store the same value.
    static int known = 0;
    int k = __atomic_load_n(&known, __ATOMIC_RELAXED);
    if (k == 0) {
        k = detect() ? 2 : 1;
        __atomic_store_n(&known, k, __ATOMIC_RELAXED);
    }
    return k == 2;
}
#else
int voiceqa_has_avx512vl(void) { return 0; }
#endif
