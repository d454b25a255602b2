// Where a breakpoint on a function name goes: past the prologue (frame set-up), at the first
// statement of the body, with the same rules as gdb: the DW_LNS_set_prologue_end row if there is
// one, else the second is_stmt address of the function; optimized code (where gcc's line table
// and location lists already describe the entry) stops at the entry address itself.
import type { DebugInfo } from './debugInfo';
import type { SubprogramInfo } from './dwarf/programModel';

export interface FunctionBreakpoint {
  address: bigint;
  path: string | undefined;
  line: number | undefined;
}

/** "-O", "-O2", "-Os", "-Og"... in DW_AT_producer, but not "-O0". */
function isOptimized(producer: string): boolean {
  return /(^|\s)-O(?!0\b)\S*/.test(producer);
}

export function functionBreakpoint(info: DebugInfo, subprogram: SubprogramInfo): FunctionBreakpoint | undefined {
  const { low, high } = subprogram;
  if (low === undefined || high === undefined) return undefined;
  const statements = info.lines.statementsIn(low, high);
  let address = low;
  if (!isOptimized(subprogram.compileUnit.producer)) {
    const marked = statements.find((s) => s.row.prologueEnd);
    address = marked?.low ?? statements.find((s) => s.low > low)?.low ?? low;
  }
  // The line shown is that of the last is_stmt row at the address (several rows may share it).
  const naming = statements.filter((s) => s.low === address).pop();
  const fallback = naming ? undefined : info.lines.lookupAddress(address);
  return {
    address,
    path: naming ? info.lines.pathOf(naming.table, naming.row) : fallback?.path,
    line: naming?.row.line ?? fallback?.line,
  };
}
