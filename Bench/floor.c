/* voiceqa-floor: the speed floor `make bench` measures the analysis against (issue 18).
 *
 * Decodes a recording with libsndfile in 4096-frame blocks, deinterleaves it, and per 10 ms
 * frame per channel windows 40 ms of samples (Hann) into one FFTW r2c, takes the power
 * spectrum, and transforms it back with one c2r (the pitch autocorrelation), with the FFT size
 * and plan flags of the product (DSP/RealFFT.swift: single precision; `voiceqa analyze` plans
 * with FFTW_ESTIMATE, `--measure` here plans with FFTW_MEASURE as the bench's own analysis does;
 * the c2r also FFTW_DESTROY_INPUT; FrontEndSettings: size = fastSize(window + rate/50 + 1),
 * 512 at 8 kHz). Nothing else: the least work any analysis of the same frames must do.
 * Prints "audioSeconds cpuSeconds checksum" (CPU = user + system time of this process, from
 * getrusage; the checksum keeps the compiler from dropping the work). Built -O2 by the Makefile.
 */
#include <fftw3.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

enum { BLOCK_FRAMES = 4096 };

/* FrontEndSettings.fftSize / RealFFT.fastSize: the next power of two when within 25 % of the
 * smallest 2^a·3^b·5^c size ≥ n, else that size. */
static int fast_size(int n) {
    long best = -1;
    for (long p2 = 1; p2 < 2L * n; p2 *= 2)
        for (long p3 = p2; p3 < 2L * n; p3 *= 3)
            for (long p5 = p3; p5 < 2L * n; p5 *= 5)
                if (p5 >= n && p5 % 2 == 0 && (best < 0 || p5 < best)) best = p5;
    long pow2 = 2;
    while (pow2 < n) pow2 *= 2;
    return (double)pow2 <= 1.25 * (double)best ? (int)pow2 : (int)best;
}

int main(int argc, char **argv) {
    const int measure = argc == 3 && strcmp(argv[1], "--measure") == 0;
    if (argc != 2 + measure) { fprintf(stderr, "usage: voiceqa-floor [--measure] FILE\n"); return 64; }
    const unsigned flags = measure ? FFTW_MEASURE : FFTW_ESTIMATE;
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *file = sf_open(argv[argc - 1], SFM_READ, &info);
    if (!file) { fprintf(stderr, "voiceqa-floor: %s\n", sf_strerror(NULL)); return 1; }
    const int channels = info.channels;
    const double rate = info.samplerate;
    const int hop = (int)lround(0.01 * rate), window = (int)lround(0.04 * rate);
    const int size = fast_size(window + (int)ceil(rate / 50) + 1);
    const int bins = size / 2 + 1;

    /* Two buffer pairs, as in the product (the front end's r2c, the pitch tracker's c2r), so
     * the zero padding after the window stays in place (r2c keeps its input). */
    float *input = fftwf_alloc_real(size), *lags = fftwf_alloc_real(size);
    fftwf_complex *spectrum = fftwf_alloc_complex(bins), *product = fftwf_alloc_complex(bins);
    fftwf_plan forward = fftwf_plan_dft_r2c_1d(size, input, spectrum, flags);
    fftwf_plan inverse = fftwf_plan_dft_c2r_1d(size, product, lags, flags | FFTW_DESTROY_INPUT);
    memset(input, 0, sizeof(float) * size);   /* MEASURE scribbles on the arrays while planning */

    float *hann = malloc(sizeof(float) * window);
    for (int i = 0; i < window; i++) hann[i] = (float)(0.5 - 0.5 * cos(2 * M_PI * (i + 0.5) / window));   /* DSP/Window.swift */
    float *power = malloc(sizeof(float) * bins);
    float *interleaved = malloc(sizeof(float) * BLOCK_FRAMES * channels);
    /* Per channel: samples not yet framed, up to one window plus one block. */
    const int capacity = window + BLOCK_FRAMES;
    float *pending = malloc(sizeof(float) * capacity * channels);
    int pendingCount = 0, frameStart = 0;
    long frames = 0;
    double checksum = 0;

    sf_count_t got;
    while ((got = sf_readf_float(file, interleaved, BLOCK_FRAMES)) > 0) {
        if (frameStart > 0) {   /* keep the unframed tail at the start of each channel's buffer */
            for (int c = 0; c < channels; c++)
                memmove(pending + c * capacity, pending + c * capacity + frameStart,
                        sizeof(float) * (pendingCount - frameStart));
            pendingCount -= frameStart;
            frameStart = 0;
        }
        for (int c = 0; c < channels; c++) {       /* deinterleave */
            float *dst = pending + c * capacity + pendingCount;
            for (sf_count_t i = 0; i < got; i++) dst[i] = interleaved[i * channels + c];
        }
        pendingCount += (int)got;
        frames += got;
        int start = frameStart;
        for (; pendingCount - start >= window; start += hop) {
            for (int c = 0; c < channels; c++) {
                const float *x = pending + c * capacity + start;
                for (int i = 0; i < window; i++) input[i] = x[i] * hann[i];
                fftwf_execute(forward);
                for (int k = 0; k < bins; k++) {
                    power[k] = spectrum[k][0] * spectrum[k][0] + spectrum[k][1] * spectrum[k][1];
                    product[k][0] = power[k];
                    product[k][1] = 0;
                }
                fftwf_execute(inverse);
                checksum += lags[1];
            }
        }
        frameStart = start;
    }
    sf_close(file);

    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    double cpu = usage.ru_utime.tv_sec + usage.ru_stime.tv_sec
               + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    printf("%.3f %.4f %g\n", frames / rate, cpu, checksum);
    fftwf_destroy_plan(forward);
    fftwf_destroy_plan(inverse);
    fftwf_free(input); fftwf_free(lags);
    fftwf_free(spectrum); fftwf_free(product);
    free(hann); free(power); free(interleaved); free(pending);
    return 0;
}
