#ifndef VOICEQA_LEVEL_KERNELS_H
#define VOICEQA_LEVEL_KERNELS_H

/// The level meter's per-sample recursions for two channels side by side (issue 18), written in C
/// with vector types because the Swift compiler, given the same loop on SIMD2<Double>, paired lanes
/// of different variables and shuffled them on every sample (see ChannelLevelMeter.PairedRecursions).
///
/// `pairs` (16-byte aligned) holds 24 pairs of doubles, (channel a, channel b): first the state, 13
/// pairs, read and written: sum, squares, sx1, sx2, sy1, sy2, hx1, hx2, hy1, hy2, energy, p, q; then
/// the coefficients, 9 pairs (each value in both lanes): sb0, sb1, sb2, sa1, sa2, ha1, ha2, g, 1 − g;
/// then the envelope's bounds, 2 pairs: lower, upper.
///
/// Runs samples start ..< count of `a` and `b` and returns the index after the last sample done:
/// `count`, or just after the first sample where either channel's q leaves [lower, upper).
long voiceqa_level_paired_pass(const float *a, const float *b, long start, long count,
                               double *pairs);

/// The same loop compiled for the baseline instruction set only (`voiceqa_level_paired_pass` runs an
/// AVX-512VL build of it where the CPU has one): for the tests, to check both builds.
long voiceqa_level_paired_pass_baseline(const float *a, const float *b, long start, long count, double *pairs);

#endif
