/// <reference lib="webworker" />
/** Entry of the lab worker: the protocol in protocol.ts, the handlers in lab.ts. */
import { createLab } from './lab';
import type { LabCommand, LabEvent } from './protocol';
import { answerPing } from '../supervised';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const lab = createLab((event: LabEvent) => scope.postMessage(event));
scope.onmessage = (message: MessageEvent<LabCommand | { type: 'connectEncoder'; lost: string | null } | { type: 'ping' }>) => {
  // The page's heartbeat (workers/supervised.ts): an answer says this worker is alive and not stuck.
  if (answerPing(message.data, (pong) => scope.postMessage(pong))) return;
  if (message.data.type === 'connectEncoder') lab.connectEncoder(message.ports[0], message.data.lost);
  else if (message.data.type !== 'ping') lab.handle(message.data);
};
