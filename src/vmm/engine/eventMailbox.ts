// The event mailbox: how a vCPU thread hands a KVMI vCPU event (kvmi-protocol.md 4.1) to the VMM
// core without a message. Each vCPU has one mailbox in the shared control block (sharedControl.ts),
// which it owns while it waits for the reply, since a vCPU has at most one event outstanding. It
// writes the exit (below) and the state snapshot (eventArchCodec.ts) there, then the number of
// messages it sent before the event (EVENT_SENT) and the event's sequence number (EVENT_SEQ), and
// wakes the VMM core, which waits on EVENT_SEQ with Atomics.waitAsync. That wake-up costs a tenth
// of a MessagePort message, whose delivery goes through the event loop's message dispatch.
//
// Exit layout (little-endian): u32 kind, u32 number (pf access, breakpoint insnLen, cr, msr, xcr,
// descriptor), u32 flag (descriptor write), u32 padding, u64 a (pf gva, breakpoint gpa, oldValue),
// u64 b (pf gpa, newValue).
import { CpuEventExit } from './cpuCore';
import { encodeEventArch, EVENT_ARCH_BYTES } from './eventArchCodec';
import { VcpuEventArch } from './vcpuEvents';

const KINDS = ['pf', 'breakpoint', 'hypercall', 'cr', 'msr', 'xsetbv', 'descriptor', 'singlestep'] as const satisfies readonly CpuEventExit['kind'][];
const EXIT_BYTES = 32;
/** Bytes of one vCPU's mailbox (a multiple of 8). */
export const EVENT_MAILBOX_BYTES = EXIT_BYTES + Math.ceil(EVENT_ARCH_BYTES / 8) * 8;

/** Writes `exit` and `arch` into `box` (EVENT_MAILBOX_BYTES, 8-byte aligned). */
export function writeEvent(box: Uint8Array, exit: CpuEventExit, arch: VcpuEventArch): void {
  const v = new DataView(box.buffer, box.byteOffset, EXIT_BYTES);
  let number = 0;
  let flag = 0;
  let a = 0n;
  let b = 0n;
  switch (exit.kind) {
    case 'pf': number = exit.access; a = exit.gva; b = exit.gpa; break;
    case 'breakpoint': number = exit.insnLen; a = exit.gpa; break;
    case 'cr': number = exit.cr; a = exit.oldValue; b = exit.newValue; break;
    case 'msr': number = exit.msr; a = exit.oldValue; b = exit.newValue; break;
    case 'xsetbv': number = exit.xcr; a = exit.oldValue; b = exit.newValue; break;
    case 'descriptor': number = exit.descriptor; flag = exit.write ? 1 : 0; break;
    case 'hypercall': case 'singlestep': break;
  }
  v.setUint32(0, KINDS.indexOf(exit.kind), true);
  v.setUint32(4, number, true);
  v.setUint32(8, flag, true);
  v.setBigUint64(16, BigInt.asUintN(64, a), true);
  v.setBigUint64(24, BigInt.asUintN(64, b), true);
  encodeEventArch(arch, box.subarray(EXIT_BYTES, EXIT_BYTES + EVENT_ARCH_BYTES));
}

/** The exit in `box` and a copy of its encoded snapshot (the mailbox is reused by the next event). */
export function readEvent(box: Uint8Array): { exit: CpuEventExit; arch: Uint8Array } {
  const v = new DataView(box.buffer, box.byteOffset, EXIT_BYTES);
  const kind = KINDS[v.getUint32(0, true)];
  const number = v.getUint32(4, true);
  const a = v.getBigUint64(16, true);
  const b = v.getBigUint64(24, true);
  let exit: CpuEventExit;
  switch (kind) {
    case 'pf': exit = { kind, gva: a, gpa: b, access: number as 1 | 2 | 4 }; break;
    case 'breakpoint': exit = { kind, gpa: a, insnLen: number }; break;
    case 'cr': exit = { kind, cr: number, oldValue: a, newValue: b }; break;
    case 'msr': exit = { kind, msr: number, oldValue: a, newValue: b }; break;
    case 'xsetbv': exit = { kind, xcr: number, oldValue: a, newValue: b }; break;
    case 'descriptor': exit = { kind, descriptor: number as 1 | 2 | 3 | 4, write: v.getUint32(8, true) !== 0 }; break;
    case 'hypercall': case 'singlestep': exit = { kind }; break;
    default: throw new RangeError(`an event mailbox holds exit kind ${v.getUint32(0, true)}, which is not an event`);
  }
  return { exit, arch: box.slice(EXIT_BYTES, EXIT_BYTES + EVENT_ARCH_BYTES) };
}
