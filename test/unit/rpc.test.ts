/**
 * workers/rpc.ts over a real MessageChannel (Node's, the same structured-clone messaging a Worker
 * uses): one `serve` and one `connect`, the way every worker and its caller talk.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { DatasetError } from '../../src/core/dataset/types';
import { connect, PING, PONG, serve, type ServeEndpoint, type WireError } from '../../workers/rpc';

type Command =
  | { type: 'add'; id: number; a: number; b: number }
  | { type: 'wait'; id: number }
  | { type: 'fail'; id: number; dataset: boolean }
  | { type: 'cancel'; id: number };
type Event =
  | { type: 'sum'; id: number; value: number }
  | { type: 'aborted'; id: number }
  | { type: 'progress'; id: number; progress: { done: number } }
  | { type: 'error'; id: number; error: WireError };
type Notice = { type: 'remember'; value: string } | { type: 'port' };
const REPLIES = { add: 'sum', wait: 'aborted', fail: 'sum' } as const;
interface TestProtocol {
  command: Command;
  event: Event;
  replies: typeof REPLIES;
  progress: { add: { done: number }; wait: never; fail: never };
  notice: Notice;
}

const open: MessagePort[] = [];
afterEach(() => open.splice(0).forEach((port) => port.close()));

/** A server on one end of a channel; what it heard of notices is kept in `notices`. */
function pair() {
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  const notices: { message: Notice; ports: number }[] = [];
  serve<TestProtocol>(port1 as unknown as ServeEndpoint, (post) => ({
    async run(command, signal) {
      if (command.type === 'add') {
        post({ type: 'progress', id: command.id, progress: { done: 1 } });
        post({ type: 'sum', id: command.id, value: command.a + command.b });
      } else if (command.type === 'wait') {
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
        post({ type: 'aborted', id: command.id });
      } else if (command.dataset) {
        throw new DatasetError([{ file: 'en.json', place: 'data[0]', message: 'no paragraphs' }]);
      } else {
        throw Object.assign(new Error('out of memory'), { name: 'RangeError' });
      }
    },
    notice: (message, ports) => notices.push({ message, ports: ports.length }),
  }), { notices: ['remember', 'port'] });
  const client = connect<TestProtocol>(port2 as unknown as Parameters<typeof connect>[0], REPLIES, 'test worker');
  return { client, notices, port2 };
}

describe('rpc serve / connect', () => {
  it('answers a call with its progress and its terminal event', async () => {
    const { client } = pair();
    const progress: number[] = [];
    const reply = await client.call('add', { a: 2, b: 3 }, (p) => progress.push(p.done)).reply;
    expect(reply).toEqual({ type: 'sum', id: 1, value: 5 });
    expect(progress).toEqual([1]);
  });

  it('aborts the call that cancel names, and only that one', async () => {
    const { client } = pair();
    const first = client.call('wait', {});
    const second = client.call('wait', {});
    client.cancel(second.id);
    expect((await second.reply).id).toBe(second.id);
    const sum = await client.call('add', { a: 1, b: 1 }).reply;
    expect(sum.value).toBe(2); // the first call still waits; the server still answers others
    client.cancel(first.id);
    expect((await first.reply).id).toBe(first.id);
  });

  it('turns a throw into an Error of the same name, and a DatasetError with its issues', async () => {
    const { client } = pair();
    await expect(client.call('fail', { dataset: false }).reply).rejects.toMatchObject({ name: 'RangeError', message: 'out of memory' });
    const error = await client.call('fail', { dataset: true }).reply.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as DatasetError).issues).toEqual([{ file: 'en.json', place: 'data[0]', message: 'no paragraphs' }]);
  });

  it('hands notices, with their ports, to the service and never as a command', async () => {
    const { client, notices } = pair();
    const { port1, port2 } = new MessageChannel();
    open.push(port1, port2);
    client.notify({ type: 'remember', value: 'x' });
    client.notify({ type: 'port' }, [port1 as unknown as Transferable]);
    await client.call('add', { a: 0, b: 0 }).reply; // messages arrive in order
    expect(notices).toEqual([
      { message: { type: 'remember', value: 'x' }, ports: 0 },
      { message: { type: 'port' }, ports: 1 },
    ]);
  });

  it('answers the heartbeat ping with a pong', async () => {
    const { port1, port2 } = new MessageChannel();
    open.push(port1, port2);
    serve<TestProtocol>(port1 as unknown as ServeEndpoint, () => ({ run: async () => undefined }));
    const answer = new Promise((resolve) => port2.once('message', resolve));
    port2.postMessage(PING);
    expect(await answer).toEqual(PONG);
  });

  it('fails every waiting and later call once the other side is gone', async () => {
    const { client } = pair();
    const waiting = client.call('wait', {});
    client.fail(new Error('The test worker stopped'));
    await expect(waiting.reply).rejects.toThrow('The test worker stopped');
    await expect(client.call('add', { a: 1, b: 2 }).reply).rejects.toThrow('The test worker stopped');
  });
});
