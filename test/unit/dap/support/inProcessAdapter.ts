// Runs a KvmiDebugSession inside the test process on a local TCP port, so DebugClient can drive it
// with a chosen connector (the KVMI client or an in-memory target) and VMM program.
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { KvmiDebugSession, type SessionOptions } from '../../../../src/dap/session/kvmiDebugSession';

export const introspectedVmmScript = join(__dirname, 'introspectedVmm.ts');

export interface AdapterHandle { client: DebugClient; server: Server; sessions: KvmiDebugSession[]; stop(): Promise<void> }

export async function startInProcessAdapter(options: SessionOptions): Promise<AdapterHandle> {
  const sessions: KvmiDebugSession[] = [];
  const server = createServer((socket) => {
    const session = new KvmiDebugSession(options);
    session.setRunAsServer(true);
    session.start(socket, socket);
    sessions.push(session);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const client = new DebugClient('node', 'unused', 'kvmi');
  client.defaultTimeout = 20_000;
  await client.start(port);
  return {
    client, server, sessions,
    stop: async () => {
      await client.stop().catch(() => undefined);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
