// KVMI page access (kvmi-protocol.md section 5) as the engines store it: one byte of allowed R/W/X
// bits per guest frame in a SharedArrayBuffer that every vCPU thread reads, and the control block's
// ACCESS_GENERATION, bumped after each batch so a vCPU thread refreshes what it derived from the
// table (the x86 core's TLB access bits, the KVM engine's host protections) before it runs again.
import { EngineError, PageAccessEntry, PAGE_ACCESS_ALL } from './engine';
import { ACCESS_GENERATION } from './sharedControl';

function checkGpa(gpa: bigint, ramBytes: number): void {
  if (gpa < 0n || gpa >= BigInt(ramBytes)) throw new EngineError('badAddress', `gpa 0x${gpa.toString(16)} is not guest RAM`);
}

/** Validates the whole batch first (nothing changes on a bad entry), then applies it and bumps the generation. */
export function applyPageAccess(access: Uint8Array, control: Int32Array, ramBytes: number, entries: readonly PageAccessEntry[]): void {
  for (const e of entries) {
    checkGpa(e.gpa, ramBytes);
    if (!Number.isInteger(e.access) || e.access < 0 || e.access > PAGE_ACCESS_ALL) throw new EngineError('badConfig', `page access ${e.access} is not a combination of R=1, W=2, X=4`);
  }
  for (const e of entries) access[Number(e.gpa >> 12n)] = e.access;
  Atomics.add(control, ACCESS_GENERATION, 1);
}

/** The allowed bits of the frame holding `gpa`. */
export function readPageAccess(access: Uint8Array, ramBytes: number, gpa: bigint): number {
  checkGpa(gpa, ramBytes);
  return access[Number(gpa >> 12n)];
}
