#ifndef VOICEQA_FRAME_KERNELS_H
#define VOICEQA_FRAME_KERNELS_H

/// The front end's per-frame element-wise loops (issue 18), 16 floats per step: AVX-512 where the
/// CPU has it (`voiceqa_has_avx512vl`), else the baseline build of the same code. Each output
/// element is the same single IEEE operation(s) as the Swift loops they replace, so the results
/// are the same bit for bit.

/// out[i] = a[i] · b[i] for i < n.
void voiceqa_multiply(const float *a, const float *b, float *out, long n);

/// power[k] = re·re + im·im for k < bins, with re = spectrum[2k], im = spectrum[2k + 1] (the
/// products rounded, then their sum: no fused multiply–add).
void voiceqa_power_spectrum(const float *spectrum, float *power, long bins);

/// The index of the first element of x[0 ..< n] (n ≥ 1) equal to their largest value. For finite
/// values (NaN is never the largest here, but is not meant to occur).
long voiceqa_index_of_maximum(const float *x, long n);

/// The baseline builds, for the tests.
void voiceqa_multiply_baseline(const float *a, const float *b, float *out, long n);
void voiceqa_power_spectrum_baseline(const float *spectrum, float *power, long bins);
long voiceqa_index_of_maximum_baseline(const float *x, long n);

#endif
