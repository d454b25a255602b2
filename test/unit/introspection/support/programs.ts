// Byte-program builders for the scripted CPU (see scriptedCpu.ts for the opcode list) and small
// helpers the KVMI host tests share: waiting for a given event, and asserting a KVMI error code.
import assert from 'node:assert/strict';
import type { KvmiConnection } from '../../../../src/dap/kvmi/kvmiConnection';
import type { KvmiEvent, KvmiVcpuEvent, VcpuEventName } from '../../../../src/dap/kvmi/kvmiEvent';
import { KvmiCommandError } from '../../../../src/dap/kvmi/kvmiErrors';

export const u32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];

export const op = {
  out: (b: number) => [0x01, b],
  exit: (status: number) => [0x02, status],
  store: (gpa: number) => [0x03, ...u32(gpa)],
  hlt: () => [0x04],
  spin: () => [0x05],
  int3: () => [0x06],
  load: (gpa: number) => [0x08, ...u32(gpa)],
  movCr: (cr: number, value: number) => [0x0a, cr, ...u32(value)],
  wrmsr: (msr: number, value: number) => [0x0b, ...u32(msr), ...u32(value)],
  vmcall: () => [0x0c],
  descriptor: (which: number, write: boolean) => [0x0d, which, write ? 1 : 0],
  xsetbv: (value: number) => [0x0e, ...u32(value)],
  incRax: () => [0x0f],
  jump: (gpa: number) => [0x10, ...u32(gpa)],
};

/** The next event, which must be `name`. */
export async function expectEvent<N extends VcpuEventName>(conn: KvmiConnection, name: N): Promise<Extract<KvmiVcpuEvent, { name: N }>> {
  const event: KvmiEvent | undefined = await conn.nextEvent(10_000);
  assert.ok(event, `expected ${name}, but the connection closed`);
  assert.equal(event.name, name);
  return event as Extract<KvmiVcpuEvent, { name: N }>;
}

/** Asserts that `promise` rejects with KvmiCommandError carrying `code`. */
export async function rejectsWith(promise: Promise<unknown>, code: number): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof KvmiCommandError, `expected KvmiCommandError, got ${String(e)}`);
    assert.equal(e.code, code, `expected ${code}, got ${e.code} (${e.codeName})`);
    return true;
  });
}

/** Polls `condition` every 5 ms; fails after 10 s with `what` (a hang guard, not a timing check). */
export async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
