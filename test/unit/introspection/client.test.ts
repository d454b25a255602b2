// The KVMI client library against a scripted VMM on the other end of a real socket: command
// timeouts (and a late reply afterwards is dropped, not fatal), close() failing what is pending,
// typed command errors, event replies checked before they are sent, and the async event iterator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import {
  KVMI_ERR, KVMI_MSG, KvmiFrameReader, encodeCommandReply, encodeErrorReply, encodeQemuToIntrospector, encodeVcpuEvent,
  type KvmiFrame,
} from '../../../src/vmm/kvmi';
import { emptyRegs, emptySregs } from '../../../src/vmm/x86/kvmState';
import { listen, type KvmiListener } from '../../../src/dap/kvmi/kvmiListener';
import type { KvmiConnection } from '../../../src/dap/kvmi/kvmiConnection';
import { KvmiClosedError, KvmiCommandError, KvmiTimeoutError, KvmiUsageError } from '../../../src/dap/kvmi/kvmiErrors';
import { socketDir } from './support/harness';
import { waitFor } from './support/programs';

const MSRS = { sysenter_cs: 0n, sysenter_esp: 0n, sysenter_eip: 0n, efer: 0n, star: 0n, lstar: 0n, cstar: 0n, pat: 0n, shadow_gs: 0n };
const STATE = { vcpu: 0, arch: { mode: 8, regs: emptyRegs(), sregs: emptySregs(), msrs: MSRS } };

/** A scripted VMM: does the handshake, then hands every frame the client sends to `onFrame`. */
async function scriptedVmm(listener: KvmiListener, onFrame: (f: KvmiFrame, s: Socket) => void): Promise<{ socket: Socket; conn: KvmiConnection }> {
  const accepted = listener.accept(5000);
  const socket = connect({ path: listener.address.kind === 'unix' ? listener.address.path : '' });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(encodeQemuToIntrospector({ uuid: new Uint8Array(16), start_time: 5n, name: new Uint8Array(64), max_gpa: 1n << 20n }));
  const reader = new KvmiFrameReader();
  let answered = false;
  socket.on('data', (chunk: Buffer) => {
    let data = new Uint8Array(chunk);
    if (!answered) { answered = true; data = data.subarray(24); }
    for (const frame of reader.push(data)) onFrame(frame, socket);
  });
  return { socket, conn: await accepted };
}

async function withListener(body: (l: KvmiListener) => Promise<void>): Promise<void> {
  const dir = socketDir();
  const listener = await listen(`unix:${dir.path('c.sock')}`, { commandTimeoutMs: 100 });
  try { await body(listener); } finally { await listener.close(); dir.remove(); }
}

test('a command without a reply times out; its late reply is dropped and the connection stays usable', async () => {
  await withListener(async (listener) => {
    const held: KvmiFrame[] = [];
    const { socket, conn } = await scriptedVmm(listener, (f, s) => {
      if (held.length === 0) { held.push(f); return; }
      s.write(encodeCommandReply('KVMI_VM_GET_INFO', f.hdr.seq, { ok: true, reply: { vcpu_count: 2 } }));
    });
    await assert.rejects(conn.getVmInfo(), KvmiTimeoutError);
    socket.write(encodeCommandReply('KVMI_VM_GET_INFO', held[0].hdr.seq, { ok: true, reply: { vcpu_count: 1 } }));
    assert.equal(await conn.getVmInfo(), 2);
    assert.equal(conn.isClosed, false);
    conn.close();
    socket.destroy();
  });
});

test('error replies reject with KvmiCommandError carrying the code and its name', async () => {
  await withListener(async (listener) => {
    const { socket, conn } = await scriptedVmm(listener, (f, s) => s.write(encodeErrorReply(f.hdr.id, f.hdr.seq, KVMI_ERR.EPERM)));
    await assert.rejects(conn.getVmInfo(), (e: unknown) => e instanceof KvmiCommandError && e.code === -1 && e.codeName === 'KVM_EPERM'
      && e.command === 'KVMI_VM_GET_INFO');
    conn.close();
    socket.destroy();
  });
});

test('close() fails pending commands with KvmiClosedError and ends the event iterator', async () => {
  await withListener(async (listener) => {
    const { socket, conn } = await scriptedVmm(listener, () => {});
    const pending = conn.getVersion();
    const iterated: unknown[] = [];
    const iteration = (async () => { for await (const e of conn) iterated.push(e); })();
    conn.close();
    await assert.rejects(pending, KvmiClosedError);
    await iteration;
    assert.deepEqual(iterated, []);
    assert.equal((await conn.closed).kind, 'local');
    await assert.rejects(conn.getVersion(), KvmiClosedError);
    socket.destroy();
  });
});

test('events: typed payload, one reply only, actions the event refuses are rejected before sending', async () => {
  await withListener(async (listener) => {
    const replies: KvmiFrame[] = [];
    const { socket, conn } = await scriptedVmm(listener, (f) => { if (f.hdr.id === KVMI_MSG.KVMI_VCPU_EVENT) replies.push(f); });
    socket.write(encodeVcpuEvent('KVMI_VCPU_EVENT_PAUSE', 1, STATE, undefined));
    socket.write(encodeVcpuEvent('KVMI_VCPU_EVENT_CR', 2, STATE, { cr: 4, old_value: 1n, new_value: 3n }));
    const pause = await conn.nextEvent(5000);
    assert.equal(pause?.name, 'KVMI_VCPU_EVENT_PAUSE');
    assert.ok(pause?.scope === 'vcpu');
    assert.throws(() => pause.reply('retry'), KvmiUsageError, 'PAUSE accepts CONTINUE or CRASH only');
    pause.reply('continue');
    assert.throws(() => pause.reply('continue'), KvmiUsageError);
    const cr = await conn.nextEvent(5000);
    assert.ok(cr?.scope === 'vcpu' && cr.name === 'KVMI_VCPU_EVENT_CR');
    assert.deepEqual(cr.payload, { cr: 4, old_value: 1n, new_value: 3n });
    cr.reply('continue');
    await waitFor(() => replies.length === 2, 'both replies reach the VMM');
    assert.deepEqual(replies.map((r) => [r.hdr.seq, r.payload.length]), [[1, 16], [2, 24]], 'CR replies carry new_val');
    const view = new DataView(replies[1].payload.buffer, replies[1].payload.byteOffset);
    assert.equal(view.getBigUint64(16, true), 3n, 'new_val defaults to the new value (allow the write)');
    conn.close();
    socket.destroy();
  });
});
