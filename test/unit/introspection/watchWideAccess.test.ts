// kvmi-watch on an access wider than one byte: a real-mode image (real x86 engine) stores EAX, four
// bytes, at 0x8000 with one instruction. A watch starting inside those four bytes reports the store
// (at its start address, 0x8000); a watch just past them reports nothing. Also the width decoding
// itself (accessWidth.ts) for data stores, stack pushes and instruction fetches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessWidth } from '../../../src/dap/kvmi/accessWidth';
import { listen } from '../../../src/dap/kvmi/kvmiListener';
import { parseWatchSpec } from '../../../src/dap/kvmi/watchSpec';
import { runWatchSession, type WatchReport } from '../../../src/dap/kvmi/watchSession';
import { EmulatorEngine } from '../../../src/vmm/engine/emulatorEngine';
import { startIntrospection } from '../../../src/vmm/introspection';
import { KVMI_PAGE_ACCESS } from '../../../src/vmm/kvmi';
import { createMachine } from '../../../src/vmm/machine/machine';
import { x86CoreMissing } from '../vmm/guestImage';
import { hostOptions, socketDir } from './support/harness';

const STORE_AT = 0x8000;
/** Real mode at 0000:7c00: mov eax, 0x11223344; mov [0x8000], eax; mov al, 0; out 0xf4, al (exit 0). */
const WIDE_STORE_IMAGE = new Uint8Array([
  0x66, 0xb8, 0x44, 0x33, 0x22, 0x11,
  0x66, 0xa3, STORE_AT & 0xff, STORE_AT >> 8,
  0xb0, 0x00, 0xe6, 0xf4,
]);

async function watchWideStore(spec: string): Promise<{ reports: WatchReport[]; warnings: string[]; stored: number[] }> {
  const dir = socketDir();
  const address = `unix:${dir.path('w.sock')}`;
  const listener = await listen(address, { onOpen: (conn) => { void conn.pauseVcpu(0); } });
  const machine = await createMachine({ engine: new EmulatorEngine(), guest: WIDE_STORE_IMAGE, format: 'raw', memoryMiB: 1, cpus: 1 });
  try {
    const hostStarted = startIntrospection(machine.vm, hostOptions(address), { log: () => {} });
    const conn = await listener.accept(10_000);
    const host = await hostStarted;
    const reports: WatchReport[] = [];
    const warnings: string[] = [];
    const session = runWatchSession(conn, [parseWatchSpec(spec)], { report: (l) => reports.push(l), warn: (m) => warnings.push(m) });
    await host.startGuest(machine);
    assert.deepEqual(await machine.vm.finished, { kind: 'exitPort', status: 0 });
    conn.close();
    await session;
    await host.close();
    return { reports, warnings, stored: [...machine.vm.ram.subarray(STORE_AT, STORE_AT + 4)] };
  } finally {
    await machine.vm.stop();
    await listener.close();
    dir.remove();
  }
}

test('a 4-byte store starting one byte below a watched range is reported once, at its start address', async (t) => {
  const why = x86CoreMissing();
  if (why) { t.skip(why); return; }
  const { reports, warnings, stored } = await watchWideStore('w:0x8001+2');
  assert.deepEqual(warnings, []);
  assert.deepEqual(stored, [0x44, 0x33, 0x22, 0x11]);
  assert.equal(reports.length, 1);
  assert.deepEqual([reports[0].gpa, reports[0].access, reports[0].rip, reports[0].watch], ['0x8000', 'w', '0x7c06', 'w:0x8001+2']);
  assert.match(reports[0].insn ?? '', /^mov .*eax/);
});

test('a store that ends where a watched range begins is not reported', async (t) => {
  const why = x86CoreMissing();
  if (why) { t.skip(why); return; }
  const { reports, stored } = await watchWideStore('w:0x8004+4');
  assert.deepEqual(stored, [0x44, 0x33, 0x22, 0x11]);
  assert.deepEqual(reports, []);
});

test('access width: operand size of stores and loads, pushes, and the instruction length of a fetch', () => {
  const W = KVMI_PAGE_ACCESS.W, R = KVMI_PAGE_ACCESS.R, X = KVMI_PAGE_ACCESS.X;
  assert.equal(accessWidth(new Uint8Array([0x48, 0x89, 0x07]), 8, 0x1000n, W), 8);          // mov [rdi], rax
  assert.equal(accessWidth(new Uint8Array([0x88, 0x07]), 8, 0x1000n, W), 1);                // mov [rdi], al
  assert.equal(accessWidth(new Uint8Array([0x66, 0x8b, 0x07]), 4, 0x1000n, R), 2);          // mov ax, [edi]
  assert.equal(accessWidth(new Uint8Array([0x50]), 8, 0x1000n, W), 8);                      // push rax
  assert.equal(accessWidth(new Uint8Array([0x0f, 0x29, 0x07]), 8, 0x1000n, W), 16);         // movaps [rdi], xmm0
  assert.equal(accessWidth(new Uint8Array([0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8]), 8, 0x1000n, X), 10);
  assert.equal(accessWidth(new Uint8Array([0x0f, 0xff]), 8, 0x1000n, W), 1, 'undecodable bytes count as one byte');
  assert.equal(accessWidth(new Uint8Array(0), 8, 0x1000n, W), 1);
});
