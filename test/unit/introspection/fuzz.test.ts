// Hostile peers on both ends of the KVMI socket: truncated, oversized, mis-sequenced, wrongly
// padded and random messages thrown at the VMM's host and at the client library. Neither side may
// crash or hang; errors carry the right codes; the guest keeps running and the host keeps
// accepting new tools. The random streams come from a fixed seed, so failures replay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import {
  COMMANDS, KVMI_ERR, KVMI_EVENT_ACTION, KVMI_MSG, KVMI_PAGE_ACCESS, buildMessage, encodeCommandReply, encodeEventReply,
  encodeQemuToIntrospector, encodeStruct, KVMI_EVENT_HDR, vcpuHeader,
} from '../../../src/vmm/kvmi';
import { startIntrospection, type IntrospectionHandle } from '../../../src/vmm/introspection';
import { listen, type KvmiListener } from '../../../src/dap/kvmi/kvmiListener';
import type { KvmiConnection } from '../../../src/dap/kvmi/kvmiConnection';
import { KvmiClosedError } from '../../../src/dap/kvmi/kvmiErrors';
import { hostOptions, PROGRAM_AT, scriptedVm, socketDir } from './support/harness';
import { op } from './support/programs';
import type { Vm } from '../../../src/vmm/engine/engine';

/** mulberry32: a small deterministic PRNG. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KNOWN_CODES = new Set<number>([0, ...Object.values(KVMI_ERR)]);
const TEST_GPA = 0x5000;
const COUNTING_LOOP = [...op.incRax(), ...op.jump(PROGRAM_AT)];

interface HostUnderAttack { vm: Vm; handle: IntrospectionHandle; listener: KvmiListener; dispose(): Promise<void> }

async function hostUnderAttack(): Promise<HostUnderAttack> {
  const dir = socketDir();
  const address = `unix:${dir.path('k.sock')}`;
  const listener = await listen(address);
  const { vm } = await scriptedVm(COUNTING_LOOP);
  const started = startIntrospection(vm, hostOptions(address, { reconnectSeconds: 0.02 }), { log: () => {} });
  const first = await listener.accept(5000);
  const handle = await started;
  await handle.startGuest({ start: async (o) => vm.start(o) });
  first.close();
  return { vm, handle, listener, async dispose() { await handle.close(); await vm.stop(); await listener.close(); dir.remove(); } };
}

async function guestAdvances(vm: Vm): Promise<void> {
  const before = (await vm.vcpus[0].getRegs()).rax;
  let now = before;
  const deadline = Date.now() + 10_000;
  while (now === before && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    now = (await vm.vcpus[0].getRegs()).rax;
  }
  assert.notEqual(now, before, 'the guest is still executing');
}

/** A fresh tool session that restricts a page first, so the unhook after the attack must lift it. */
async function restrictedSession(h: HostUnderAttack): Promise<KvmiConnection> {
  const conn = await h.listener.accept(5000);
  await conn.setPageAccess([{ gpa: BigInt(TEST_GPA), access: KVMI_PAGE_ACCESS.R }]);
  return conn;
}

async function afterAttack(h: HostUnderAttack, conn: KvmiConnection, what: string): Promise<void> {
  const attacked = h.handle.session;
  await conn.closed;
  if (attacked) await attacked.ended;
  assert.equal(h.vm.getPageAccess(BigInt(TEST_GPA)), 7, `restrictions lifted after ${what}`);
  await guestAdvances(h.vm);
}

test('host: truncated, oversized, unsolicited-reply and random byte streams close only that session', async () => {
  const h = await hostUnderAttack();
  try {
    const attacks: Array<[string, (c: KvmiConnection) => void]> = [
      ['a truncated message then EOF', (c) => { c.sendRaw(new Uint8Array([KVMI_MSG.KVMI_VM_GET_INFO, 0, 100, 0, 1, 0, 0, 0, 1, 2, 3])); setTimeout(() => c.close(), 20); }],
      ['an oversized message', (c) => c.sendRaw(buildMessage(KVMI_MSG.KVMI_VM_GET_INFO, 1, []).map((b, i) => (i === 2 ? 0xf9 : i === 3 ? 0x1f : b)))],
      ['an event reply nobody asked for', (c) => c.sendRaw(encodeEventReply('KVMI_VCPU_EVENT_PAUSE', 77, 0, KVMI_EVENT_ACTION.CONTINUE, undefined))],
      ['a truncated WRITE_PHYSICAL body', (c) => c.sendRaw(buildMessage(KVMI_MSG.KVMI_VM_WRITE_PHYSICAL, 1, [new Uint8Array([0, 0x50, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 2])]))],
    ];
    const random = prng(0xc0ffee);
    for (let round = 0; round < 4; round++) {
      const bytes = new Uint8Array(64 + Math.floor(random() * 2000)).map(() => Math.floor(random() * 256));
      bytes[2] = 0xff; bytes[3] = 0xff;                          // make sure the stream ends in a hard error
      attacks.push([`random bytes, round ${round}`, (c) => c.sendRaw(bytes)]);
    }
    for (const [what, attack] of attacks) {
      const conn = await restrictedSession(h);
      attack(conn);
      await afterAttack(h, conn, what);
    }
    const last = await h.listener.accept(5000);
    assert.equal((await last.getVersion()).version, 1, 'a new tool is still served');
    last.close();
  } finally { await h.dispose(); }
});

test('host: random well-framed commands get replies with known error codes, matching seq, in order', async () => {
  const h = await hostUnderAttack();
  try {
    const random = prng(42);
    const ids = [...Object.values(COMMANDS).map((c) => c.id), 0, 1, 31, 0xffff, 200];
    let conn = await restrictedSession(h);
    let answered = 0;
    for (let i = 0; i < 300; i++) {
      const id = ids[Math.floor(random() * ids.length)];
      if (id === KVMI_MSG.KVMI_VCPU_EVENT || id === KVMI_MSG.KVMI_VM_PAUSE_VCPU) continue;   // these would raise events
      const body = new Uint8Array(Math.floor(random() * 40)).map(() => (random() < 0.7 ? 0 : Math.floor(random() * 256)));
      if (id & 1 && body.length >= 2) { body[0] = 0; body[1] = 0; }                   // mostly vCPU 0
      try {
        const { err } = await conn.rawCommand(id, body);
        assert.ok(KNOWN_CODES.has(err), `id ${id}: error ${err} is a KVMI error code`);
        answered++;
      } catch (e) {
        assert.ok(e instanceof KvmiClosedError, `id ${id}: ${String(e)}`);
        await afterAttack(h, conn, `command id ${id}`);
        conn = await restrictedSession(h);
      }
    }
    assert.ok(answered > 150, `${answered} commands answered`);
    conn.close();
    await guestAdvances(h.vm);
  } finally { await h.dispose(); }
});

/** A fake VMM: connects to the listener, sends the handshake, reads the answer, then runs `attack`. */
async function fakeVmm(listener: KvmiListener, attack: (socket: Socket) => void): Promise<Socket> {
  const path = listener.address.kind === 'unix' ? listener.address.path : '';
  const socket = connect({ path });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(encodeQemuToIntrospector({ uuid: new Uint8Array(16), start_time: 0n, name: new Uint8Array(64), max_gpa: 1n << 20n }));
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  attack(socket);
  return socket;
}

test('client: garbage from a VMM closes the connection with a protocol reason and fails pending commands', async () => {
  const dir = socketDir();
  const listener = await listen(`unix:${dir.path('c.sock')}`);
  try {
    const eventHdr = encodeStruct(KVMI_EVENT_HDR, { event: 0x7777 });
    const random = prng(7);
    const attacks: Array<[string, (s: Socket) => void, 'protocol' | 'peerClosed']> = [
      ['an oversized header', (s) => s.write(new Uint8Array([2, 0, 0xff, 0xff, 1, 0, 0, 0])), 'protocol'],
      ['a reply for no command', (s) => s.write(encodeCommandReply('KVMI_VM_GET_INFO', 999, { ok: true, reply: { vcpu_count: 1 } })), 'protocol'],
      ['a truncated vCPU event', (s) => s.write(buildMessage(KVMI_MSG.KVMI_VCPU_EVENT, 1, [encodeStruct(KVMI_EVENT_HDR, { event: 17 }), vcpuHeader(0)])), 'protocol'],
      ['half a message, then EOF', (s) => { s.write(new Uint8Array([2, 0, 50, 0, 1, 0, 0])); s.end(); }, 'peerClosed'],
      ['random bytes', (s) => s.write(new Uint8Array(3000).map((_, i) => (i === 2 || i === 3 ? 0xff : Math.floor(random() * 256)))), 'protocol'],
    ];
    for (const [what, attack, expected] of attacks) {
      const accepted = listener.accept(5000);
      const socket = await fakeVmm(listener, () => {});
      const conn = await accepted;
      const pending = conn.getVmInfo();
      attack(socket);
      await assert.rejects(pending, KvmiClosedError, what);
      assert.equal((await conn.closed).kind, expected, what);
      assert.equal(await conn.nextEvent(), undefined, `${what}: the event stream ends`);
      socket.destroy();
    }
    const accepted = listener.accept(5000);
    const socket = await fakeVmm(listener, (s) => s.write(buildMessage(KVMI_MSG.KVMI_VCPU_EVENT, 1, [eventHdr, new Uint8Array(544)])));
    const conn = await accepted;
    const ignored = new Promise((resolve) => conn.once('ignored', resolve));
    assert.ok(await ignored, 'an event with an unknown id is skipped, not fatal');
    assert.equal(conn.isClosed, false);
    conn.close();
    socket.destroy();
  } finally { await listener.close(); dir.remove(); }
});

test('host: a flood of pipelined commands is answered completely, in order, and the session stays usable', async () => {
  const h = await hostUnderAttack();
  try {
    const conn = await h.listener.accept(5000);
    const flood = Array.from({ length: 5000 }, (_, i) => (i % 2 === 0 ? conn.getVmInfo() : conn.checkCommand(KVMI_MSG.KVMI_VM_GET_INFO)));
    const results = await Promise.all(flood);
    assert.equal(results.filter((v) => v === 1).length, 2500);
    assert.equal((await conn.getVersion()).version, 1);
    conn.close();
  } finally { await h.dispose(); }
});
