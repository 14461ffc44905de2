#!/usr/bin/python3
"""Builds ONNX test models in the form PyTorch's exporters write for torchvision networks.

Run with /usr/bin/python3 (it has onnx 1.12 and numpy; the pyenv python on PATH has no onnx):

    /usr/bin/python3 scripts/models/generate.py --out build/models \
        [--models resnet50,mobilenetv2,...] [--styles opset13,opset18] [--force] [--no-check]

writes DIR/<model>_<style>.onnx. A file that exists and is newer than this script is kept (cache);
--force rebuilds it.

Two styles per network, with the same weights (so both must give the same output):

* opset13: what torch.onnx.export(model.eval(), x, opset_version=13, do_constant_folding=False,
  input_names=['input'], output_names=['output']) writes (the TorchScript exporter). BatchNormalization
  stays a separate node after each Conv (no folding); node names are module scopes
  (`/layer1/layer1.0/conv1/Conv`), values `<node>_output_<i>`, initializers are the state_dict names
  (`layer1.0.conv1.weight`); shape operands are `Constant` nodes; `x.view(x.size(0), -1)` becomes
  Shape -> Gather -> Unsqueeze -> Concat -> Reshape; `x.chunk(2, 1)` becomes the Shape/Gather/Add/Div/Mul
  -> Slice subgraph (prim::ConstantChunk); ReLU6 becomes Clip with Constant min/max inputs; Unsqueeze
  axes are inputs, ReduceMean axes an attribute; Dropout is gone (eval).
* opset18: what the dynamo-based exporter (torch.onnx.export(..., dynamo=True), opset 18) writes for
  static shapes: node names `node_<Op>_<n>`, values named after the aten ops (`convolution`,
  `batch_norm_3`, `relu_1`, `view`, `linear`), parameters `p_layer1_0_conv1_weight` and buffers
  `b_layer1_0_bn1_running_mean`; Conv without kernel_shape; BatchNormalization with training_mode=0;
  adaptive average pooling as ReduceMean with axes as an input; flatten/view as Reshape with a constant
  shape; chunk as Split(num_outputs=2); Gemm with only transB=1. onnx 1.12 knows opsets up to 17, so
  the checker is skipped for this style (ONNX Runtime loads them).

Weights are random and deterministic (numpy default_rng seeded from the model name): convolution and
linear weights ~ N(0, gain/fan_in) (gain 2 after a ReLU, 1 otherwise), biases ~ N(0, 0.02), BN gamma
~ 1 +- 0.1, beta ~ N(0, 0.05), running_mean ~ N(0, 0.05), running_var ~ U(0.5, 1.5). The BN at the end of
a residual branch gets gamma scaled by 0.3 so that the residual sums of deep nets stay O(1).
"""

import argparse
import contextlib
import os
import sys
import time
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

STYLES = ("opset13", "opset18")


# ---------------------------------------------------------------------------------------------------
# Graph builder that names things like the two exporters.
# ---------------------------------------------------------------------------------------------------
def scope_segment(fqn):
    """Scope segment the TorchScript exporter shows for a module: its qualified name from the last
    non-numeric component on (`layer1.0` -> `layer1.0`, `layer1.0.conv1` -> `conv1`,
    `features.1.conv.0.0` -> `conv.0.0`)."""
    parts = fqn.split(".")
    i = len(parts) - 1
    while i > 0 and parts[i].isdigit():
        i -= 1
    return ".".join(parts[i:])


class Graph:
    def __init__(self, style, model_name, seed):
        assert style in STYLES
        self.style = style
        self.model_name = model_name
        self.rng = np.random.default_rng(seed)
        self.nodes = []
        self.inits = []
        self.init_names = set()
        self.scope = []  # opset13: segments of the current module scope
        self.scope_calls = {}  # opset13: full scope path -> how many times it was entered
        self.node_names = set()
        self.value_counts = {}  # opset18: value base name -> count
        self.node_count = 0

    # -- naming ----------------------------------------------------------------------------------
    @contextlib.contextmanager
    def mod(self, fqn):
        """Enter the scope of module `fqn` (a call of that module)."""
        if self.style != "opset13":
            yield
            return
        seg = scope_segment(fqn)
        path = "/".join(self.scope + [seg])
        n = self.scope_calls.get(path, 0)
        self.scope_calls[path] = n + 1
        self.scope.append(seg if n == 0 else f"{seg}_{n}")
        try:
            yield
        finally:
            self.scope.pop()

    def _unique_node_name(self, base):
        name, k = base, 0
        while name in self.node_names:
            k += 1
            name = f"{base}_{k}"
        self.node_names.add(name)
        return name

    def _value_name(self, base):
        n = self.value_counts.get(base, 0)
        self.value_counts[base] = n + 1
        return base if n == 0 else f"{base}_{n}"

    # -- nodes -----------------------------------------------------------------------------------
    def op(self, op_type, inputs, attrs=None, nout=1, hint=None, out_names=None):
        attrs = dict(attrs or {})
        if self.style == "opset13":
            name = self._unique_node_name("/" + "/".join(self.scope + [op_type]))
            outs = out_names or [f"{name}_output_{i}" for i in range(nout)]
        else:
            name = f"node_{op_type}_{self.node_count}"
            base = hint or op_type.lower()
            outs = out_names or [self._value_name(base) for _ in range(nout)]
        self.node_count += 1
        self.nodes.append(helper.make_node(op_type, list(inputs), outs, name=name, **attrs))
        return outs[0] if nout == 1 else outs

    def const(self, value, dtype=np.int64):
        arr = np.array(value, dtype=dtype)
        hint = "val" if self.style == "opset18" else None
        return self.op("Constant", [], {"value": numpy_helper.from_array(arr, name="")}, hint=hint)

    def param(self, fqn, arr, buffer=False):
        if self.style == "opset13":
            name = fqn
        else:
            name = ("b_" if buffer else "p_") + fqn.replace(".", "_")
        assert name not in self.init_names, name
        self.init_names.add(name)
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(arr, dtype=np.float32), name))
        return name

    # -- random tensors --------------------------------------------------------------------------
    def normal(self, shape, std, mean=0.0):
        return (self.rng.standard_normal(shape, dtype=np.float32) * np.float32(std)
                + np.float32(mean))

    def uniform(self, shape, lo, hi):
        return self.rng.uniform(lo, hi, size=shape).astype(np.float32)

    # -- model -----------------------------------------------------------------------------------
    def make_model(self, inp_shape, out_shape, opset):
        inp = helper.make_tensor_value_info("input", TensorProto.FLOAT, inp_shape)
        out = helper.make_tensor_value_info("output", TensorProto.FLOAT, out_shape)
        graph = helper.make_graph(self.nodes, "main_graph", [inp], [out], initializer=self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                                  producer_name="pytorch", producer_version="2.5.0")
        model.ir_version = 7 if opset == 13 else 8
        return model


# ---------------------------------------------------------------------------------------------------
# torch.nn building blocks (each takes the module's qualified name, as in the state_dict).
# ---------------------------------------------------------------------------------------------------
def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def conv(g, fqn, x, cin, cout, k, s=1, p=0, groups=1, bias=False, dilation=1, gain=2.0):
    kh, kw = _pair(k)
    sh, sw = _pair(s)
    ph, pw = _pair(p)
    dh, dw = _pair(dilation)
    fan_in = (cin // groups) * kh * kw
    with g.mod(fqn):
        ins = [x, g.param(fqn + ".weight", g.normal((cout, cin // groups, kh, kw),
                                                   np.sqrt(gain / fan_in)))]
        if bias:
            ins.append(g.param(fqn + ".bias", g.normal((cout,), 0.02)))
        attrs = dict(dilations=[dh, dw], group=groups, pads=[ph, pw, ph, pw], strides=[sh, sw])
        if g.style == "opset13":
            attrs["kernel_shape"] = [kh, kw]
        return g.op("Conv", ins, attrs, hint="convolution")


def bn(g, fqn, x, c, eps=1e-5, gamma_scale=1.0):
    with g.mod(fqn):
        ins = [x,
               g.param(fqn + ".weight", g.normal((c,), 0.1, 1.0) * np.float32(gamma_scale)),
               g.param(fqn + ".bias", g.normal((c,), 0.05)),
               g.param(fqn + ".running_mean", g.normal((c,), 0.05), buffer=True),
               g.param(fqn + ".running_var", g.uniform((c,), 0.5, 1.5), buffer=True)]
        attrs = dict(epsilon=eps, momentum=0.9)
        if g.style == "opset18":
            attrs["training_mode"] = 0
        return g.op("BatchNormalization", ins, attrs, hint="batch_norm")


def relu(g, x, fqn=None):
    """nn.ReLU module `fqn`, or F.relu (fqn=None) in the current scope."""
    if fqn is None:
        return g.op("Relu", [x], hint="relu")
    with g.mod(fqn):
        return g.op("Relu", [x], hint="relu")


def relu6(g, fqn, x):
    with g.mod(fqn):
        lo = g.const(0.0, np.float32)
        hi = g.const(6.0, np.float32)
        return g.op("Clip", [x, lo, hi], hint="hardtanh")


def maxpool(g, x, k, s, p=0, ceil=False, fqn=None):
    attrs = dict(ceil_mode=int(ceil), kernel_shape=list(_pair(k)), pads=list(_pair(p)) * 2,
                 strides=list(_pair(s)))
    if g.style == "opset18":
        attrs["dilations"] = [1, 1]
    with (g.mod(fqn) if fqn else contextlib.nullcontext()):
        return g.op("MaxPool", [x], attrs, hint="max_pool2d")


def avgpool(g, x, k, s, p=0, count_include_pad=True, fqn=None):
    attrs = dict(ceil_mode=0, count_include_pad=int(count_include_pad),
                 kernel_shape=list(_pair(k)), pads=list(_pair(p)) * 2, strides=list(_pair(s)))
    with (g.mod(fqn) if fqn else contextlib.nullcontext()):
        return g.op("AveragePool", [x], attrs, hint="avg_pool2d")


def adaptive_avgpool_1x1(g, x, fqn=None):
    """nn.AdaptiveAvgPool2d((1, 1)) / F.adaptive_avg_pool2d(x, (1, 1)); keeps [N, C, 1, 1]."""
    with (g.mod(fqn) if fqn else contextlib.nullcontext()):
        if g.style == "opset13":
            return g.op("GlobalAveragePool", [x])
        axes = g.const([-1, -2])
        return g.op("ReduceMean", [x, axes], dict(keepdims=1), hint="mean")


def mean_hw(g, x):
    """x.mean([2, 3]) -> [N, C]."""
    if g.style == "opset13":
        return g.op("ReduceMean", [x], dict(axes=[2, 3], keepdims=0))
    axes = g.const([2, 3])
    return g.op("ReduceMean", [x, axes], dict(keepdims=0), hint="mean")


def flatten(g, x, features):
    """torch.flatten(x, 1) on [1, C, 1, 1]."""
    if g.style == "opset13":
        return g.op("Flatten", [x], dict(axis=1))
    return g.op("Reshape", [x, g.const([1, features])], hint="view")


def unsqueeze0(g, x):
    """Unsqueeze of a scalar to a 1-D tensor, axes as an input (opset 13)."""
    return g.op("Unsqueeze", [x, g.const([0])])


def size_of(g, x, dim):
    """x.size(dim) while tracing: Shape -> Gather(scalar index)."""
    shape = g.op("Shape", [x])
    return g.op("Gather", [shape, g.const(dim)], dict(axis=0))


def view_batch(g, x, rest, static_rest):
    """x.view(x.size(0), rest) (the pre-torch.flatten idiom). rest: int (-1 or a size)."""
    if g.style == "opset13":
        n = unsqueeze0(g, size_of(g, x, 0))
        shape = g.op("Concat", [n, g.const([rest])], dict(axis=0))
        return g.op("Reshape", [x, shape])
    return g.op("Reshape", [x, g.const([1, static_rest])], hint="view")


def linear(g, fqn, x, fin, fout, out_name=None, gain=2.0):
    with g.mod(fqn):
        w = g.param(fqn + ".weight", g.normal((fout, fin), np.sqrt(gain / fin)))
        b = g.param(fqn + ".bias", g.normal((fout,), 0.02))
        attrs = dict(transB=1)
        if g.style == "opset13":
            attrs = dict(alpha=1.0, beta=1.0, transB=1)
        return g.op("Gemm", [x, w, b], attrs, hint="linear",
                    out_names=[out_name] if out_name else None)


def add(g, a, b):
    return g.op("Add", [a, b], hint="add")


def cat(g, xs, axis=1):
    return g.op("Concat", list(xs), dict(axis=axis), hint="cat")


def conv_bn_relu(g, x, conv_fqn, bn_fqn, relu_fqn, cin, cout, k, s=1, p=0, groups=1, eps=1e-5,
                 gain=2.0):
    x = conv(g, conv_fqn, x, cin, cout, k, s, p, groups, gain=gain)
    x = bn(g, bn_fqn, x, cout, eps)
    return relu(g, x, relu_fqn)


# ---------------------------------------------------------------------------------------------------
# Networks.
# ---------------------------------------------------------------------------------------------------
def tiny_cnn(g):
    # conv(3->16)+bn+relu, maxpool, conv(16->32)+bn+relu, maxpool, conv(32->64)+bn+relu,
    # adaptive avg pool, flatten, fc(64->10). Input [1,3,32,32].
    x = "input"
    x = conv_bn_relu(g, x, "conv1", "bn1", "relu", 3, 16, 3, 1, 1, gain=1.0)
    x = maxpool(g, x, 2, 2, fqn="pool")
    x = conv_bn_relu(g, x, "conv2", "bn2", "relu", 16, 32, 3, 1, 1)
    x = maxpool(g, x, 2, 2, fqn="pool")
    x = conv_bn_relu(g, x, "conv3", "bn3", "relu", 32, 64, 3, 1, 1)
    x = adaptive_avgpool_1x1(g, x, "avgpool")
    x = flatten(g, x, 64)
    linear(g, "fc", x, 64, 10, "output")
    return [1, 3, 32, 32], [1, 10]


def small_cnn(g):
    # The quick-start model: big enough for tuning to matter, small enough to tune in a minute.
    # conv(3->32, s2)+bn+relu, conv(32->64)+bn+relu, maxpool, conv(64->128)+bn+relu,
    # conv(128->128)+bn+relu, maxpool, conv(128->256)+bn+relu, avg pool, flatten, fc(256->10).
    # Input [1,3,112,112].
    x = "input"
    x = conv_bn_relu(g, x, "conv1", "bn1", "relu", 3, 32, 3, 2, 1, gain=1.0)
    x = conv_bn_relu(g, x, "conv2", "bn2", "relu", 32, 64, 3, 1, 1)
    x = maxpool(g, x, 2, 2, fqn="pool")
    x = conv_bn_relu(g, x, "conv3", "bn3", "relu", 64, 128, 3, 1, 1)
    x = conv_bn_relu(g, x, "conv4", "bn4", "relu", 128, 128, 3, 1, 1)
    x = maxpool(g, x, 2, 2, fqn="pool")
    x = conv_bn_relu(g, x, "conv5", "bn5", "relu", 128, 256, 3, 1, 1)
    x = adaptive_avgpool_1x1(g, x, "avgpool")
    x = flatten(g, x, 256)
    linear(g, "fc", x, 256, 10, "output")
    return [1, 3, 112, 112], [1, 10]


def _resnet(g, block, layers, flatten_mode):
    x = "input"
    x = conv(g, "conv1", x, 3, 64, 7, 2, 3, gain=1.0)
    x = bn(g, "bn1", x, 64)
    x = relu(g, x, "relu")
    x = maxpool(g, x, 3, 2, 1, fqn="maxpool")
    expansion = 4 if block == "bottleneck" else 1
    inplanes = 64
    for li, (planes, nblocks) in enumerate(zip((64, 128, 256, 512), layers), start=1):
        lname = f"layer{li}"
        with g.mod(lname):
            for bi in range(nblocks):
                stride = 2 if (li > 1 and bi == 0) else 1
                p = f"{lname}.{bi}"
                with g.mod(p):
                    identity = x
                    if block == "bottleneck":
                        width = planes
                        out = conv_bn_relu(g, x, p + ".conv1", p + ".bn1", p + ".relu",
                                           inplanes, width, 1)
                        out = conv_bn_relu(g, out, p + ".conv2", p + ".bn2", p + ".relu",
                                           width, width, 3, stride, 1)
                        out = conv(g, p + ".conv3", out, width, planes * 4, 1)
                        out = bn(g, p + ".bn3", out, planes * 4, gamma_scale=0.3)
                    else:
                        out = conv_bn_relu(g, x, p + ".conv1", p + ".bn1", p + ".relu",
                                           inplanes, planes, 3, stride, 1)
                        out = conv(g, p + ".conv2", out, planes, planes, 3, 1, 1)
                        out = bn(g, p + ".bn2", out, planes, gamma_scale=0.3)
                    if stride != 1 or inplanes != planes * expansion:
                        with g.mod(p + ".downsample"):
                            identity = conv(g, p + ".downsample.0", x, inplanes,
                                            planes * expansion, 1, stride)
                            identity = bn(g, p + ".downsample.1", identity, planes * expansion)
                    out = add(g, out, identity)
                    x = relu(g, out, p + ".relu")
                inplanes = planes * expansion
    x = adaptive_avgpool_1x1(g, x, "avgpool")
    feat = 512 * expansion
    if flatten_mode == "view":
        x = view_batch(g, x, -1, feat)  # old torchvision: x.view(x.size(0), -1)
    else:
        x = flatten(g, x, feat)  # torch.flatten(x, 1)
    linear(g, "fc", x, feat, 1000, "output")
    return [1, 3, 224, 224], [1, 1000]


def resnet50(g):
    return _resnet(g, "bottleneck", (3, 4, 6, 3), "view")


def resnet18(g):
    return _resnet(g, "basic", (2, 2, 2, 2), "flatten")


def _make_divisible(v, divisor=8, min_value=None):
    min_value = min_value or divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def mobilenetv2(g):
    def conv_bn_act(x, p, cin, cout, k, s=1, groups=1, act=True, gain=2.0):
        # torchvision.ops.Conv2dNormActivation: Sequential(Conv2d, BatchNorm2d, ReLU6)
        with g.mod(p):
            x = conv(g, p + ".0", x, cin, cout, k, s, (k - 1) // 2, groups, gain=gain)
            x = bn(g, p + ".1", x, cout)
            return relu6(g, p + ".2", x)

    x = "input"
    with g.mod("features"):
        x = conv_bn_act(x, "features.0", 3, 32, 3, 2, gain=1.0)
        inp = 32
        idx = 1
        for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                           (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
            oup = _make_divisible(c)
            for i in range(n):
                stride = s if i == 0 else 1
                p = f"features.{idx}"
                hidden = int(round(inp * t))
                use_res = stride == 1 and inp == oup
                with g.mod(p):
                    with g.mod(p + ".conv"):
                        y = x
                        j = 0
                        if t != 1:
                            y = conv_bn_act(y, f"{p}.conv.{j}", inp, hidden, 1)
                            j += 1
                        y = conv_bn_act(y, f"{p}.conv.{j}", hidden, hidden, 3, stride, hidden)
                        y = conv(g, f"{p}.conv.{j + 1}", y, hidden, oup, 1)
                        y = bn(g, f"{p}.conv.{j + 2}", y, oup, gamma_scale=0.3 if use_res else 1.0)
                    x = add(g, x, y) if use_res else y
                inp = oup
                idx += 1
        x = conv_bn_act(x, "features.18", inp, 1280, 1, gain=1.0)
    x = adaptive_avgpool_1x1(g, x)  # nn.functional.adaptive_avg_pool2d(x, (1, 1))
    x = flatten(g, x, 1280)
    with g.mod("classifier"):  # Sequential(Dropout(0.2), Linear(1280, 1000))
        linear(g, "classifier.1", x, 1280, 1000, "output")
    return [1, 3, 224, 224], [1, 1000]


def squeezenet1_1(g):
    def fire(x, p, cin, sq, e1, e3):
        with g.mod(p):
            s = conv(g, p + ".squeeze", x, cin, sq, 1, bias=True)
            s = relu(g, s, p + ".squeeze_activation")
            a = conv(g, p + ".expand1x1", s, sq, e1, 1, bias=True)
            a = relu(g, a, p + ".expand1x1_activation")
            b = conv(g, p + ".expand3x3", s, sq, e3, 3, 1, 1, bias=True)
            b = relu(g, b, p + ".expand3x3_activation")
            return cat(g, [a, b], 1)

    x = "input"
    with g.mod("features"):
        x = conv(g, "features.0", x, 3, 64, 3, 2, bias=True, gain=1.0)
        x = relu(g, x, "features.1")
        x = maxpool(g, x, 3, 2, ceil=True, fqn="features.2")
        x = fire(x, "features.3", 64, 16, 64, 64)
        x = fire(x, "features.4", 128, 16, 64, 64)
        x = maxpool(g, x, 3, 2, ceil=True, fqn="features.5")
        x = fire(x, "features.6", 128, 32, 128, 128)
        x = fire(x, "features.7", 256, 32, 128, 128)
        x = maxpool(g, x, 3, 2, ceil=True, fqn="features.8")
        x = fire(x, "features.9", 256, 48, 192, 192)
        x = fire(x, "features.10", 384, 48, 192, 192)
        x = fire(x, "features.11", 384, 64, 256, 256)
        x = fire(x, "features.12", 512, 64, 256, 256)
    with g.mod("classifier"):  # Sequential(Dropout, final_conv, ReLU, AdaptiveAvgPool2d((1, 1)))
        x = conv(g, "classifier.1", x, 512, 1000, 1, bias=True)
        x = relu(g, x, "classifier.2")
        x = adaptive_avgpool_1x1(g, x, "classifier.3")
    # old torchvision: x.view(x.size(0), self.num_classes)
    x = view_batch(g, x, 1000, 1000)
    g.nodes[-1].output[0] = "output"
    return [1, 3, 224, 224], [1, 1000]


def inception_v3(g):
    def basic(x, p, cin, cout, k, s=1, pad=0):
        # BasicConv2d: conv (no bias), bn (eps 0.001), F.relu
        with g.mod(p):
            x = conv(g, p + ".conv", x, cin, cout, k, s, pad)
            x = bn(g, p + ".bn", x, cout, eps=0.001)
            return relu(g, x)

    def avg3(x):  # F.avg_pool2d(x, kernel_size=3, stride=1, padding=1), count_include_pad=True
        return avgpool(g, x, 3, 1, 1, count_include_pad=True)

    def inception_a(x, p, cin, pool_features):
        with g.mod(p):
            b1 = basic(x, p + ".branch1x1", cin, 64, 1)
            b5 = basic(x, p + ".branch5x5_1", cin, 48, 1)
            b5 = basic(b5, p + ".branch5x5_2", 48, 64, 5, pad=2)
            b3 = basic(x, p + ".branch3x3dbl_1", cin, 64, 1)
            b3 = basic(b3, p + ".branch3x3dbl_2", 64, 96, 3, pad=1)
            b3 = basic(b3, p + ".branch3x3dbl_3", 96, 96, 3, pad=1)
            bp = avg3(x)
            bp = basic(bp, p + ".branch_pool", cin, pool_features, 1)
            return cat(g, [b1, b5, b3, bp], 1)

    def inception_b(x, p, cin):
        with g.mod(p):
            b3 = basic(x, p + ".branch3x3", cin, 384, 3, 2)
            bd = basic(x, p + ".branch3x3dbl_1", cin, 64, 1)
            bd = basic(bd, p + ".branch3x3dbl_2", 64, 96, 3, pad=1)
            bd = basic(bd, p + ".branch3x3dbl_3", 96, 96, 3, 2)
            bp = maxpool(g, x, 3, 2)
            return cat(g, [b3, bd, bp], 1)

    def inception_c(x, p, cin, c7):
        with g.mod(p):
            b1 = basic(x, p + ".branch1x1", cin, 192, 1)
            b7 = basic(x, p + ".branch7x7_1", cin, c7, 1)
            b7 = basic(b7, p + ".branch7x7_2", c7, c7, (1, 7), pad=(0, 3))
            b7 = basic(b7, p + ".branch7x7_3", c7, 192, (7, 1), pad=(3, 0))
            bd = basic(x, p + ".branch7x7dbl_1", cin, c7, 1)
            bd = basic(bd, p + ".branch7x7dbl_2", c7, c7, (7, 1), pad=(3, 0))
            bd = basic(bd, p + ".branch7x7dbl_3", c7, c7, (1, 7), pad=(0, 3))
            bd = basic(bd, p + ".branch7x7dbl_4", c7, c7, (7, 1), pad=(3, 0))
            bd = basic(bd, p + ".branch7x7dbl_5", c7, 192, (1, 7), pad=(0, 3))
            bp = avg3(x)
            bp = basic(bp, p + ".branch_pool", cin, 192, 1)
            return cat(g, [b1, b7, bd, bp], 1)

    def inception_d(x, p, cin):
        with g.mod(p):
            b3 = basic(x, p + ".branch3x3_1", cin, 192, 1)
            b3 = basic(b3, p + ".branch3x3_2", 192, 320, 3, 2)
            b7 = basic(x, p + ".branch7x7x3_1", cin, 192, 1)
            b7 = basic(b7, p + ".branch7x7x3_2", 192, 192, (1, 7), pad=(0, 3))
            b7 = basic(b7, p + ".branch7x7x3_3", 192, 192, (7, 1), pad=(3, 0))
            b7 = basic(b7, p + ".branch7x7x3_4", 192, 192, 3, 2)
            bp = maxpool(g, x, 3, 2)
            return cat(g, [b3, b7, bp], 1)

    def inception_e(x, p, cin):
        with g.mod(p):
            b1 = basic(x, p + ".branch1x1", cin, 320, 1)
            b3 = basic(x, p + ".branch3x3_1", cin, 384, 1)
            b3a = basic(b3, p + ".branch3x3_2a", 384, 384, (1, 3), pad=(0, 1))
            b3b = basic(b3, p + ".branch3x3_2b", 384, 384, (3, 1), pad=(1, 0))
            b3 = cat(g, [b3a, b3b], 1)
            bd = basic(x, p + ".branch3x3dbl_1", cin, 448, 1)
            bd = basic(bd, p + ".branch3x3dbl_2", 448, 384, 3, pad=1)
            bda = basic(bd, p + ".branch3x3dbl_3a", 384, 384, (1, 3), pad=(0, 1))
            bdb = basic(bd, p + ".branch3x3dbl_3b", 384, 384, (3, 1), pad=(1, 0))
            bd = cat(g, [bda, bdb], 1)
            bp = avg3(x)
            bp = basic(bp, p + ".branch_pool", cin, 192, 1)
            return cat(g, [b1, b3, bd, bp], 1)

    x = "input"
    x = basic(x, "Conv2d_1a_3x3", 3, 32, 3, 2)  # 149
    x = basic(x, "Conv2d_2a_3x3", 32, 32, 3)  # 147
    x = basic(x, "Conv2d_2b_3x3", 32, 64, 3, pad=1)  # 147
    x = maxpool(g, x, 3, 2, fqn="maxpool1")  # 73
    x = basic(x, "Conv2d_3b_1x1", 64, 80, 1)
    x = basic(x, "Conv2d_4a_3x3", 80, 192, 3)  # 71
    x = maxpool(g, x, 3, 2, fqn="maxpool2")  # 35
    x = inception_a(x, "Mixed_5b", 192, 32)  # 256
    x = inception_a(x, "Mixed_5c", 256, 64)  # 288
    x = inception_a(x, "Mixed_5d", 288, 64)  # 288
    x = inception_b(x, "Mixed_6a", 288)  # 768 @ 17
    x = inception_c(x, "Mixed_6b", 768, 128)
    x = inception_c(x, "Mixed_6c", 768, 160)
    x = inception_c(x, "Mixed_6d", 768, 160)
    x = inception_c(x, "Mixed_6e", 768, 192)
    x = inception_d(x, "Mixed_7a", 768)  # 1280 @ 8
    x = inception_e(x, "Mixed_7b", 1280)  # 2048
    x = inception_e(x, "Mixed_7c", 2048)  # 2048
    x = adaptive_avgpool_1x1(g, x, "avgpool")
    x = flatten(g, x, 2048)  # dropout is gone in eval
    linear(g, "fc", x, 2048, 1000, "output")
    return [1, 3, 299, 299], [1, 1000]


def densenet121(g):
    growth, bn_size = 32, 4
    x = "input"
    with g.mod("features"):
        x = conv(g, "features.conv0", x, 3, 64, 7, 2, 3, gain=1.0)
        x = bn(g, "features.norm0", x, 64)
        x = relu(g, x, "features.relu0")
        x = maxpool(g, x, 3, 2, 1, fqn="features.pool0")
        c = 64
        for bi, nlayers in enumerate((6, 12, 24, 16), start=1):
            bp = f"features.denseblock{bi}"
            with g.mod(bp):
                feats = [x]
                for li in range(1, nlayers + 1):
                    p = f"{bp}.denselayer{li}"
                    cin = c + (li - 1) * growth
                    with g.mod(p):
                        # bn_function: torch.cat(inputs, 1) (a one-input Concat for the first
                        # layer in the TorchScript export; the dynamo export drops it)
                        h = cat(g, feats, 1) if (len(feats) > 1 or g.style == "opset13") else feats[0]
                        h = bn(g, p + ".norm1", h, cin)
                        h = relu(g, h, p + ".relu1")
                        h = conv(g, p + ".conv1", h, cin, bn_size * growth, 1)
                        h = bn(g, p + ".norm2", h, bn_size * growth)
                        h = relu(g, h, p + ".relu2")
                        h = conv(g, p + ".conv2", h, bn_size * growth, growth, 3, 1, 1)
                    feats.append(h)
                x = cat(g, feats, 1)
            c = c + nlayers * growth
            if bi != 4:
                tp = f"features.transition{bi}"
                with g.mod(tp):
                    x = bn(g, tp + ".norm", x, c)
                    x = relu(g, x, tp + ".relu")
                    x = conv(g, tp + ".conv", x, c, c // 2, 1)
                    x = avgpool(g, x, 2, 2, fqn=tp + ".pool")
                c //= 2
        x = bn(g, "features.norm5", x, c)
    x = relu(g, x)  # F.relu(features)
    x = adaptive_avgpool_1x1(g, x)  # F.adaptive_avg_pool2d(out, (1, 1))
    x = flatten(g, x, c)
    linear(g, "classifier", x, c, 1000, "output")
    return [1, 3, 224, 224], [1, 1000]


def shufflenetv2_x1_0(g):
    def chunk2(x, channels):
        """x.chunk(2, dim=1)."""
        if g.style == "opset18":
            return g.op("Split", [x], dict(axis=1, num_outputs=2), nout=2, hint="getitem")
        # prim::ConstantChunk at opset 13: Slice with bounds computed from the shape
        shape = g.op("Shape", [x])
        axis = g.const([1])
        dim = g.op("Gather", [shape, axis], dict(axis=0))
        start = g.const([0])
        n = g.const([2])
        nm1 = g.const([1])
        shifted = g.op("Add", [dim, nm1])
        size = g.op("Div", [shifted, n])
        outs = []
        for i in range(2):
            idx = g.const([i + 1])
            end = g.op("Mul", [size, idx])
            outs.append(g.op("Slice", [x, start, end, axis]))
            start = end
        return outs

    def channel_shuffle(x, c, h, w, groups=2):
        if g.style == "opset18":
            x = g.op("Reshape", [x, g.const([1, groups, c // groups, h, w])], hint="view")
            x = g.op("Transpose", [x], dict(perm=[0, 2, 1, 3, 4]), hint="transpose")
            return g.op("Reshape", [x, g.const([1, c, h, w])], hint="view")
        # batchsize, num_channels, height, width = x.size()
        bs, nc, hh, ww = (size_of(g, x, d) for d in range(4))
        # channels_per_group = num_channels // groups  (aten::floordiv -> Div, Cast, Cast)
        cpg = g.op("Div", [nc, g.const(groups)])
        cpg = g.op("Cast", [cpg], dict(to=TensorProto.INT64))
        cpg = g.op("Cast", [cpg], dict(to=TensorProto.INT64))
        # x.view(batchsize, groups, channels_per_group, height, width)
        shape = g.op("Concat", [unsqueeze0(g, bs), g.const([groups]), unsqueeze0(g, cpg),
                                unsqueeze0(g, hh), unsqueeze0(g, ww)], dict(axis=0))
        x = g.op("Reshape", [x, shape])
        x = g.op("Transpose", [x], dict(perm=[0, 2, 1, 3, 4]))  # transpose(1, 2).contiguous()
        # x.view(batchsize, -1, height, width)
        shape = g.op("Concat", [unsqueeze0(g, bs), g.const([-1]), unsqueeze0(g, hh),
                                unsqueeze0(g, ww)], dict(axis=0))
        return g.op("Reshape", [x, shape])

    def dw_bn(x, pc, pb, c, s):
        x = conv(g, pc, x, c, c, 3, s, 1, groups=c)
        return bn(g, pb, x, c)

    def inverted_residual(x, p, inp, oup, stride, hw):
        bf = oup // 2
        with g.mod(p):
            if stride == 1:
                x1, x2 = chunk2(x, inp)
                src2 = x2
            else:
                with g.mod(p + ".branch1"):
                    b1 = dw_bn(x, p + ".branch1.0", p + ".branch1.1", inp, stride)
                    b1 = conv(g, p + ".branch1.2", b1, inp, bf, 1, gain=1.0)
                    b1 = bn(g, p + ".branch1.3", b1, bf)
                    x1 = relu(g, b1, p + ".branch1.4")
                src2 = x
            with g.mod(p + ".branch2"):
                cin = inp if stride > 1 else bf
                b2 = conv(g, p + ".branch2.0", src2, cin, bf, 1)
                b2 = bn(g, p + ".branch2.1", b2, bf)
                b2 = relu(g, b2, p + ".branch2.2")
                b2 = dw_bn(b2, p + ".branch2.3", p + ".branch2.4", bf, stride)
                b2 = conv(g, p + ".branch2.5", b2, bf, bf, 1, gain=1.0)
                b2 = bn(g, p + ".branch2.6", b2, bf)
                b2 = relu(g, b2, p + ".branch2.7")
            out = cat(g, [x1, b2], 1)
            return channel_shuffle(out, oup, hw, hw)

    x = "input"
    with g.mod("conv1"):
        x = conv(g, "conv1.0", x, 3, 24, 3, 2, 1, gain=1.0)
        x = bn(g, "conv1.1", x, 24)
        x = relu(g, x, "conv1.2")
    x = maxpool(g, x, 3, 2, 1, fqn="maxpool")  # 56
    inp, hw = 24, 56
    for name, reps, oup in (("stage2", 4, 116), ("stage3", 8, 232), ("stage4", 4, 464)):
        with g.mod(name):
            for i in range(reps):
                stride = 2 if i == 0 else 1
                if stride == 2:
                    hw //= 2
                x = inverted_residual(x, f"{name}.{i}", inp, oup, stride, hw)
                inp = oup
    with g.mod("conv5"):
        x = conv(g, "conv5.0", x, inp, 1024, 1)
        x = bn(g, "conv5.1", x, 1024)
        x = relu(g, x, "conv5.2")
    x = mean_hw(g, x)  # x.mean([2, 3])
    linear(g, "fc", x, 1024, 1000, "output")
    return [1, 3, 224, 224], [1, 1000]


MODELS = {
    "tiny_cnn": tiny_cnn,
    "small_cnn": small_cnn,
    "resnet18": resnet18,
    "resnet50": resnet50,
    "mobilenetv2": mobilenetv2,
    "squeezenet1_1": squeezenet1_1,
    "inception_v3": inception_v3,
    "densenet121": densenet121,
    "shufflenetv2_x1_0": shufflenetv2_x1_0,
}
ALIASES = {"squeezenet": "squeezenet1_1", "inceptionv3": "inception_v3", "inception": "inception_v3",
           "densenet": "densenet121", "shufflenetv2": "shufflenetv2_x1_0",
           "shufflenet": "shufflenetv2_x1_0", "mobilenet_v2": "mobilenetv2"}


def build(model_name, style):
    seed = zlib.crc32(model_name.encode())
    g = Graph(style, model_name, seed)
    inp_shape, out_shape = MODELS[model_name](g)
    return g.make_model(inp_shape, out_shape, 13 if style == "opset13" else 18)


def check(model, style):
    if style != "opset13":
        return "skipped (onnx %s knows opsets <= %d)" % (onnx.__version__, onnx.defs.onnx_opset_version())
    onnx.checker.check_model(model)
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    out = inferred.graph.output[0].type.tensor_type.shape
    dims = [d.dim_value for d in out.dim]
    want = [d.dim_value for d in model.graph.output[0].type.tensor_type.shape.dim]
    if dims != want:
        raise RuntimeError(f"inferred output shape {dims} != declared {want}")
    return "ok"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--models", default=",".join(MODELS), help="comma list; default: all")
    ap.add_argument("--styles", default=",".join(STYLES), help="comma list of opset13,opset18")
    ap.add_argument("--force", action="store_true", help="rebuild even if cached")
    ap.add_argument("--no-check", action="store_true", help="skip onnx.checker / shape inference")
    ap.add_argument("--list", action="store_true", help="print model names and exit")
    args = ap.parse_args(argv)
    if args.list:
        print("\n".join(MODELS))
        return 0
    models = [ALIASES.get(m.strip(), m.strip()) for m in args.models.split(",") if m.strip()]
    styles = [s.strip() for s in args.styles.split(",") if s.strip()]
    for m in models:
        if m not in MODELS:
            ap.error(f"unknown model {m!r}; known: {', '.join(MODELS)}")
    for s in styles:
        if s not in STYLES:
            ap.error(f"unknown style {s!r}; known: {', '.join(STYLES)}")
    os.makedirs(args.out, exist_ok=True)
    script_mtime = os.path.getmtime(os.path.abspath(__file__))
    t_all = time.time()
    for m in models:
        for s in styles:
            path = os.path.join(args.out, f"{m}_{s}.onnx")
            if (not args.force and os.path.exists(path)
                    and os.path.getmtime(path) > script_mtime):
                print(f"{path}: cached")
                continue
            t0 = time.time()
            model = build(m, s)
            status = "not checked" if args.no_check else check(model, s)
            tmp = path + ".tmp"
            onnx.save(model, tmp)
            os.replace(tmp, path)
            nparams = sum(int(np.prod(t.dims)) for t in model.graph.initializer)
            print(f"{path}: {len(model.graph.node)} nodes, {nparams / 1e6:.2f}M params, "
                  f"check {status}, {time.time() - t0:.2f} s")
    print(f"generate: done in {time.time() - t_all:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
