'use strict';
// Minimal .npy (format 1.0/2.0/3.0) reader and writer: little-endian, C order only.
const fs = require('fs');

const DESCR_TO_TYPE = {
  '<f4': 'float32', '<f8': 'float64', '<i8': 'int64', '<i4': 'int32', '<i2': 'int16',
  '|i1': 'int8', '|u1': 'uint8', '<u2': 'uint16', '<u4': 'uint32', '<u8': 'uint64',
  '|b1': 'bool', '<f2': 'float16',
};
const TYPE_TO_DESCR = Object.fromEntries(Object.entries(DESCR_TO_TYPE).map(([d, t]) => [t, d]));
const TYPE_TO_ARRAY = {
  float32: Float32Array, float64: Float64Array, int64: BigInt64Array, int32: Int32Array,
  int16: Int16Array, int8: Int8Array, uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array,
  uint64: BigUint64Array, bool: Uint8Array, float16: Uint16Array,
};

function parseHeader(text) {
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(text);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shape) throw new Error(`bad .npy header: ${text}`);
  return {
    descr: descr[1],
    fortran: fortran[1] === 'True',
    shape: shape[1].split(',').map((s) => s.trim()).filter((s) => s.length).map(Number),
  };
}

// Returns {type, shape, data} with data a typed array of the ORT tensor type.
function readNpy(path) {
  const buf = fs.readFileSync(path);
  if (buf.length < 10 || buf[0] !== 0x93 || buf.toString('latin1', 1, 6) !== 'NUMPY') {
    throw new Error(`${path}: not a .npy file`);
  }
  const major = buf[6];
  let hlen, off;
  if (major === 1) { hlen = buf.readUInt16LE(8); off = 10; } else { hlen = buf.readUInt32LE(8); off = 12; }
  const h = parseHeader(buf.toString('latin1', off, off + hlen));
  if (h.fortran) throw new Error(`${path}: fortran_order arrays are not supported`);
  let descr = h.descr;
  if (descr === '<b1' || descr === '?') descr = '|b1';
  if (descr === '<u1') descr = '|u1';
  if (descr === '<i1') descr = '|i1';
  const type = DESCR_TO_TYPE[descr];
  if (!type) throw new Error(`${path}: unsupported dtype ${h.descr}`);
  const Arr = TYPE_TO_ARRAY[type];
  const count = h.shape.reduce((a, b) => a * b, 1);
  const start = off + hlen;
  const bytes = buf.subarray(start, start + count * Arr.BYTES_PER_ELEMENT);
  if (bytes.length !== count * Arr.BYTES_PER_ELEMENT) throw new Error(`${path}: truncated data`);
  // Copy into a fresh, aligned buffer.
  const ab = new ArrayBuffer(bytes.length);
  new Uint8Array(ab).set(bytes);
  return { type, shape: h.shape, data: new Arr(ab) };
}

// Writes a C-order little-endian .npy (format 1.0, header padded to 64 bytes).
function writeNpy(path, type, shape, data) {
  const descr = TYPE_TO_DESCR[type];
  if (!descr) throw new Error(`cannot write tensor type ${type} to .npy`);
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre[0] = 0x93; pre.write('NUMPY', 1, 'latin1'); pre[6] = 1; pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  fs.writeFileSync(path, Buffer.concat([pre, Buffer.from(header, 'latin1'), body]));
}

module.exports = { readNpy, writeNpy };
