// Compiles a hot straight-line run of decoded instructions from one guest-physical page (ending at
// the first unconditional near branch; a taken Jcc leaves early) into a JS function built with
// `new Function`. Each instruction gets its own
// call site for its handler, so V8 sees monomorphic calls it can inline, and the per-instruction
// fetch through the decoded-instruction cache is skipped. The run loop's per-instruction bookkeeping
// (restore point, RIP, retired count) stays in the generated code, so a fault or KVMI event inside a
// block leaves the exact state of that instruction's boundary (cpu.ts step() handles the throw).

import type { DecodedInsn, InsnHandler } from './decodedInsn';
import { add, logicFlags, sub } from './exec/alu';
import { INLINE_HELPERS, inlineSource } from './blockInline';

/** The single switch for compiled blocks (the interpreter alone runs when false). */
export const BLOCKS_ENABLED = true;
/** Executions of an instruction as a block head before its block is compiled. */
export const HOT_THRESHOLD = 32;
/** Longest block in instructions (bounds compile time and the run-budget granularity). */
export const MAX_BLOCK_INSNS = 48;

/**
 * Handlers allowed inside a block: they change only GPRs, status flags, DF/AC and ordinary memory.
 * None does port I/O, loads segments, writes control registers or changes TF/IF/RF or the interrupt
 * shadow, so the run loop's checks between them (stop requests, interrupts, single-step trap) could
 * only change through a device callback; an MMIO access bumps core.codeEpoch and ends the block.
 */
const BODY = new Set(['aluEG', 'aluGE', 'aluAI', 'aluEI', 'testEG', 'testEI', 'testAI', 'incE', 'decE', 'incZ', 'decZ',
  'neg', 'not', 'movEG', 'movGE', 'movEI', 'movZI', 'movAO', 'movOA', 'lea', 'movzx', 'movsx', 'movsxd', 'xchgEG', 'xchgZ',
  'bswap', 'cmovcc', 'setcc', 'cbw', 'cwd', 'lahf', 'sahf', 'xlat', 'nop', 'xadd', 'cmpxchg', 'shift', 'shld', 'shrd',
  'mul', 'imul1', 'imul2', 'imul3', 'div', 'idiv', 'btG', 'btI', 'bsf', 'bsr', 'tzcnt', 'lzcnt', 'popcnt',
  'pushZ', 'pushI', 'pushE', 'popZ', 'popE', 'pushf', 'leave', 'flagOp']);

/** Near unconditional branches: they end a block (they set core.nextRip). */
const TERMINATORS = new Set(['jmpNear', 'jmpNearE', 'callNear', 'callNearE', 'retNear']);

/** Handlers that touch memory without a ModRM memory operand (the stack). */
const STACK_HANDLERS = new Set(['pushZ', 'pushI', 'pushE', 'popZ', 'popE', 'pushf', 'leave', 'callNear', 'callNearE',
  'retNear', 'movAO', 'movOA', 'xlat']);

/**
 * How `d` may take part in a block: 'body' runs inline, 'exit' (Jcc) leaves the block when taken
 * and falls through to the rest of it otherwise, 'last' ends it; undefined: not in blocks.
 */
export function blockRole(d: DecodedInsn): 'body' | 'exit' | 'last' | undefined {
  const h = d.entry.handler;
  if (d.rep !== 0 || d.lock) return undefined;
  if (BODY.has(h)) return 'body';
  if (h === 'jcc') return 'exit';
  if (TERMINATORS.has(h)) return 'last';
  return undefined;
}

/**
 * The run-loop state the generated code reads and writes (fields of X86Cpu). A block runs only
 * when TF, RF, the interrupt shadow, KVMI permits and answered events are all clear (see cpu.ts).
 */
export interface BlockHost {
  rip: number;
  nextRip: number;
  flags: number;
  instructions: number;
  codeEpoch: number;
  codeGeneration: number;
  savedRip: number;
  savedFlags: number;
  snapshotTaken: boolean;
  readonly regs: Uint32Array;
  readonly regsI32: Int32Array;
  readonly savedI32: Int32Array;
}

/** Runs the block with the head at RIP `rip`; returns early (at a boundary) after a device callback or code write. */
export type BlockFn = (c: BlockHost, rip: number) => void;

export class CompiledBlock {
  /** The code epoch in which every instruction's bytes last matched guest memory. */
  verifiedEpoch: number;

  constructor(
    readonly insns: DecodedInsn[],
    /** Page offsets of the instructions (all in one guest-physical page). */
    readonly offsets: number[],
    /** Bytes from the head to the end of the last instruction. */
    readonly span: number,
    readonly run: BlockFn,
    epoch: number,
  ) {
    this.verifiedEpoch = epoch;
  }
}

/**
 * Generates the block function for `insns` at page offsets `offsets`. The code per instruction
 * mirrors cpu.ts step(): restore point (RIP, RFLAGS, GPR snapshot unless the handler is fault-safe),
 * RIP and next RIP, the handler (or its inline form from blockInline.ts), then RIP <- next RIP and
 * one more retired instruction.
 */
export function compileBlock(insns: DecodedInsn[], offsets: number[], epoch: number): CompiledBlock {
  const names: string[] = [...INLINE_HELPERS];
  const values: unknown[] = [add, sub, logicFlags];
  const lines: string[] = ['const e = c.codeEpoch, g = c.codeGeneration, r = c.regs;'];
  const head = offsets[0];
  let snapshot = false;
  insns.forEach((d, k) => {
    names.push(`h${k}`, `d${k}`);
    values.push(d.exec as InsnHandler<unknown>, d);
    const at = offsets[k] - head;
    const here = at === 0 ? 'rip' : `rip + ${at}`;
    const inline = inlineSource(d);
    if (inline !== undefined && !d.hasMem && k < insns.length - 1) {
      // A register form cannot fault and does not read RIP: the next instruction sets its own
      // restore point and RIP, so only the retired count is kept exact here.
      lines.push(inline, 'c.instructions++;');
      return;
    }
    lines.push(`c.savedRip = ${here}; c.savedFlags = c.flags;`);
    if (!d.faultSafe) { lines.push('c.savedI32.set(c.regsI32); c.snapshotTaken = true;'); snapshot = true; }
    else if (snapshot || k === 0) { lines.push('c.snapshotTaken = false;'); snapshot = false; }
    lines.push(`c.rip = ${here}; c.nextRip = rip + ${at + d.len};`);
    lines.push(inline ?? `h${k}(c, d${k});`);
    lines.push('c.rip = c.nextRip; c.instructions++;');
    if (k === insns.length - 1) return;
    if (d.entry.handler === 'jcc') lines.push(`if (c.rip !== rip + ${at + d.len}) return;`);
    else if (d.hasMem || STACK_HANDLERS.has(d.entry.handler)) lines.push('if (c.codeEpoch !== e || c.codeGeneration !== g) return;');
  });
  const last = insns[insns.length - 1];
  const span = offsets[offsets.length - 1] - head + last.len;
  const factory = new Function(...names, `return function block(c, rip) {\n${lines.join('\n')}\n};`) as (...a: unknown[]) => BlockFn;
  return new CompiledBlock(insns, offsets, span, factory(...values), epoch);
}
