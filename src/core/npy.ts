/**
 * NumPy `.npy` format version 1.0 for a row-major float32 matrix: the magic string, a little-endian
 * header length, a Python-dict header padded with spaces to a 64-byte boundary, then the raw data.
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
export function encodeNpyFloat32(data: Float32Array, rows: number, cols: number): Uint8Array {
  if (data.length !== rows * cols) {
    throw new RangeError(`npy: ${data.length} values do not fill a ${rows} x ${cols} matrix.`);
  }
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  const preamble = 10; // magic (6) + version (2) + header length (2)
  const padded = Math.ceil((preamble + dict.length + 1) / 64) * 64 - preamble;
  const header = dict.padEnd(padded - 1, ' ') + '\n';
  const out = new Uint8Array(preamble + header.length + data.byteLength);
  out.set([0x93, ...Array.from('NUMPY', (c) => c.charCodeAt(0)), 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Array.from(header, (c) => c.charCodeAt(0)), preamble);
  // Float32Array is little-endian on every platform browsers and Node run on.
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), preamble + header.length);
  return out;
}

/** Reads back what `encodeNpyFloat32` writes (and any v1 little-endian C-order float32 matrix). */
export function decodeNpyFloat32(bytes: Uint8Array): { data: Float32Array; rows: number; cols: number } {
  const magic = String.fromCharCode(...bytes.subarray(1, 6));
  if (bytes[0] !== 0x93 || magic !== 'NUMPY') throw new Error('npy: not a .npy file (bad magic).');
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint16(8, true);
  const header = String.fromCharCode(...bytes.subarray(10, 10 + headerLength));
  const shape = /'shape': \((\d+), (\d+)\)/.exec(header);
  if (!header.includes("'descr': '<f4'") || !header.includes("'fortran_order': False") || !shape) {
    throw new Error(`npy: only C-order little-endian float32 matrices are supported, got ${header.trim()}.`);
  }
  const rows = Number(shape[1]);
  const cols = Number(shape[2]);
  const start = 10 + headerLength;
  // Copy into a fresh buffer: Node's Buffer.slice is a view, and the data must start 4-byte aligned.
  const data = new Float32Array(new Uint8Array(bytes.subarray(start, start + rows * cols * 4)).buffer);
  return { data, rows, cols };
}
