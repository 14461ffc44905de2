#!/usr/bin/env node
'use strict';
// Times ONNX Runtime (CPU) on a model with random inputs.
//   node scripts/ort/bench.js --model M.onnx [--threads N] [--repeat N] [--warmup N]
// Prints one line: median_ms=... min_ms=... max_ms=...
// Symbolic input dimensions are taken as 1.
const { ort, parseArgs, createSession } = require('./common');

const USAGE = 'usage: bench.js --model M.onnx [--threads N] [--repeat N] [--warmup N] [--seed S]';

// Small deterministic generator (mulberry32) + Box-Muller for normal samples.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomTensor(meta, next) {
  if (!meta.isTensor) throw new Error(`input ${meta.name} is not a tensor`);
  const shape = meta.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : 1));
  const n = shape.reduce((a, b) => a * b, 1);
  switch (meta.type) {
    case 'float32': {
      const d = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const u = next() || 1e-12, v = next();
        d[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      }
      return new ort.Tensor('float32', d, shape);
    }
    case 'int64': return new ort.Tensor('int64', new BigInt64Array(n), shape);
    case 'int32': return new ort.Tensor('int32', new Int32Array(n), shape);
    case 'bool': return new ort.Tensor('bool', new Uint8Array(n), shape);
    default: throw new Error(`input ${meta.name}: unsupported type ${meta.type}`);
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2), {
    model: {}, threads: { int: true, default: 1 }, repeat: { int: true, default: 20 },
    warmup: { int: true, default: 5 }, seed: { int: true, default: 0 },
  });
  if (args.help) { console.log(USAGE); return 0; }
  if (!args.model) throw new Error(USAGE);
  if (args.repeat < 1) throw new Error('--repeat must be >= 1');
  const session = await createSession(args.model, args.threads || 1);
  const next = rng(args.seed);
  const feeds = {};
  for (const meta of session.inputMetadata) feeds[meta.name] = randomTensor(meta, next);
  for (let i = 0; i < args.warmup; i++) await session.run(feeds);
  const times = [];
  for (let i = 0; i < args.repeat; i++) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const m = times.length;
  const median = m % 2 ? times[(m - 1) / 2] : (times[m / 2 - 1] + times[m / 2]) / 2;
  console.log(`median_ms=${median.toFixed(3)} min_ms=${times[0].toFixed(3)} max_ms=${times[m - 1].toFixed(3)}`);
  return 0;
}

main().then((rc) => process.exit(rc), (e) => { console.error(`bench.js: ${e.message || e}`); process.exit(1); });
