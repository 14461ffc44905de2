#!/usr/bin/env node
'use strict';
// Runs an ONNX model with ONNX Runtime (CPU) and writes every output as DIR/<name>.npy.
//   node scripts/ort/run.js --model M.onnx --input NAME=FILE.npy ... --output-dir DIR [--threads N]
// Output names are sanitized: characters outside [A-Za-z0-9._-] become '_'.
const fs = require('fs');
const path = require('path');
const { ort, parseArgs, createSession } = require('./common');
const { readNpy, writeNpy } = require('./npy');

const USAGE = 'usage: run.js --model M.onnx --input NAME=FILE.npy ... --output-dir DIR [--threads N]';

function sanitize(name) {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

async function main() {
  const args = parseArgs(process.argv.slice(2), {
    model: {}, input: { multi: true }, 'output-dir': {}, threads: { int: true, default: 1 },
  });
  if (args.help) { console.log(USAGE); return 0; }
  if (!args.model || !args['output-dir']) throw new Error(USAGE);
  const session = await createSession(args.model, args.threads || 1);
  const feeds = {};
  for (const spec of args.input) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new Error(`--input expects NAME=FILE, got ${spec}`);
    const name = spec.slice(0, eq);
    if (!session.inputNames.includes(name)) {
      throw new Error(`model has no input ${name}; inputs: ${session.inputNames.join(', ')}`);
    }
    const a = readNpy(spec.slice(eq + 1));
    feeds[name] = new ort.Tensor(a.type, a.data, a.shape);
  }
  const missing = session.inputNames.filter((n) => !(n in feeds));
  if (missing.length) throw new Error(`missing --input for: ${missing.join(', ')}`);
  const results = await session.run(feeds);
  const outDir = args['output-dir'];
  fs.mkdirSync(outDir, { recursive: true });
  for (const name of session.outputNames) {
    const t = results[name];
    const file = path.join(outDir, `${sanitize(name)}.npy`);
    writeNpy(file, t.type, t.dims, t.data);
    console.log(`${name}: ${t.type} [${t.dims.join(',')}] -> ${file}`);
  }
  return 0;
}

main().then((rc) => process.exit(rc), (e) => { console.error(`run.js: ${e.message || e}`); process.exit(1); });
