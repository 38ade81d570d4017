// The level meter's two-channel loop (ChannelLevelMeter.pairedPass calls it). Each lane runs the
// same IEEE double operations in the same order as the Swift one-channel loop
// (ChannelLevelMeter.recursionsPass), so the results are bit for bit the same:
// - K-weighting, BS.1770-4 Annex 1: the shelf then the RLB high-pass (numerator 1, −2, 1), direct
//   form I, y[n−1]'s term added last;
// - the P.56 envelope, ITU-T P.56 (12/2011) Annex B, process 2: p = g·p + (1 − g)·|x|,
//   q = g·q + (1 − g)·p;
// - the sums of x and x², and of the K-weighted z² for the current 100 ms block.
// No multiply–add may be fused (that would round once instead of twice): contraction is off.
#pragma STDC FP_CONTRACT OFF
#include "level_kernels.h"
#include "cpu_features.h"

typedef double v2d __attribute__((vector_size(16), aligned(16)));
typedef long long v2l __attribute__((vector_size(16), aligned(16)));

#if defined(__SSE2__)
#include <emmintrin.h>
// Nonzero when either lane of the comparison mask is set (one instruction).
#define ANY_LANE(mask) _mm_movemask_pd((__m128d)(mask))
#else
#define ANY_LANE(mask) ((mask)[0] | (mask)[1])
#endif

// One sample of both channels. X1, X2, Y1, Y2, HX1, HX2, HY1, HY2 name the delayed values
// x[n−1], x[n−2], y[n−1], y[n−2] of the shelf and of the high-pass; the new x, y and z are written
// over the n−2 values, so that after the step the variables swap roles (the loop alternates the two
// namings instead of moving every delayed value each sample).
#define STEP(X1, X2, Y1, Y2, HX1, HX2, HY1, HY2)                      \
    {                                                                \
        const v2d x = {(double)a[t], (double)b[t]};                  \
        const v2d ax = (v2d)((v2l)x & magnitude); /* |x| */          \
        t++;                                                         \
        sum = sum + x;                                               \
        s2 = s2 + x * x;                                             \
        v2d y = sb0 * x + sb1 * X1;                                  \
        y = y + sb2 * X2;                                            \
        y = y - sa2 * Y2;                                            \
        y = y - sa1 * Y1;                                            \
        X2 = x; Y2 = y;                                              \
        v2d z = y - two * HX1;                                       \
        z = z + HX2;                                                 \
        z = z - ha2 * HY2;                                           \
        z = z - ha1 * HY1;                                           \
        HX2 = y; HY2 = z;                                            \
        energy = energy + z * z;                                     \
        p = g * p + h * ax;                                          \
        q = g * q + h * p;                                           \
    }

#define SWAP(u, v) { const v2d w = u; u = v; v = w; }

// The loop, compiled twice: for the baseline instruction set, and for AVX-512VL where the CPU and
// OS support it (the same IEEE operations, with 32 vector registers and three-operand forms, so no
// spills or copies; contraction stays off, so no fused multiply-add either).
static inline __attribute__((always_inline)) long paired_pass(const float *a, const float *b, long start,
                                                              long count, double *pairs) {
    v2d *s = (v2d *)pairs;
    const v2d *c = s + 13;
    v2d sum = s[0], s2 = s[1], sx1 = s[2], sx2 = s[3], sy1 = s[4], sy2 = s[5];
    v2d hx1 = s[6], hx2 = s[7], hy1 = s[8], hy2 = s[9], energy = s[10], p = s[11], q = s[12];
    const v2d sb0 = c[0], sb1 = c[1], sb2 = c[2], sa1 = c[3], sa2 = c[4];
    const v2d ha1 = c[5], ha2 = c[6], g = c[7], h = c[8];
    const v2d lower = s[22], upper = s[23];
    const v2d two = {2.0, 2.0};
    const v2l magnitude = {0x7FFFFFFFFFFFFFFFLL, 0x7FFFFFFFFFFFFFFFLL};
    long t = start;
    // Two samples per step; after the first, an exit needs the namings swapped back.
    while (t + 2 <= count) {
        STEP(sx1, sx2, sy1, sy2, hx1, hx2, hy1, hy2)
        if (ANY_LANE((q < lower) | (q >= upper))) {
            SWAP(sx1, sx2) SWAP(sy1, sy2) SWAP(hx1, hx2) SWAP(hy1, hy2)
            goto done;
        }
        STEP(sx2, sx1, sy2, sy1, hx2, hx1, hy2, hy1)
        if (ANY_LANE((q < lower) | (q >= upper))) goto done;
    }
    if (t < count) {
        STEP(sx1, sx2, sy1, sy2, hx1, hx2, hy1, hy2)
        SWAP(sx1, sx2) SWAP(sy1, sy2) SWAP(hx1, hx2) SWAP(hy1, hy2)
    }
done:
    s[0] = sum; s[1] = s2; s[2] = sx1; s[3] = sx2; s[4] = sy1; s[5] = sy2;
    s[6] = hx1; s[7] = hx2; s[8] = hy1; s[9] = hy2; s[10] = energy; s[11] = p; s[12] = q;
    return t;
}

long voiceqa_level_paired_pass_baseline(const float *a, const float *b, long start, long count, double *pairs) {
    return paired_pass(a, b, start, count, pairs);
}

#if defined(__x86_64__)
__attribute__((target("avx512f,avx512vl")))
static long paired_pass_avx512(const float *a, const float *b, long start, long count, double *pairs) {
    return paired_pass(a, b, start, count, pairs);
}
#endif

long voiceqa_level_paired_pass(const float *a, const float *b, long start, long count, double *pairs) {
#if defined(__x86_64__)
    if (voiceqa_has_avx512vl()) return paired_pass_avx512(a, b, start, count, pairs);
#endif
    return voiceqa_level_paired_pass_baseline(a, b, start, count, pairs);
}
