#!/usr/bin/python3
"""Writes one random input .npy per graph input of an ONNX model.

    /usr/bin/python3 scripts/models/make_inputs.py --model M.onnx --out DIR [--seed S]

Float inputs are N(0, 1) (float32 for FLOAT); integer inputs are zeros; symbolic dims are taken as 1.
File names: DIR/<input name>.npy with characters outside [A-Za-z0-9._-] replaced by '_'. Prints one
`NAME=PATH` line per input, ready for `node scripts/ort/run.js --input NAME=PATH`.
"""

import argparse
import os
import re
import sys

import numpy as np
import onnx
from onnx import TensorProto

DTYPES = {
    TensorProto.FLOAT: np.float32, TensorProto.DOUBLE: np.float64, TensorProto.FLOAT16: np.float16,
    TensorProto.INT64: np.int64, TensorProto.INT32: np.int32, TensorProto.INT8: np.int8,
    TensorProto.UINT8: np.uint8, TensorProto.BOOL: np.bool_,
}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    model = onnx.load(args.model, load_external_data=False)
    inits = {t.name for t in model.graph.initializer}
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.out, exist_ok=True)
    for vi in model.graph.input:
        if vi.name in inits:
            continue
        tt = vi.type.tensor_type
        if tt.elem_type not in DTYPES:
            sys.exit(f"make_inputs: input {vi.name}: unsupported element type {tt.elem_type}")
        dtype = DTYPES[tt.elem_type]
        shape = [d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else 1
                 for d in tt.shape.dim]
        if np.issubdtype(dtype, np.floating):
            arr = rng.standard_normal(shape).astype(dtype)
        else:
            arr = np.zeros(shape, dtype=dtype)
        path = os.path.join(args.out, re.sub(r"[^A-Za-z0-9._-]", "_", vi.name) + ".npy")
        np.save(path, np.ascontiguousarray(arr))
        print(f"{vi.name}={path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
