'use strict';
// Shared helpers for run.js and bench.js.
const ort = require('onnxruntime-node');

// Parses --key value / --key=value arguments; repeated keys collect into arrays.
function parseArgs(argv, spec) {
  const out = {};
  for (const [k, v] of Object.entries(spec)) out[k] = v.multi ? [] : v.default;
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    if (a === '-h' || a === '--help') { out.help = true; continue; }
    if (!a.startsWith('--')) throw new Error(`unexpected argument: ${a}`);
    a = a.slice(2);
    let val;
    const eq = a.indexOf('=');
    let key = a;
    if (eq >= 0 && spec[a.slice(0, eq)]) { key = a.slice(0, eq); val = a.slice(eq + 1); }
    const s = spec[key];
    if (!s) throw new Error(`unknown option --${key}`);
    if (val === undefined) {
      if (i + 1 >= argv.length) throw new Error(`--${key} needs a value`);
      val = argv[++i];
    }
    if (s.int) {
      const n = Number(val);
      if (!Number.isInteger(n) || n < 0) throw new Error(`--${key}: not a non-negative integer: ${val}`);
      val = n;
    }
    if (s.multi) out[key].push(val); else out[key] = val;
  }
  return out;
}

function sessionOptions(threads) {
  return {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  };
}

async function createSession(model, threads) {
  return ort.InferenceSession.create(model, sessionOptions(threads));
}

module.exports = { ort, parseArgs, sessionOptions, createSession };
