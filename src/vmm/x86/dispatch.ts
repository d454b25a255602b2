// Binds decoded instructions to their semantic handlers: every exec/ module exports handlers by
// the names opcodeTable.ts uses, and this registry is the single place that maps one to the other.

import type { DecodedInsn, InsnHandler } from './decodedInsn';
import type { X86Cpu } from './cpu';
import * as alu from './exec/alu';
import * as bits from './exec/bits';
import * as control from './exec/control';
import * as cpuid from './exec/cpuid';
import * as io from './exec/io';
import * as move from './exec/move';
import * as mulDiv from './exec/mulDiv';
import * as shift from './exec/shift';
import * as sse from './exec/sse';
import * as ssePacked from './exec/ssePacked';
import * as stack from './exec/stack';
import * as str from './exec/string';
import * as system from './exec/system';
import * as fpuState from './exec/fpuState';
import { OPCODES } from './opcodeTable';

/** Handler registry: name -> function. */
export const HANDLERS: Record<string, InsnHandler<X86Cpu>> = {};
for (const mod of [alu, bits, control, cpuid, io, move, mulDiv, shift, sse, ssePacked, stack, str, system, fpuState]) {
  for (const [name, fn] of Object.entries(mod)) if (typeof fn === 'function') HANDLERS[name] = fn as InsnHandler<X86Cpu>;
}

/**
 * Handlers that perform every access that can fault (memory, #DE, #GP checks) before their first
 * GPR write, so an abandoned instruction needs no register snapshot. Reviewed per handler; anything
 * not listed (stack-pointer updates before a later fault, REP strings, far transfers) is snapshotted.
 */
const FAULT_SAFE = new Set(['aluEG', 'aluGE', 'aluAI', 'aluEI', 'testEG', 'testEI', 'testAI', 'incE', 'decE', 'incZ', 'decZ',
  'neg', 'not', 'movEG', 'movGE', 'movEI', 'movZI', 'movAO', 'movOA', 'lea', 'movzx', 'movsx', 'movsxd', 'xchgEG', 'xchgZ',
  'bswap', 'cmovcc', 'setcc', 'cbw', 'cwd', 'lahf', 'sahf', 'nop', 'clflush', 'xadd', 'cmpxchg', 'shift', 'shld', 'shrd', 'mul', 'imul1',
  'imul2', 'imul3', 'div', 'idiv', 'btG', 'btI', 'bsf', 'bsr', 'tzcnt', 'lzcnt', 'popcnt', 'jcc', 'jmpNear', 'jmpNearE',
  'pushZ', 'pushI', 'pushE', 'popZ', 'flagOp', 'movVW', 'movWV', 'movScalarVW', 'movScalarWV', 'vecLogic', 'packedInt',
  'movdToXmm', 'movdFromXmm', 'movqToXmm', 'movqFromXmm', 'pshufd', 'pmovmskb', 'scalarFp', 'cvtsi2fp', 'cvtfp2si',
  'cvtfp2fp', 'comis', 'packedIntOp', 'packedShift', 'byteShift', 'pshufw', 'shufp', 'unpckp', 'movHalfLoad', 'movHalfStore',
  'movmskp', 'movntStore', 'movnti', 'pinsrw', 'pextrw', 'packedConvert', 'packedFp', 'fpCompare']);

/** Sets insn.exec from its table entry; false if the entry names no handler. */
export function bindHandler(d: DecodedInsn): boolean {
  const h = HANDLERS[d.entry.handler];
  if (!h) return false;
  d.exec = h;
  d.faultSafe = FAULT_SAFE.has(d.entry.handler);
  return true;
}

/** Table entries whose handler is missing (must be empty; checked by the unit tests). */
export function unboundEntries(): string[] {
  return OPCODES.filter((e) => !HANDLERS[e.handler]).map((e) => `${e.mnemonic} -> ${e.handler}`);
}
