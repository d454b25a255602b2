// Where a variable lives in a given stack frame: a fixed address (globals, statics), an offset
// from the frame base or a register (DW_OP_fbreg / DW_OP_breg*, DWARF 5 section 2.5.1.2), a
// register (DW_OP_reg*, 2.6.1.1.3), or a location-list entry chosen by the frame's pc (2.6.2).
import type { DebugInfo } from './debugInfo';
import type { Registers } from './cfi/unwinder';
import { dwarfRegisterName } from './cfi/registers';
import { evaluateExpression, type ReadMemory } from './dwarf/expressionEvaluator';
import { classifyLocation, DW_OP, type Location } from './dwarf/locationExpression';
import type { VariableInfo } from './dwarf/programModel';
import { DebugInfoError } from './errors';

export type VariablePlace =
  | { kind: 'memory'; address: bigint; byteSize: number | undefined }
  | { kind: 'constant'; value: bigint | Uint8Array }
  | { kind: 'register'; register: string; byteSize: number | undefined }
  | { kind: 'unavailable'; reason: string };

export interface FrameContext {
  registers: Registers;
  /** True for every frame but the innermost: its pc is a return address, so lookups use pc-1. */
  isCaller?: boolean;
  readMemory: ReadMemory;
}

/** Resolves where `variable` is stored in `frame`. */
export async function locateVariable(info: DebugInfo, variable: VariableInfo, frame: FrameContext): Promise<VariablePlace> {
  const byteSize = variable.byteSize;
  if (variable.address !== undefined) return { kind: 'memory', address: variable.address, byteSize };
  if (!variable.location && !variable.locationList && variable.constantValue !== undefined) {
    return { kind: 'constant', value: variable.constantValue };
  }
  const arch = info.architecture;
  const pc = frame.registers[arch === 'x86_64' ? 'rip' : 'eip'];
  if (pc === undefined) return { kind: 'unavailable', reason: 'the frame has no program counter' };
  const lookupPc = frame.isCaller && pc > 0n ? pc - 1n : pc;
  const location = locationAt(info, variable, lookupPc);
  if (!location) return { kind: 'unavailable', reason: 'optimized out at this point' };
  const register = (n: number) => { const name = dwarfRegisterName(arch, n); return name === undefined ? undefined : frame.registers[name]; };
  const cfa = () => info.unwinder.cfaOf(frame.registers, frame.readMemory, frame.isCaller);
  switch (location.kind) {
    case 'register': return { kind: 'register', register: dwarfRegisterName(arch, location.register) ?? `r${location.register}`, byteSize };
    case 'registerOffset': {
      const base = register(location.register);
      return base === undefined ? { kind: 'unavailable', reason: `register ${location.register} is unknown in this frame` }
        : { kind: 'memory', address: base + BigInt(location.offset), byteSize };
    }
    case 'frameBaseOffset': {
      const base = await frameBase(info, lookupPc, frame, register, cfa);
      return base === undefined ? { kind: 'unavailable', reason: 'the frame base cannot be computed' }
        : { kind: 'memory', address: base + BigInt(location.offset), byteSize };
    }
    case 'complex': {
      if (location.bytes.includes(DW_OP.stack_value) || location.bytes.includes(DW_OP.piece)) {
        return { kind: 'unavailable', reason: 'the value is computed, not stored' };
      }
      try {
        const address = await evaluateExpression(location.bytes, { addressSize: arch === 'x86_64' ? 8 : 4, register,
          readMemory: frame.readMemory, cfa: await cfa(), frameBase: await frameBase(info, lookupPc, frame, register, cfa) });
        return { kind: 'memory', address, byteSize };
      } catch (error) {
        if (error instanceof DebugInfoError) return { kind: 'unavailable', reason: error.message };
        throw error;
      }
    }
    default: return { kind: 'unavailable', reason: `unexpected location kind ${location.kind}` };
  }
}

function locationAt(info: DebugInfo, variable: VariableInfo, pc: bigint): Location | undefined {
  if (variable.location) return variable.location;
  const entry = variable.locationList?.find((e) => pc >= e.low && pc < e.high);
  if (!entry) return undefined;
  const unit = variable.compileUnit.unit;
  const location = classifyLocation(entry.expression, unit.addressSize, info.elf.header.littleEndian);
  return location.kind === 'addressIndex' ? { kind: 'address', address: unit.indexedAddress(location.index) } : location;
}

/** DW_AT_frame_base of the function containing pc: usually DW_OP_call_frame_cfa with gcc. */
async function frameBase(info: DebugInfo, pc: bigint, frame: FrameContext, register: (n: number) => bigint | undefined,
  cfa: () => Promise<bigint | undefined>): Promise<bigint | undefined> {
  const base = info.program.subprogramAt(pc)?.frameBase;
  if (!base) return undefined;
  switch (base.kind) {
    case 'callFrameCfa': return cfa();
    case 'register': return register(base.register);
    case 'registerOffset': { const r = register(base.register); return r === undefined ? undefined : r + BigInt(base.offset); }
    case 'complex': return evaluateExpression(base.bytes, { addressSize: info.architecture === 'x86_64' ? 8 : 4, register, readMemory: frame.readMemory, cfa: await cfa() });
    default: return undefined;
  }
}
