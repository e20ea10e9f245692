/**
 * Which device a long job runs on (design.md, Devices). `auto` never picks a software WebGPU adapter
 * (one that reports itself as a fallback adapter, or SwiftShader, llvmpipe or lavapipe by name): on
 * it the CPU trainer and WASM encoding are tens of times faster, and many machines without a GPU
 * expose one. Choosing WebGPU by hand still uses it (tests do, to run the WGSL code).
 */

/** What a WebGPU adapter says of itself: `GPUAdapter.info` (and the older `isFallbackAdapter`). */
export interface AdapterLike {
  isFallbackAdapter?: boolean;
  info?: { isFallbackAdapter?: boolean; vendor?: string; architecture?: string; device?: string; description?: string };
}

export type GpuChoice = 'auto' | 'webgpu' | 'cpu';

const SOFTWARE_RENDERERS = /swiftshader|llvmpipe|lavapipe/i;

/** A name for a software adapter ("SwiftShader"), or null for hardware. */
export function softwareAdapterName(adapter: AdapterLike): string | null {
  const info = adapter.info ?? {};
  const text = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
  const named = SOFTWARE_RENDERERS.exec(text);
  if (named) return named[0].toLowerCase() === 'swiftshader' ? 'SwiftShader' : named[0];
  return info.isFallbackAdapter === true || adapter.isFallbackAdapter === true ? 'a fallback adapter' : null;
}

export interface GpuDecision {
  gpu: boolean;
  /** Why the device is not the obvious one, for the progress line; null when there is nothing to say. */
  note: string | null;
}

/**
 * `cpuName` names the other path ("the CPU trainer", "WASM") in the notes. `adapter` is what
 * `navigator.gpu.requestAdapter()` gave (null: none, or no WebGPU at all).
 */
export function decideGpu(choice: GpuChoice, adapter: AdapterLike | null, cpuName: string): GpuDecision {
  if (choice === 'cpu') return { gpu: false, note: null };
  if (!adapter) return { gpu: false, note: `No WebGPU adapter in this browser: running on ${cpuName}.` };
  const software = softwareAdapterName(adapter);
  if (software === null) return { gpu: true, note: null };
  if (choice === 'webgpu') return { gpu: true, note: `WebGPU on a software adapter (${software}), as chosen: expect it to be slow.` };
  return {
    gpu: false,
    note: `The only WebGPU adapter is a software one (${software}): running on ${cpuName}, which is faster; choose WebGPU to use it anyway.`,
  };
}
