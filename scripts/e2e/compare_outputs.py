#!/usr/bin/python3
"""Compares the .npy outputs in OURS_DIR with ONNX Runtime's in ORT_DIR.

Usage: compare_outputs.py OURS_DIR ORT_DIR
Every ORT output must exist in OURS_DIR with the same shape and satisfy
max|ours - ORT| <= 1e-3 * max|ORT| + 1e-5. Prints one line of per-output errors (or the first
problem) and exits 0 when all outputs pass, 1 otherwise.
"""
import os
import sys

import numpy as np


def main(ours, ort):
    ok = True
    msgs = []
    for f in sorted(os.listdir(ort)):
        b = np.load(os.path.join(ort, f)).astype(np.float64)
        p = os.path.join(ours, f)
        if not os.path.exists(p):
            print(f"missing output {f}")
            return 1
        a = np.load(p).astype(np.float64)
        if a.shape != b.shape:
            print(f"{f}: shape {a.shape} vs ORT {b.shape}")
            return 1
        err, scale = np.abs(a - b).max(), np.abs(b).max()
        ok &= bool(err <= 1e-3 * scale + 1e-5)
        msgs.append(f"{f} max_err={err:.3g} max|ort|={scale:.3g}")
    print("; ".join(msgs))
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
