/**
 * NumPy `.npy` files of one matrix: the magic string, the format version, a little-endian header
 * length, a Python-dict header padded with spaces, then the raw data.
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 *
 * Written: version 1.0, little-endian float32, C order (the CLI's --export). Read: versions 1.0,
 * 2.0 and 3.0 (they differ only in the header length's width and the header's encoding),
 * little-endian float32 or float16, C or Fortran order, into a row-major Float32Array. Anything
 * else is refused with a message that says how to convert it in NumPy.
 */

/** Values one matrix may hold: 2^27, 512 MiB as float32 (e.g. 131,072 rows of 1,024 dimensions). */
export const MAX_NPY_VALUES = 2 ** 27;

const MAGIC = [0x93, ...Array.from('NUMPY', (c) => c.charCodeAt(0))];
/** Bytes before the header: magic (6), version (2) and a header length of up to 4 bytes. */
export const NPY_PREFIX_BYTES = 12;

export function encodeNpyFloat32(data: Float32Array, rows: number, cols: number): Uint8Array {
  if (data.length !== rows * cols) {
    throw new RangeError(`npy: ${data.length} values do not fill a ${rows} x ${cols} matrix.`);
  }
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  const preamble = 10; // magic (6) + version (2) + header length (2)
  const padded = Math.ceil((preamble + dict.length + 1) / 64) * 64 - preamble;
  const header = dict.padEnd(padded - 1, ' ') + '\n';
  const out = new Uint8Array(preamble + header.length + data.byteLength);
  out.set([...MAGIC, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Array.from(header, (c) => c.charCodeAt(0)), preamble);
  // Float32Array is little-endian on every platform browsers and Node run on.
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), preamble + header.length);
  return out;
}

/** A refused or damaged .npy file; the message says what is wrong and how to write it instead. */
export class NpyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NpyError';
  }
}

/** A matrix's header, checked: what `decodeNpyFloat32` will read, known before reading the data. */
export interface NpyMatrixHeader {
  version: string;
  /** `<f4` or `<f2`. */
  descr: '<f4' | '<f2';
  fortranOrder: boolean;
  rows: number;
  cols: number;
  /** Where the data starts; the file is exactly `dataOffset + rows * cols * bytesPerValue` long. */
  dataOffset: number;
  bytesPerValue: 4 | 2;
}

/** The length of the magic, version, length field and header, from the file's first NPY_PREFIX_BYTES bytes. */
export function npyHeaderEnd(prefix: Uint8Array): number {
  if (prefix.length < 10 || MAGIC.some((byte, i) => prefix[i] !== byte)) {
    throw new NpyError('not a .npy file (it does not start with \\x93NUMPY): write it with numpy.save.');
  }
  const [major, minor] = [prefix[6], prefix[7]];
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  if (major === 1) return 10 + view.getUint16(8, true);
  if (major === 2 || major === 3) {
    if (prefix.length < 12) throw new NpyError('the file ends inside its header.');
    return 12 + view.getUint32(8, true);
  }
  throw new NpyError(`.npy format version ${major}.${minor} is not supported (1.0, 2.0 and 3.0 are): write the file with numpy.save.`);
}

/**
 * Reads and checks the header (`bytes` must hold at least `npyHeaderEnd` bytes): a 2-D float32 or
 * float16 matrix of at most MAX_NPY_VALUES values. `fileBytes`, when known, must match the shape.
 */
export function readNpyHeader(bytes: Uint8Array, fileBytes?: number): NpyMatrixHeader {
  const dataOffset = npyHeaderEnd(bytes);
  if (bytes.length < dataOffset) throw new NpyError('the file ends inside its header.');
  const start = bytes[6] === 1 ? 10 : 12;
  const headerBytes = bytes.subarray(start, dataOffset);
  // Versions 1 and 2 use latin-1 headers, 3 UTF-8; the fields read here are ASCII either way.
  const header = bytes[6] === 3 ? new TextDecoder().decode(headerBytes) : String.fromCharCode(...headerBytes);
  const version = `${bytes[6]}.${bytes[7]}`;
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined) {
    throw new NpyError(`a structured or unreadable dtype (${header.trim()}): save a plain float32 matrix, e.g. np.save(path, np.asarray(x, dtype=np.float32)).`);
  }
  if (fortran === undefined || shapeText === undefined) throw new NpyError(`the header lacks 'fortran_order' or 'shape': ${header.trim()}.`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  checkDtype(descr);
  if (shape.length !== 2) {
    const hint = shape.length === 1
      ? 'x.reshape(1, -1) for one vector'
      : 'one vector per row: pool token vectors first, or x.reshape(len(x), -1)';
    throw new NpyError(`shape (${shape.join(', ')}${shape.length === 1 ? ',' : ''}) is not a matrix of rows x dimensions: save a 2-D array (${hint}).`);
  }
  const [rows, cols] = shape;
  if (!shape.every((n) => Number.isInteger(n)) || rows < 1 || cols < 1) throw new NpyError(`shape (${rows}, ${cols}) has no vectors in it.`);
  if (rows * cols > MAX_NPY_VALUES) {
    throw new NpyError(`${rows.toLocaleString('en')} x ${cols.toLocaleString('en')} = ${(rows * cols).toLocaleString('en')} values, more than the ` +
      `${MAX_NPY_VALUES.toLocaleString('en')} (2^27, 512 MiB as float32) a matrix may have here: keep fewer rows (languages, articles) or dimensions.`);
  }
  const bytesPerValue = descr === '<f2' ? 2 : 4;
  const expected = dataOffset + rows * cols * bytesPerValue;
  if (fileBytes !== undefined && fileBytes !== expected) {
    throw new NpyError(`the header says ${rows} x ${cols} ${descr === '<f2' ? 'float16' : 'float32'} (${expected.toLocaleString('en')} bytes with the header), ` +
      `but the file has ${fileBytes.toLocaleString('en')} bytes: it is ${fileBytes < expected ? 'cut short' : 'longer than that'}; write it again with np.save.`);
  }
  return { version, descr: descr as NpyMatrixHeader['descr'], fortranOrder: fortran === 'True', rows, cols, dataOffset, bytesPerValue };
}

function checkDtype(descr: string): asserts descr is '<f4' | '<f2' {
  if (descr === '<f4' || descr === '<f2') return;
  const convert = 'np.save(path, x.astype(np.float32))';
  if (descr === '>f4' || descr === '>f2') throw new NpyError(`dtype '${descr}' is big-endian: save little-endian, ${descr === '>f4' ? "np.save(path, x.astype('<f4'))" : convert}.`);
  if (/^[<>=|]f(8|16)$/.test(descr)) throw new NpyError(`dtype '${descr}' (float${Number(descr.slice(2)) * 8}) is not read here: save float32, ${convert}.`);
  throw new NpyError(`dtype '${descr}' is not a float type: vectors must be float32 or float16, e.g. ${convert}.`);
}

/**
 * Reads a whole .npy matrix (float32 or float16, C or Fortran order, format 1.0 to 3.0) into a
 * row-major float32 array. Throws NpyError with the fix for anything else.
 */
export function decodeNpyFloat32(bytes: Uint8Array): { data: Float32Array; rows: number; cols: number } {
  const { rows, cols, dataOffset, bytesPerValue, fortranOrder } = readNpyHeader(bytes, bytes.length);
  const count = rows * cols;
  // Copy into a fresh buffer: Node's Buffer.slice is a view, and typed arrays must start aligned.
  const raw = new Uint8Array(bytes.subarray(dataOffset, dataOffset + count * bytesPerValue)).buffer;
  const stored = bytesPerValue === 4 ? new Float32Array(raw) : halfsToFloats(new Uint16Array(raw));
  if (!fortranOrder) return { data: stored, rows, cols };
  // Fortran (column-major) order: value (r, c) is at c * rows + r.
  const data = new Float32Array(count);
  for (let c = 0; c < cols; c++) {
    const column = c * rows;
    for (let r = 0; r < rows; r++) data[r * cols + c] = stored[column + r];
  }
  return { data, rows, cols };
}

let halfTable: Float32Array | null = null;

/** IEEE 754 binary16 to float32, exactly (every half is a float32), through a 65,536-entry table. */
function halfsToFloats(halves: Uint16Array): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) {
      const sign = h & 0x8000 ? -1 : 1;
      const exponent = (h >> 10) & 0x1f;
      const fraction = h & 0x3ff;
      halfTable[h] = exponent === 0 ? sign * fraction * 2 ** -24
        : exponent === 31 ? (fraction ? NaN : sign * Infinity)
        : sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
    }
  }
  const out = new Float32Array(halves.length);
  for (let i = 0; i < halves.length; i++) out[i] = halfTable[halves[i]];
  return out;
}
