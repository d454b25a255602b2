// When a step request has arrived, judged after each single-stepped instruction: by instruction
// (always), into (a new line starts), over (a new line starts in this function or a caller; calls
// run through) and out (the stack pointer rose above the caller frame's, i.e. the RET executed).
import type { VcpuState } from '../target';
import type { StepPredicate } from './executionControl';
import type { GuestSymbols } from './guestSymbols';

export type StepKind = 'instruction' | 'in' | 'over' | 'out';

export function lineStepPredicate(kind: StepKind, start: VcpuState, symbols: GuestSymbols, callerSp?: bigint): StepPredicate {
  const startRip = start.regs.rip;
  const startRsp = start.regs.rsp;
  const startLine = symbols.source(startRip);
  const startFn = symbols.functionName(startRip);
  if (kind === 'instruction' || (!startLine && kind !== 'out')) return () => true;
  const newLine = (s: VcpuState): boolean => {
    const src = symbols.source(s.regs.rip);
    return src !== undefined && src.isStmt && src.address === s.regs.rip
      && (src.line !== startLine?.line || src.path !== startLine?.path || s.regs.rip === startLine?.address);
  };
  switch (kind) {
    case 'in': return newLine;
    case 'over': return (s) => {
      const inCallee = s.regs.rsp < startRsp && symbols.functionName(s.regs.rip) !== startFn;
      return !inCallee && newLine(s);
    };
    case 'out': {
      const target = callerSp ?? startRsp + 8n;
      return (s) => s.regs.rsp >= target && s.regs.rip !== startRip;
    }
  }
}
