// Turns what the user points at in an editor (a source line, a symbol) into guest memory ranges to
// watch, through the guest ELF's debug info alone, so watchpoints can be chosen before any session.
// Line reads/writes come from decoding the line's instructions (Intel SDM Vol. 2A 2.2.1.6,
// RIP-relative operands); execution watches cover the line's instruction ranges (DWARF line table).
import { DebugInfo, variablesTouchedByLine } from '../../dap/debuginfo';
import type { WatchAccess } from '../configurationTypes';

/** One candidate range; `pointee` is set when the value of a pointer variable must be read first. */
export interface WatchTarget {
  label: string;
  address: bigint;
  size: number;
  /** Access the line makes (for line targets), shown in the pick list. */
  touchedBy?: 'read' | 'write' | 'readWrite' | 'execute';
  pointee?: { label: string; size: number };
}

export class WatchTargetError extends Error {
  constructor(message: string) { super(message); this.name = 'WatchTargetError'; }
}

const readers = new Map<string, { info: DebugInfo; mtimeMs: number }>();

/** The guest's debug info, read once per ELF file version. */
export function debugInfoFor(elfPath: string, mtimeMs: number): DebugInfo {
  const cached = readers.get(elfPath);
  if (cached && cached.mtimeMs === mtimeMs) return cached.info;
  const info = DebugInfo.fromFile(elfPath);
  readers.set(elfPath, { info, mtimeMs });
  return info;
}

/** Path suffixes from longest to shortest ("/a/b/main.c", "b/main.c", "main.c"): DWARF may record any of them. */
function pathCandidates(path: string): string[] {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return [path, ...parts.slice(1).map((_, i) => parts.slice(i + 1).join('/'))];
}

/** Whether the guest's line table has code for (path, line). */
export function hasCodeAt(info: DebugInfo, path: string, line: number): boolean {
  return info.hasDwarf && pathCandidates(path).some((candidate) => info.lines.spansForLine(candidate, line).length > 0);
}

/** Ranges a line touches for the given access; `line` is 1-based as in the DWARF line table. */
export function targetsOnLine(info: DebugInfo, path: string, line: number, access: WatchAccess): WatchTarget[] {
  if (!info.hasDwarf) throw new WatchTargetError('the guest ELF has no DWARF debug info (build it with -g)');
  for (const candidate of pathCandidates(path)) {
    if (access === 'execute') {
      const spans = info.lines.spansForLine(candidate, line);
      if (spans.length === 0) continue;
      return spans.map((span) => ({
        label: `line ${line} code`, address: span.low, size: Number(span.high - span.low), touchedBy: 'execute' as const,
      })).filter((t) => t.size > 0);
    }
    if (info.lines.spansForLine(candidate, line).length === 0) continue;
    const touched = variablesTouchedByLine(info, candidate, line)
      .filter((v) => access === 'readWrite' || v.access === 'readWrite' || v.access === access);
    if (touched.length === 0) {
      throw new WatchTargetError(`line ${line} ${access === 'readWrite' ? 'touches' : access === 'read' ? 'reads' : 'writes'} no global or static variable (locals and memory reached through pointers have no fixed address)`);
    }
    return touched.map((v) => ({ label: v.name, address: v.address, size: v.byteSize, touchedBy: v.access }));
  }
  throw new WatchTargetError(`${path}:${line} has no code in the guest's line table`);
}

/** The global or static variable (or object symbol) called `name`, and its pointee when it is a pointer. */
export function targetsForSymbol(info: DebugInfo, name: string): WatchTarget[] {
  const variable = info.hasDwarf ? info.program.globals.find((g) => g.name === name) : undefined;
  if (variable?.address !== undefined) {
    const target: WatchTarget = { label: name, address: variable.address, size: variable.byteSize ?? 1 };
    let type = variable.type;
    while (type && (type.kind === 'typedef' || type.kind === 'const' || type.kind === 'volatile')) type = type.target;
    const pointee = type?.kind === 'pointer' ? type.target?.byteSize : undefined;
    if (pointee) target.pointee = { label: `*${name}`, size: pointee };
    return [target];
  }
  const symbol = info.symbols.lookupName(name);
  if (!symbol) throw new WatchTargetError(`the guest has no variable or symbol named "${name}"`);
  if (symbol.type === 'func') {
    return [{ label: name, address: symbol.value, size: Math.max(1, Number(symbol.size)), touchedBy: 'execute' }];
  }
  return [{ label: name, address: symbol.value, size: Math.max(1, Number(symbol.size)) }];
}
