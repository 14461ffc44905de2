// oneDNN forward-inference convolution on one thread, with `format_tag::any` so oneDNN picks its
// blocked layouts: the peer for tuned conv2d kernels. Inputs are reordered once, outside the timing.
#include <omp.h>

#include <cstdio>
#include <random>
#include <unordered_map>
#include <vector>

#include "Modes.h"
#include "Timing.h"
#include "dnnl.hpp"

namespace {

using namespace dnnl;

// Returns `user` when `want` already matches its layout, else a copy reordered into `want`.
memory to_layout(memory user, const memory::desc &want, engine &eng, stream &strm) {
  if (user.get_desc() == want) return user;
  memory out(want, eng);
  reorder(user, out).execute(strm, user, out);
  strm.wait();
  return out;
}

void fill_random(const memory &mem, std::mt19937 &rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  auto *p = static_cast<float *>(mem.get_data_handle());
  size_t count = mem.get_desc().get_size() / sizeof(float);
  for (size_t i = 0; i < count; ++i) p[i] = dist(rng);
}

}  // namespace

int run_conv_onednn(int n, int c, int h, int w, int k, int r, int s, int stride, int pad) {
  omp_set_num_threads(1);
  int oh = (h + 2 * pad - r) / stride + 1, ow = (w + 2 * pad - s) / stride + 1;
  if (oh <= 0 || ow <= 0) {
    std::fprintf(stderr, "bench_peers conv: empty output %dx%d\n", oh, ow);
    return 2;
  }
  engine eng(engine::kind::cpu, 0);
  stream strm(eng);
  using dt = memory::data_type;
  using tag = memory::format_tag;
  memory::dims src_dims = {n, c, h, w}, wei_dims = {k, c, r, s}, dst_dims = {n, k, oh, ow};

  auto conv_desc = convolution_forward::desc(
      prop_kind::forward_inference, algorithm::convolution_direct, memory::desc(src_dims, dt::f32, tag::any),
      memory::desc(wei_dims, dt::f32, tag::any), memory::desc(dst_dims, dt::f32, tag::any),
      {stride, stride}, {pad, pad}, {pad, pad});
  convolution_forward::primitive_desc pd(conv_desc, eng);

  std::mt19937 rng(42);
  memory user_src({src_dims, dt::f32, tag::nchw}, eng), user_wei({wei_dims, dt::f32, tag::oihw}, eng);
  fill_random(user_src, rng);
  fill_random(user_wei, rng);
  memory src = to_layout(user_src, pd.src_desc(), eng, strm);
  memory wei = to_layout(user_wei, pd.weights_desc(), eng, strm);
  memory dst(pd.dst_desc(), eng);

  convolution_forward conv(pd);
  std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst}};
  TimingStats t = time_repeats([&] {
    conv.execute(strm, args);
    strm.wait();
  });
  double flops = 2.0 * n * k * oh * ow * c * r * s;
  std::printf("conv_gflops=%.1f ms=%.3f best_gflops=%.1f best_ms=%.3f repeats=%d threads=%d impl=%s\n",
              flops / (t.median_ms * 1e6), t.median_ms, flops / (t.best_ms * 1e6), t.best_ms, t.repeats,
              omp_get_max_threads(), pd.impl_info_str());
  return 0;
}
