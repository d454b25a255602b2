// Stack unwinding: given one frame's registers and a memory reader, computes the caller's
// registers from CFI (.eh_frame / .debug_frame, DWARF 5 section 6.4) and falls back to the
// frame-pointer chain ([rbp] = caller rbp, [rbp+8] = return address) when no FDE covers the pc.
import { DebugInfoError } from '../errors';
import { compareAddresses, SortedAddresses } from '../sortedAddresses';
import { evaluateExpression, type ReadMemory } from '../dwarf/expressionEvaluator';
import type { Fde } from './frameEntries';
import { LAYOUTS, type Architecture } from './registers';
import { unwindRows, type RegisterRule, type UnwindRow } from './unwindTable';

/** Register values by name ("rip", "rsp", "rbp", ...); absent means unknown. */
export type Registers = Record<string, bigint>;

export interface UnwoundFrame {
  registers: Registers;
  /** The callee frame's canonical frame address (its rsp before the call instruction pushed). */
  cfa: bigint;
  method: 'cfi' | 'framePointer';
}

export class Unwinder {
  private readonly starts: SortedAddresses;
  private readonly rowCache = new WeakMap<Fde, UnwindRow[]>();

  /** `fdes` from all frame sections, any order; the first FDE found for a pc wins. */
  constructor(private readonly fdes: Fde[], readonly arch: Architecture, private readonly littleEndian = true) {
    this.fdes = [...fdes].sort((a, b) => compareAddresses(a.pcBegin, b.pcBegin));
    this.starts = new SortedAddresses(this.fdes.map((f) => f.pcBegin));
  }

  fdeFor(pc: bigint): Fde | undefined {
    const found = this.starts.lastAtOrBefore(pc);
    for (let i = found; i >= 0 && i > found - 4; i--) if (pc < this.fdes[i].pcEnd) return this.fdes[i];
    return undefined;
  }

  /** The unwind row in effect at `pc`, or undefined without CFI for it. */
  rowAt(pc: bigint): UnwindRow | undefined {
    const fde = this.fdeFor(pc);
    if (!fde) return undefined;
    let rows = this.rowCache.get(fde);
    if (!rows) { rows = unwindRows(fde, this.littleEndian); this.rowCache.set(fde, rows); }
    let chosen = rows[0];
    for (const row of rows) if (row.location <= pc) chosen = row; else break;
    return chosen;
  }

  /**
   * One step: the caller's registers. `isCaller` says the registers belong to a frame that is
   * itself a caller (its pc is a return address), so the lookup uses pc-1 to stay in the call's row.
   * Returns undefined at the outermost frame (return address undefined, or no way to unwind).
   */
  async unwind(regs: Registers, readMemory: ReadMemory, isCaller = false): Promise<UnwoundFrame | undefined> {
    const layout = LAYOUTS[this.arch];
    const pc = regs[layout.pc];
    if (pc === undefined) return undefined;
    const row = this.rowAt(isCaller && pc > 0n ? pc - 1n : pc);
    if (!row) return this.unwindWithFramePointer(regs, readMemory);
    return this.unwindWithRow(row, regs, readMemory);
  }

  /** Frames from the given registers outwards (the first is the input), at most `limit`. */
  async backtrace(regs: Registers, readMemory: ReadMemory, limit = 64): Promise<Registers[]> {
    const frames: Registers[] = [regs];
    const sp = LAYOUTS[this.arch].sp;
    for (let i = 1; i < limit; i++) {
      const prev = frames[frames.length - 1];
      let next: UnwoundFrame | undefined;
      try {
        next = await this.unwind(prev, readMemory, i > 1);
      } catch (error) {
        if (error instanceof DebugInfoError) break; // unreadable memory or bad CFI ends the walk
        throw error;
      }
      if (!next || !next.registers[LAYOUTS[this.arch].pc]) break;
      if (next.registers[sp] !== undefined && prev[sp] !== undefined && next.registers[sp] <= prev[sp]) break; // stack must grow up
      frames.push(next.registers);
    }
    return frames;
  }

  /** The canonical frame address of the frame with these registers (DWARF 5 section 6.4), via CFI. */
  async cfaOf(regs: Registers, readMemory: ReadMemory, isCaller = false): Promise<bigint | undefined> {
    const pc = regs[LAYOUTS[this.arch].pc];
    if (pc === undefined) return undefined;
    const row = this.rowAt(isCaller && pc > 0n ? pc - 1n : pc);
    return row ? this.computeCfa(row, regs, readMemory) : undefined;
  }

  private async computeCfa(row: UnwindRow, regs: Registers, readMemory: ReadMemory): Promise<bigint | undefined> {
    const layout = LAYOUTS[this.arch];
    if (row.cfa.kind === 'registerOffset') {
      const base = regs[layout.names[row.cfa.register]];
      return base === undefined ? undefined : base + BigInt(row.cfa.offset);
    }
    const register = (n: number) => { const name = layout.names[n]; return name === undefined ? undefined : regs[name]; };
    return evaluateExpression(row.cfa.expression, { addressSize: layout.wordSize, register, readMemory });
  }

  private async unwindWithRow(row: UnwindRow, regs: Registers, readMemory: ReadMemory): Promise<UnwoundFrame | undefined> {
    const layout = LAYOUTS[this.arch];
    const register = (n: number) => { const name = layout.names[n]; return name === undefined ? undefined : regs[name]; };
    const ctx = { addressSize: layout.wordSize, register, readMemory };
    const cfa = await this.computeCfa(row, regs, readMemory);
    if (cfa === undefined) return undefined;
    const out: Registers = {};
    for (const name of layout.calleeSaved) if (regs[name] !== undefined) out[name] = regs[name];
    out[layout.sp] = cfa; // x86 psABI: the caller's stack pointer is the CFA
    for (const [n, rule] of row.registers) {
      const name = layout.names[n] ?? (n === 16 && this.arch === 'x86_64' ? 'rip' : undefined);
      if (!name) continue;
      const value = await this.applyRule(rule, cfa, n, regs, ctx);
      if (value === undefined) delete out[name]; else out[name] = value;
    }
    if (out[layout.pc] === undefined) return undefined; // return address undefined: outermost frame
    return { registers: out, cfa, method: 'cfi' };
  }

  private async applyRule(rule: RegisterRule, cfa: bigint, n: number, regs: Registers,
    ctx: { addressSize: 4 | 8; register: (n: number) => bigint | undefined; readMemory: ReadMemory }): Promise<bigint | undefined> {
    const layout = LAYOUTS[this.arch];
    switch (rule.kind) {
      case 'undefined': return undefined;
      case 'sameValue': return regs[layout.names[n]];
      case 'offset': return await ctx.readMemory(cfa + BigInt(rule.offset), layout.wordSize);
      case 'valOffset': return cfa + BigInt(rule.offset);
      case 'register': return ctx.register(rule.register);
      case 'expression': return await ctx.readMemory(await evaluateExpression(rule.expression, { ...ctx, initial: cfa }), layout.wordSize);
      case 'valExpression': return evaluateExpression(rule.expression, { ...ctx, initial: cfa });
    }
  }

  private async unwindWithFramePointer(regs: Registers, readMemory: ReadMemory): Promise<UnwoundFrame | undefined> {
    const layout = LAYOUTS[this.arch];
    const fp = regs[layout.fp];
    if (!fp) return undefined;
    const word = BigInt(layout.wordSize);
    const callerFp = await readMemory(fp, layout.wordSize);
    const returnAddress = await readMemory(fp + word, layout.wordSize);
    if (callerFp === undefined || !returnAddress) return undefined;
    const out: Registers = {};
    for (const name of layout.calleeSaved) if (regs[name] !== undefined) out[name] = regs[name];
    Object.assign(out, { [layout.fp]: callerFp, [layout.pc]: returnAddress, [layout.sp]: fp + 2n * word });
    return { registers: out, cfa: fp + 2n * word, method: 'framePointer' };
  }
}
