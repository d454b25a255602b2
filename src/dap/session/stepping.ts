// When a step request has arrived, judged after each single-stepped instruction: by instruction
// (always), into (a new line starts), over (a new line starts in this function or a caller) and out
// (the RET has executed). A step over a call, and a step out, run at full speed to the return
// address (read from [RSP] at the callee's first instruction, or unwound for the caller frame).
import type { VcpuState } from '../target';
import type { StepPredicate } from './executionControl';
import type { GuestSymbols } from './guestSymbols';

export type StepKind = 'instruction' | 'in' | 'over' | 'out';

/** Where the stopped frame returns to, from the unwinder: caller pc and the caller's RSP. */
export interface CallerFrame { pc: bigint; sp: bigint }

export function lineStepPredicate(kind: StepKind, start: VcpuState, symbols: GuestSymbols,
  readStackWord: (address: bigint) => Promise<bigint | undefined>, caller?: CallerFrame): StepPredicate {
  const startRsp = start.regs.rsp;
  const startLine = symbols.source(start.regs.rip);
  const startFn = symbols.functionName(start.regs.rip);
  if (kind === 'instruction' || (!startLine && kind !== 'out')) return () => true;
  const newLine = (s: VcpuState): boolean => {
    const src = symbols.source(s.regs.rip);
    return src !== undefined && src.isStmt && src.address === s.regs.rip
      && (src.line !== startLine?.line || src.path !== startLine?.path || s.regs.rip === startLine?.address);
  };
  switch (kind) {
    case 'in': return newLine;
    case 'over': return async (s) => {
      if (s.regs.rsp < startRsp && symbols.functionName(s.regs.rip) !== startFn) {
        // First instruction of a callee: [RSP] holds the return address.
        const ret = await readStackWord(s.regs.rsp);
        return ret === undefined ? false : { runTo: ret, minRsp: s.regs.rsp + 8n };
      }
      return newLine(s);
    };
    case 'out': {
      let launched = false;
      return (s) => {
        if (s.regs.rsp >= (caller?.sp ?? startRsp + 8n) && s.regs.rip !== start.regs.rip) return true;
        if (caller && !launched) { launched = true; return { runTo: caller.pc, minRsp: caller.sp }; }
        return false;
      };
    }
  }
}
