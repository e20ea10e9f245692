/// <reference lib="webworker" />
/**
 * Entry of the encoder worker: commands come from the page and, through the port the page hands
 * over with a `connect` message, from the lab worker. Each side gets its answers on its own channel.
 */
import { createEncoderHost } from './host';
import type { EncoderCommand, EncoderEvent } from './protocol';
import { answerPing } from '../supervised';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const handle = createEncoderHost();

function listen(endpoint: { postMessage(message: unknown, transfer: Transferable[]): void }) {
  const post = (event: EncoderEvent) =>
    endpoint.postMessage(event, event.type === 'encoded' ? [event.embeddings.buffer] : []);
  return (message: MessageEvent<EncoderCommand>) => handle(message.data, post);
}

const fromPage = listen(scope);
scope.onmessage = (message: MessageEvent<EncoderCommand | { type: 'connect' }>) => {
  // The page's heartbeat (workers/supervised.ts).
  if (answerPing(message.data, (pong) => scope.postMessage(pong))) return;
  if (message.data.type === 'connect') {
    const port = message.ports[0];
    port.onmessage = listen(port);
    return;
  }
  fromPage(message as MessageEvent<EncoderCommand>);
};
