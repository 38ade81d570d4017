#ifndef VOICEQA_CPU_FEATURES_H
#define VOICEQA_CPU_FEATURES_H

/// 1 when the CPU has AVX-512F and AVX-512VL and the OS saves the opmask and all 32 vector
/// registers, else 0 (always 0 off x86-64). Checked once, then cached. The kernels of this module
/// run their AVX-512 builds only then: the same IEEE operations, so the same results.
int voiceqa_has_avx512vl(void);

#endif
