/// <reference lib="webworker" />
/** Entry of the lab worker: the protocol in protocol.ts, the handlers in lab.ts. */
import { createLab } from './lab';
import type { LabCommand, LabEvent } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const lab = createLab((event: LabEvent) => scope.postMessage(event));
scope.onmessage = (message: MessageEvent<LabCommand | { type: 'connectEncoder' } | { type: 'ping' }>) => {
  if (message.data.type === 'connectEncoder') lab.connectEncoder(message.ports[0]);
  // The page's heartbeat (src/app/worker-client.ts): an answer says this worker is alive and not stuck.
  else if (message.data.type === 'ping') scope.postMessage({ type: 'pong', id: 0 });
  else lab.handle(message.data);
};
