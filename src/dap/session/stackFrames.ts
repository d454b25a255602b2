// The call stack of a stopped vCPU: DWARF CFI unwinding through the debug-info reader (which falls
// back to the frame-pointer chain where no FDE covers the pc), with each frame's function name,
// source position when the line table knows it, and its instruction pointer.
import type { Registers } from '../debuginfo';
import type { GuestMemory } from '../memory/guestMemory';
import { GENERAL_REGISTER_NAMES, type VcpuState } from '../target';
import type { GuestSymbols } from './guestSymbols';

export interface GuestFrame {
  index: number;
  pc: bigint;
  registers: Registers;
  functionName: string;
  source: { path: string; line: number; column: number } | undefined;
}

export const MAX_FRAMES = 64;

function initialRegisters(state: VcpuState, i386: boolean): Registers {
  const regs: Registers = {};
  for (const name of GENERAL_REGISTER_NAMES) regs[name] = state.regs[name];
  if (i386) for (const name of ['ax', 'bx', 'cx', 'dx', 'si', 'di', 'sp', 'bp', 'ip']) regs[`e${name}`] = state.regs[`r${name}` as 'rax'] & 0xffff_ffffn;
  return regs;
}

export async function guestFrames(vcpu: number, state: VcpuState, symbols: GuestSymbols, memory: GuestMemory): Promise<GuestFrame[]> {
  const info = symbols.debugInfo;
  const i386 = info?.architecture === 'i386';
  const start = initialRegisters(state, i386);
  const pcName = i386 ? 'eip' : 'rip';
  let chain: Registers[] = [start];
  if (info) {
    const read = async (address: bigint, size: 4 | 8) => memory.readUnsigned(vcpu, { space: 'virtual', address }, size).catch(() => undefined);
    try { chain = await info.unwinder.backtrace(start, read, MAX_FRAMES); } catch { chain = [start]; }
  }
  return chain.map((registers, index) => {
    const pc = registers[pcName] ?? 0n;
    // A caller's pc is a return address: look up the call instruction's line (pc - 1).
    const lookup = index > 0 && pc > 0n ? pc - 1n : pc;
    const src = symbols.source(lookup);
    return {
      index, pc, registers,
      functionName: symbols.functionName(lookup) ?? `0x${pc.toString(16)}`,
      source: src ? { path: src.path, line: src.line, column: src.column } : undefined,
    };
  });
}
