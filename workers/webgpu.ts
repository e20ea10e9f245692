/** The browser side of core/devices.ts: ask for an adapter and decide by its info. */
import { decideGpu, type AdapterLike, type GpuChoice, type GpuDecision } from '../src/core/devices';

type Requester = { requestAdapter(options?: { powerPreference?: 'high-performance' }): Promise<(AdapterLike & object) | null> };

/** The adapter (null when none) and the decision for `choice`. */
export async function chooseGpu<Adapter>(choice: GpuChoice, cpuName: string): Promise<GpuDecision & { adapter: Adapter | null }> {
  if (choice === 'cpu') return { ...decideGpu(choice, null, cpuName), adapter: null };
  const gpu = (navigator as Navigator & { gpu?: Requester }).gpu;
  const adapter = gpu ? await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null) : null;
  return { ...decideGpu(choice, adapter, cpuName), adapter: adapter as Adapter | null };
}
