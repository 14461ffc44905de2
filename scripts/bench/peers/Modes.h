// The three bench_peers modes. Each runs single-threaded and prints one `key=value ...` line.
#pragma once

/// FP32 FMA peak of one core, from independent AVX2 FMA chains; prints `peak_gflops=`.
int run_peak_fma();

/// OpenBLAS cblas_sgemm, row-major C = A * B with A MxK and B KxN; prints `sgemm_gflops= ms=`.
int run_sgemm_openblas(int m, int n, int k);

/// oneDNN forward-inference direct convolution, f32, NCHW input NxCxHxW, K filters of CxRxS, no bias;
/// prints `conv_gflops= ms=`.
int run_conv_onednn(int n, int c, int h, int w, int k, int r, int s, int stride, int pad);
