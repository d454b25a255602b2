// Source-level frames of one machine frame: with inlining (DWARF 5 section 3.3.8.2), a pc in
// main may be "in square, inlined into sum_squares at line 9, inlined into main at line 14". The
// innermost position comes from the line table; each enclosing one from DW_AT_call_file/line.
import type { DebugInfo } from './debugInfo';

export interface SourceFrame {
  functionName: string;
  path: string | undefined;
  line: number | undefined;
  column: number | undefined;
  /** False for the frames of inlined calls (they share the machine frame of `functionName` of the last entry). */
  isConcrete: boolean;
}

/** Innermost first, like a stack trace; empty when no subprogram covers pc. */
export function sourceFramesAt(info: DebugInfo, pc: bigint): SourceFrame[] {
  const subprogram = info.program.subprogramAt(pc);
  if (!subprogram) return [];
  const chain = subprogram.inlined.filter((c) => c.ranges.some((r) => pc >= r.low && pc < r.high));
  const here = info.lines.lookupAddress(pc);
  const frames: SourceFrame[] = [];
  let position = { path: here?.path, line: here?.line, column: here?.column };
  for (let i = chain.length - 1; i >= 0; i--) {
    frames.push({ functionName: chain[i].name, ...position, isConcrete: false });
    position = { path: chain[i].callFile, line: chain[i].callLine, column: chain[i].callColumn };
  }
  frames.push({ functionName: subprogram.name, ...position, isConcrete: true });
  return frames;
}
