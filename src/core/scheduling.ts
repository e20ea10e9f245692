/**
 * One macrotask turn. Long synchronous work (encoding, the JS kernel, ranking) awaits this between
 * chunks so that a worker can receive a `cancel` message and a page can render progress.
 * MessageChannel rather than setTimeout, which browsers clamp to 4 ms once nested; both Node and
 * browsers have it.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}
