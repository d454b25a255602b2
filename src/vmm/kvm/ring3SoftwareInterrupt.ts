// PVM turns `INT n` executed by natively run guest ring-3 code into #UD: the guest's #UD handler is
// entered with the INT instruction's address in the frame, where hardware would have delivered
// vector n through its DPL-3 gate. In software-kernel mode the #UD entry frame is hidden from KVM, so
// that entry comes back to the VMM before its first instruction. This file recognises that state and
// rebuilds the ring-3 state as it was at the INT instruction (RIP, RSP, RFLAGS, CS and SS from the
// frame the delivery pushed, SDM Vol. 3A 6.14.2), so the software core executes `INT n` itself with
// the architectural checks and delivery (gate DPL, IST, TSS.RSP0). The frame bytes PVM pushed below
// TSS.RSP0 are the ones the re-executed delivery writes over.
import { KvmRegs, KvmSegment, KvmSregs } from '../x86/kvmState';
import { gateTarget, readGuestLinear } from './kernelEntries';

const EFER_LMA = 0x400n;
const RFLAGS_RF = 1n << 16n;
const VEC_UD = 6;
const INT_IMM8 = 0xcd;

export interface Ring3InterruptHost {
  regs: KvmRegs;
  sregs: KvmSregs;
  ram: Uint8Array;
  translate(gva: bigint): bigint | undefined;
}

/** The state of the vCPU at the ring-3 `INT n` PVM reported as #UD, or undefined when `host` is not that case. */
export function ring3InterruptBeforeUd(host: Ring3InterruptHost): { regs: KvmRegs; sregs: KvmSregs; vector: number } | undefined {
  const { regs, sregs } = host;
  if (!(sregs.efer & EFER_LMA) || !sregs.cs.l || sregs.cs.dpl !== 0) return undefined;
  const gate = readLinear(host, sregs.idt.base + BigInt(VEC_UD * 16), 16);
  if (!gate || sregs.idt.limit < VEC_UD * 16 + 15) return undefined;
  if (BigInt.asUintN(64, regs.rip) !== gateTarget(gate, true)) return undefined;
  // #UD pushes no error code: SS, RSP, RFLAGS, CS, RIP (SDM Vol. 3A 6.14.2, figure 6-9).
  const frame = readLinear(host, regs.rsp, 40);
  if (!frame) return undefined;
  const rip = frame.getBigUint64(0, true);
  const cs = Number(frame.getBigUint64(8, true) & 0xffffn);
  const rflags = frame.getBigUint64(16, true);
  const rsp = frame.getBigUint64(24, true);
  const ss = Number(frame.getBigUint64(32, true) & 0xffffn);
  if ((cs & 3) !== 3 || (ss & 3) !== 3) return undefined;
  const insn = readLinear(host, rip, 2);
  if (!insn || insn.getUint8(0) !== INT_IMM8) return undefined;
  const csSeg = descriptor(host, cs), ssSeg = descriptor(host, ss);
  if (!csSeg || !ssSeg || !csSeg.l || csSeg.dpl !== 3) return undefined;
  return {
    regs: { ...regs, rip, rsp, rflags: rflags & ~RFLAGS_RF },
    sregs: { ...sregs, cs: csSeg, ss: ssSeg },
    vector: insn.getUint8(1),
  };
}

/** The segment-register cache for a GDT selector (SDM Vol. 3A 3.4.5), or undefined if it is not a present code/data descriptor. */
function descriptor(host: Ring3InterruptHost, selector: number): KvmSegment | undefined {
  if (selector & 4) return undefined;  // LDT selectors: not used by ring-3 code entered through IRETQ here
  const index = selector & ~7;
  if (index === 0 || index + 7 > host.sregs.gdt.limit) return undefined;
  const d = readLinear(host, host.sregs.gdt.base + BigInt(index), 8);
  if (!d) return undefined;
  const lo = d.getUint32(0, true), hi = d.getUint32(4, true);
  const present = (hi >>> 15) & 1, s = (hi >>> 12) & 1;
  if (!present || !s) return undefined;
  const g = (hi >>> 23) & 1;
  const rawLimit = (lo & 0xffff) | (hi & 0xf0000);
  return {
    base: BigInt(((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0),
    limit: g ? ((rawLimit << 12) | 0xfff) >>> 0 : rawLimit,
    selector,
    type: ((hi >>> 8) & 0xf) | 1,  // the accessed bit was set when the selector was first loaded
    present, dpl: (hi >>> 13) & 3, db: (hi >>> 22) & 1, s, l: (hi >>> 21) & 1, g, avl: (hi >>> 20) & 1, unusable: 0,
  };
}

function readLinear(host: Ring3InterruptHost, lin: bigint, n: number): DataView | undefined {
  return readGuestLinear(host.ram, (gva) => host.translate(gva), lin, n);
}
