// Test support: runs fixtures/unwind.c (built natively) and collects what it prints about its own
// stack: the innermost frame's registers, 1 KiB of stack words and each level's return address.
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';

export interface Capture {
  registers: { rip: bigint; rsp: bigint; rbp: bigint };
  stack: Map<bigint, bigint>;
  returns: bigint[];
}

export function captureRun(bin: string): Capture {
  const out = spawnSync(bin, [], { encoding: 'utf8' });
  const stack = new Map<bigint, bigint>();
  const returns: bigint[] = [];
  let registers: Capture['registers'] | undefined;
  for (const line of out.stdout.split('\n')) {
    const [kind, ...hex] = line.split(' ');
    const v = hex.map((h) => BigInt(`0x${h}`));
    if (kind === 'regs') registers = { rip: v[0], rsp: v[1], rbp: v[2] };
    else if (kind === 'stack') stack.set(v[0], v[1]);
    else if (kind === 'return') returns.push(v[0]);
  }
  assert.ok(registers && returns.length === 4, `capture program printed its frames (exit ${out.status})`);
  return { registers, stack, returns };
}

/** Memory reader over the captured stack words (aligned 8-byte reads only). */
export const readCaptured = (c: Capture) => (address: bigint) => c.stack.get(address);

/** One byte of the captured stack. */
export function capturedByte(c: Capture, address: bigint): number | undefined {
  const word = c.stack.get(address & ~7n);
  return word === undefined ? undefined : Number((word >> (8n * (address & 7n))) & 0xffn);
}
