// The front end's per-frame element-wise loops in 16-float vector code (frame_kernels.h).
// No multiply–add may be fused: contraction is off.
#pragma STDC FP_CONTRACT OFF
#include "frame_kernels.h"
#include "cpu_features.h"

typedef float v16f __attribute__((vector_size(64)));
typedef int v16i __attribute__((vector_size(64)));

#define ALWAYS_INLINE static inline __attribute__((always_inline))

// Unaligned 16-float loads and stores (macros: a vector-typed function argument or result would
// draw an ABI warning in the baseline build, though everything here is inlined).
typedef float v16f_unaligned __attribute__((vector_size(64), aligned(4)));
#define load16(p) (*(const v16f_unaligned *)(p))
#define store16(p, v) (*(v16f_unaligned *)(p) = (v))

ALWAYS_INLINE void multiply(const float *a, const float *b, float *out, long n) {
    long i = 0;
    for (; i + 16 <= n; i += 16) store16(out + i, load16(a + i) * load16(b + i));
    for (; i < n; i++) out[i] = a[i] * b[i];
}

ALWAYS_INLINE void power_spectrum(const float *spectrum, float *power, long bins) {
    long k = 0;
    for (; k + 16 <= bins; k += 16) {
        const v16f lo = load16(spectrum + 2 * k), hi = load16(spectrum + 2 * k + 16);
        const v16f re = __builtin_shufflevector(lo, hi, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        const v16f im = __builtin_shufflevector(lo, hi, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
        const v16f rr = re * re, ii = im * im;
        store16(power + k, rr + ii);
    }
    for (; k < bins; k++) {
        const float re = spectrum[2 * k], im = spectrum[2 * k + 1];
        const float rr = re * re, ii = im * im;
        power[k] = rr + ii;
    }
}

typedef float v8f __attribute__((vector_size(32)));
typedef int v8i __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));
typedef int v4i __attribute__((vector_size(16)));

// Lane-wise larger of two vectors, by a comparison and a bitwise blend.
#define VMAX(T, I, a, b) ({ const I g_ = (a) > (b); (T)(((I)(a) & g_) | ((I)(b) & ~g_)); })

ALWAYS_INLINE long index_of_maximum(const float *x, long n) {
    // The largest value (for finite values the order of comparisons does not matter, and an
    // element seen twice changes nothing: the last vector overlaps the one before), then the first
    // element equal to it.
    float m = x[0];
    if (n >= 16) {
        v16f acc = load16(x);
        for (long i = 16; i + 16 <= n; i += 16) acc = VMAX(v16f, v16i, load16(x + i), acc);
        acc = VMAX(v16f, v16i, load16(x + n - 16), acc);
        // Halving, 16 → 1 lanes.
        const v8f h8 = VMAX(v8f, v8i, __builtin_shufflevector(acc, acc, 0, 1, 2, 3, 4, 5, 6, 7),
                            __builtin_shufflevector(acc, acc, 8, 9, 10, 11, 12, 13, 14, 15));
        const v4f h4 = VMAX(v4f, v4i, __builtin_shufflevector(h8, h8, 0, 1, 2, 3), __builtin_shufflevector(h8, h8, 4, 5, 6, 7));
        const float h2a = h4[0] > h4[2] ? h4[0] : h4[2], h2b = h4[1] > h4[3] ? h4[1] : h4[3];
        m = h2a > h2b ? h2a : h2b;
    } else {
        for (long i = 1; i < n; i++) m = x[i] > m ? x[i] : m;
    }
    long i = 0;
    if (n >= 16) {
        const v16f target = {m, m, m, m, m, m, m, m, m, m, m, m, m, m, m, m};
        for (; i + 16 <= n; i += 16) {
            if (__builtin_reduce_or(load16(x + i) == target)) break;
        }
    }
    while (i < n - 1 && x[i] != m) i++;
    return i;
}

void voiceqa_multiply_baseline(const float *a, const float *b, float *out, long n) { multiply(a, b, out, n); }
void voiceqa_power_spectrum_baseline(const float *spectrum, float *power, long bins) { power_spectrum(spectrum, power, bins); }
long voiceqa_index_of_maximum_baseline(const float *x, long n) { return index_of_maximum(x, n); }

#if defined(__x86_64__)
#define AVX512 __attribute__((target("avx512f,avx512vl")))
AVX512 static void multiply_avx512(const float *a, const float *b, float *out, long n) { multiply(a, b, out, n); }
AVX512 static void power_spectrum_avx512(const float *spectrum, float *power, long bins) { power_spectrum(spectrum, power, bins); }
AVX512 static long index_of_maximum_avx512(const float *x, long n) { return index_of_maximum(x, n); }
#endif

void voiceqa_multiply(const float *a, const float *b, float *out, long n) {
#if defined(__x86_64__)
    if (voiceqa_has_avx512vl()) { multiply_avx512(a, b, out, n); return; }
#endif
    multiply(a, b, out, n);
}

void voiceqa_power_spectrum(const float *spectrum, float *power, long bins) {
#if defined(__x86_64__)
    if (voiceqa_has_avx512vl()) { power_spectrum_avx512(spectrum, power, bins); return; }
#endif
    power_spectrum(spectrum, power, bins);
}

long voiceqa_index_of_maximum(const float *x, long n) {
#if defined(__x86_64__)
    if (voiceqa_has_avx512vl()) return index_of_maximum_avx512(x, n);
#endif
    return index_of_maximum(x, n);
}
