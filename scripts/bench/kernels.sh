#!/usr/bin/env bash
# Kernel benchmark (not part of the default tests): in one run, the machine's FP32 FMA peak,
# then single-threaded OpenBLAS sgemm vs autotune's hand-scheduled matmul (1024^3) and oneDNN
# vs autotune's blocked conv2d (3x3, 64->64, 56x56, pad 1). Ends with the summary line
#   kernels: matmul_ratio_openblas=R1 conv_ratio_onednn=R2 matmul_peak_fraction=F
# Extra arguments go to both autotune kernels (e.g. --threads 2 is NOT the benchmark's setting).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
peers="$root/scripts/bench/peers/run.sh"
ours="$root/build/tools/autotune-bench-kernels"
[[ -x "$ours" ]] || cmake --build "$root/build" --target autotune-bench-kernels >&2

field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | head -1; }

peak_line=$("$peers" peak);                          echo "peak:     $peak_line"
blas_line=$("$peers" sgemm 1024 1024 1024);          echo "openblas: $blas_line"
ours_mm=$("$ours" matmul --m 1024 --n 1024 --k 1024); echo "autotune: $ours_mm"
dnnl_line=$("$peers" conv 1 64 56 56 64 3 3 1 1);    echo "onednn:   $dnnl_line"
ours_conv=$("$ours" conv --c 64 --h 56 --w 56 --k 64 --r 3 --stride 1 --pad 1)
echo "autotune: $ours_conv"

peak=$(field "$peak_line" peak_gflops)
blas=$(field "$blas_line" sgemm_gflops)
dnnl=$(field "$dnnl_line" conv_gflops)
mm=$(field "$ours_mm" matmul_gflops)
conv=$(field "$ours_conv" conv_gflops)
awk -v mm="$mm" -v blas="$blas" -v conv="$conv" -v dnnl="$dnnl" -v peak="$peak" 'BEGIN {
  printf "kernels: matmul_ratio_openblas=%.3f conv_ratio_onednn=%.3f matmul_peak_fraction=%.3f\n",
         mm / blas, conv / dnnl, mm / peak }'
