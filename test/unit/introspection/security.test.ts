// Transport security of KVMI: the Unix socket the client library creates is owner-only (0600), TCP
// defaults to loopback, and a configured cookie is enforced in the handshake (kvmi-protocol.md §1.2):
// the wrong hash, no hash, or no answer at all refuses the tool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { startIntrospection, IntrospectionConnectError } from '../../../src/vmm/introspection';
import { parseIntrospectionArgs, IntrospectionOptionError } from '../../../src/vmm/introspection/introspectionOptions';
import { parseKvmiAddress } from '../../../src/vmm/kvmi/transportAddress';
import { listen } from '../../../src/dap/kvmi/kvmiListener';
import { hostOptions, scriptedVm, socketDir } from './support/harness';
import { op } from './support/programs';

const key = new TextEncoder().encode('s3cret cookie');

test('the client library creates its Unix socket with mode 0600', async () => {
  const dir = socketDir();
  const listener = await listen(`unix:${dir.path('k.sock')}`);
  try {
    assert.equal(statSync(dir.path('k.sock')).mode & 0o777, 0o600);
    assert.ok(statSync(dir.path('k.sock')).isSocket());
  } finally { await listener.close(); dir.remove(); }
});

test('TCP without a host listens on loopback only; a non-loopback host must be written out', async () => {
  assert.deepEqual(parseKvmiAddress('tcp:4444'), { kind: 'tcp', host: '127.0.0.1', port: 4444, hostGiven: false });
  assert.deepEqual(parseKvmiAddress('tcp::4444'), { kind: 'tcp', host: '127.0.0.1', port: 4444, hostGiven: false });
  assert.deepEqual(parseKvmiAddress('tcp:[::1]:4444'), { kind: 'tcp', host: '::1', port: 4444, hostGiven: true });
  const listener = await listen('tcp:0');
  try {
    assert.equal(listener.address.kind === 'tcp' && listener.address.host, '127.0.0.1');
    assert.match(listener.text, /^tcp:127\.0\.0\.1:\d+$/);
  } finally { await listener.close(); }
  const { options } = parseIntrospectionArgs(['--introspect', 'tcp:10.1.2.3:4444']);
  assert.equal(options?.address.kind === 'tcp' && options.address.host, '10.1.2.3');
});

test('the VMM options: key from a file or the command line, reconnect, denials; bad values are named', () => {
  const { options, rest } = parseIntrospectionArgs(['run', 'g.elf', '--introspect=unix:/tmp/k.sock', '--introspect-key', 'abc',
    '--introspect-reconnect', '2', '--kvmi-deny-command', 'KVMI_VM_WRITE_PHYSICAL', '--kvmi-deny-event', 'vcpu_event_pf', '--kvmi-deny-event', '9']);
  assert.deepEqual(rest, ['run', 'g.elf']);
  assert.deepEqual(options?.key, new TextEncoder().encode('abc'));
  assert.equal(options?.reconnectSeconds, 2);
  assert.deepEqual(options?.deniedCommands, [14]);
  assert.deepEqual(options?.deniedEvents, [17, 9]);
  const bad = (args: string[], option: string) => assert.throws(() => parseIntrospectionArgs(args), (e: unknown) => e instanceof IntrospectionOptionError && e.option === option);
  bad(['--introspect', 'udp:1'], '--introspect');
  bad(['--introspect', 'tcp:0'], '--introspect');
  bad(['--introspect-key', 'x'], '--introspect-key');
  bad(['--introspect', 'tcp:1', '--introspect-key', '@/nonexistent/key'], '--introspect-key');
  bad(['--introspect', 'tcp:1', '--introspect-reconnect', '0'], '--introspect-reconnect');
  bad(['--introspect', 'tcp:1', '--kvmi-deny-command', 'KVMI_GET_VERSION'], '--kvmi-deny-command');
  bad(['--introspect', 'tcp:1', '--kvmi-deny-event', 'nonsense'], '--kvmi-deny-event');
  bad(['--introspect'], '--introspect');
});

async function attachWith(hostKey: Uint8Array | undefined, clientKey: Uint8Array | undefined) {
  const dir = socketDir();
  const address = `unix:${dir.path('k.sock')}`;
  const rejected: Error[] = [];
  const listener = await listen(address, { key: clientKey, onRejectedPeer: (e) => rejected.push(e) });
  const { vm } = await scriptedVm(op.spin());
  const accepted = listener.accept().catch(() => undefined);
  try {
    const handle = await startIntrospection(vm, hostOptions(address, { key: hostKey, handshakeTimeoutMs: 2000 }), { log: () => {} });
    const conn = await accepted;
    const version = await conn?.getVersion();
    conn?.close();
    await handle.close();
    return { ok: true as const, version };
  } catch (e) {
    return { ok: false as const, error: e as Error };
  } finally {
    await listener.close();
    await vm.stop();
    dir.remove();
  }
}

test('with a key configured, the right cookie hash is accepted and a wrong or missing one refused', async () => {
  const good = await attachWith(key, key);
  assert.equal(good.ok && good.version?.version, 1);
  for (const clientKey of [new TextEncoder().encode('wrong'), undefined]) {
    const bad = await attachWith(key, clientKey);
    assert.equal(bad.ok, false);
    assert.ok(!bad.ok && bad.error instanceof IntrospectionConnectError);
    assert.match(!bad.ok ? bad.error.message : '', /wrong cookie hash/);
  }
});

test('a tool that never answers the handshake is refused after the handshake timeout', async () => {
  const dir = socketDir();
  const server = createServer(() => {});
  await new Promise<void>((resolve) => server.listen(dir.path('k.sock'), resolve));
  const { vm } = await scriptedVm(op.spin());
  try {
    await assert.rejects(startIntrospection(vm, hostOptions(`unix:${dir.path('k.sock')}`, { handshakeTimeoutMs: 150 }), { log: () => {} }),
      (e: unknown) => e instanceof IntrospectionConnectError && /timed out/.test(e.message));
  } finally {
    server.close();
    await vm.stop();
    dir.remove();
  }
});

test('no tool listening and no reconnect: startIntrospection fails with a clear error', async () => {
  const dir = socketDir();
  const { vm } = await scriptedVm(op.spin());
  try {
    await assert.rejects(startIntrospection(vm, hostOptions(`unix:${dir.path('none.sock')}`), { log: () => {} }),
      (e: unknown) => e instanceof IntrospectionConnectError && e.message.includes('none.sock'));
  } finally { await vm.stop(); dir.remove(); }
});

test('the whole exchange also works over loopback TCP', async () => {
  const listener = await listen('tcp:127.0.0.1:0');
  const { vm } = await scriptedVm(op.spin());
  try {
    const started = startIntrospection(vm, hostOptions(listener.text), { log: () => {} });
    const conn = await listener.accept(5000);
    const handle = await started;
    assert.equal(await conn.getVmInfo(), 1);
    assert.deepEqual(await conn.readPhysical(0x1000n, 1), new Uint8Array([0x05]));
    conn.close();
    await handle.close();
  } finally { await listener.close(); await vm.stop(); }
});

test('a peer that connects and stays silent does not hold up the next VMM', async () => {
  const dir = socketDir();
  const address = `unix:${dir.path('k.sock')}`;
  const listener = await listen(address, { handshakeTimeoutMs: 60_000 });
  const silent = connect({ path: dir.path('k.sock') });
  const { vm } = await scriptedVm(op.spin());
  try {
    const started = startIntrospection(vm, hostOptions(address), { log: () => {} });
    const conn = await listener.accept(5000);
    const handle = await started;
    assert.equal(await conn.getVmInfo(), 1);
    conn.close();
    await handle.close();
  } finally { silent.destroy(); await listener.close(); await vm.stop(); dir.remove(); }
});
