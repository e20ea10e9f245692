/**
 * The page side of encodeForPage (tuning-page.ts): float32 arrays arrive as the base64 of their
 * bytes (a MiniLM layer is 1.8 M values, too many for page.evaluate's JSON as numbers).
 */
export function decodeFloat32(base64: string): Float32Array {
  return new Float32Array(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)).buffer);
}

/** An encoded layer's groups and arrays, decoded (the LayerWeights the engines take). */
export function decodeLayer(layer: Record<string, Record<string, string>>): Record<string, Record<string, Float32Array>> {
  return Object.fromEntries(Object.entries(layer).map(([group, arrays]) => [group, Object.fromEntries(Object.entries(arrays).map(([name, values]) => [name, decodeFloat32(values)]))]));
}
