import { expect, test } from 'vitest';
import { decodeNpyFloat32, encodeNpyFloat32 } from '../../src/core/npy';

test('writes the exact NumPy v1 header, 64-byte aligned, then little-endian float32 data', () => {
  const bytes = encodeNpyFloat32(new Float32Array([1, -2, 0.5, 3, 4, 5]), 2, 3);
  const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  // 10 preamble bytes + 118 header bytes = 128, a multiple of 64; header ends with a newline.
  expect(Array.from(bytes.subarray(0, 10))).toEqual([0x93, 78, 85, 77, 80, 89, 1, 0, 118, 0]);
  const text = new TextDecoder().decode(bytes.subarray(10, 128));
  expect(text.startsWith(header)).toBe(true);
  expect(text.endsWith(' \n')).toBe(true);
  expect(bytes.length).toBe(128 + 6 * 4);
  expect(Array.from(new Float32Array(bytes.slice(128).buffer))).toEqual([1, -2, 0.5, 3, 4, 5]);
});

test('round-trips and refuses a shape that does not match the data', () => {
  const data = new Float32Array(12).map((_, i) => i / 7);
  const back = decodeNpyFloat32(encodeNpyFloat32(data, 4, 3));
  expect([back.rows, back.cols]).toEqual([4, 3]);
  expect(Array.from(back.data)).toEqual(Array.from(data));
  expect(() => encodeNpyFloat32(data, 5, 3)).toThrow(/do not fill a 5 x 3 matrix/);
});

test('decodes from a Node Buffer that is a view into a larger pool', () => {
  const file = encodeNpyFloat32(new Float32Array([7, 8, 9]), 3, 1);
  const pooled = Buffer.concat([Buffer.from('junk'), Buffer.from(file)]).subarray(4);
  expect(Array.from(decodeNpyFloat32(pooled).data)).toEqual([7, 8, 9]);
});
