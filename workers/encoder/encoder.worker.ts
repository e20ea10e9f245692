/// <reference lib="webworker" />
/**
 * Entry of the encoder worker: commands come from the page and, through the port the page hands
 * over with a `connect` notice, from the lab worker. Each channel gets its answers on itself.
 */
import { serve, type ServeEndpoint } from '../rpc';
import { createEncoderHost } from './host';
import type { EncoderEvent, EncoderProtocol } from './protocol';

const host = createEncoderHost();
const transferEmbeddings = (event: EncoderEvent) => (event.type === 'encoded' ? [event.embeddings.buffer] : []);

function channel(endpoint: ServeEndpoint): void {
  serve<EncoderProtocol>(endpoint, (post) => ({
    run: (command, signal) => host(command, signal, post),
    notice: (_connect, ports) => channel(ports[0]),
  }), { notices: ['connect'], transfer: transferEmbeddings });
}
channel(self as unknown as DedicatedWorkerGlobalScope);
