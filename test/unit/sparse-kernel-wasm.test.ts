import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EMBEDDED_PATH, embeddedKernelSource } from '../../scripts/build-wasm';

describe('the embedded sparse scoring kernel', () => {
  it('is the assembled sparse-kernel.wat (run npm run build:wasm after editing the .wat)', async () => {
    expect(readFileSync(EMBEDDED_PATH, 'utf8')).toBe(await embeddedKernelSource());
  });
});
