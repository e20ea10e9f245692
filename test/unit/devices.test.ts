/** design.md, Devices: auto never picks a software WebGPU adapter; WebGPU chosen by hand still runs. */
import { describe, expect, it } from 'vitest';
import { decideGpu, softwareAdapterName, type AdapterLike } from '../../src/core/devices';

/** What Chromium 156 reports for its SwiftShader adapter under --enable-unsafe-webgpu. */
const SWIFTSHADER: AdapterLike = { info: { vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader Device (Subzero)', isFallbackAdapter: false } };
const FALLBACK: AdapterLike = { info: { vendor: 'unknown', architecture: '', description: '', isFallbackAdapter: true } };
const OLD_FALLBACK: AdapterLike = { isFallbackAdapter: true, info: { vendor: 'x' } };
const LLVMPIPE: AdapterLike = { info: { vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' } };
const NVIDIA: AdapterLike = { info: { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200', isFallbackAdapter: false } };

describe('softwareAdapterName', () => {
  it.each([
    ['SwiftShader by name', SWIFTSHADER, 'SwiftShader'],
    ['a fallback adapter', FALLBACK, 'a fallback adapter'],
    ['the older adapter.isFallbackAdapter', OLD_FALLBACK, 'a fallback adapter'],
    ['Mesa llvmpipe', LLVMPIPE, 'llvmpipe'],
    ['a hardware GPU', NVIDIA, null],
    ['an adapter that says nothing', {}, null],
  ])('%s', (_, adapter, name) => {
    expect(softwareAdapterName(adapter)).toBe(name);
  });
});

describe('decideGpu', () => {
  it('auto takes a hardware adapter and passes over a software one, saying why', () => {
    expect(decideGpu('auto', NVIDIA, 'WASM')).toEqual({ gpu: true, note: null });
    const software = decideGpu('auto', SWIFTSHADER, 'the CPU trainer');
    expect(software.gpu).toBe(false);
    expect(software.note).toBe('The only WebGPU adapter is a software one (SwiftShader): running on the CPU trainer, which is faster; choose WebGPU to use it anyway.');
    expect(decideGpu('auto', FALLBACK, 'WASM').gpu).toBe(false);
  });

  it('WebGPU chosen by hand runs even on a software adapter, with a warning', () => {
    expect(decideGpu('webgpu', SWIFTSHADER, 'WASM')).toEqual({ gpu: true, note: 'WebGPU on a software adapter (SwiftShader), as chosen: expect it to be slow.' });
    expect(decideGpu('webgpu', NVIDIA, 'WASM')).toEqual({ gpu: true, note: null });
  });

  it('no adapter, or the CPU chosen, means no GPU', () => {
    expect(decideGpu('webgpu', null, 'WASM')).toEqual({ gpu: false, note: 'No WebGPU adapter in this browser: running on WASM.' });
    expect(decideGpu('auto', null, 'WASM').gpu).toBe(false);
    expect(decideGpu('cpu', NVIDIA, 'WASM')).toEqual({ gpu: false, note: null });
  });
});
