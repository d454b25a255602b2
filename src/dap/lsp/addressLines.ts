// Address -> source line for the language server: the spans of the reader's line index
// (debuginfo `info.lines`, DWARF 5 §6.2) flattened into typed arrays, so the worker thread that
// reads the DWARF can post them to the server cheaply; lookups are a binary search. Line 0 (code
// attributed to no source line, §6.2.5.1) and rows naming no known file are left out: there is no
// source position to show for them.
import type { LineIndex } from '../debuginfo/index';

export interface AddressLineTable {
  starts: BigUint64Array;
  ends: BigUint64Array;
  lines: Uint32Array;
  /** Index into `paths` for each span. */
  files: Uint32Array;
  paths: string[];
}

export function buildAddressLines(index: LineIndex | undefined): AddressLineTable {
  const spans = (index?.addressSpans ?? []).filter((s) => s.row.line !== 0 && s.table.files[s.row.file] !== undefined);
  const paths: string[] = [];
  const pathIndex = new Map<string, number>();
  const table: AddressLineTable = {
    starts: new BigUint64Array(spans.length), ends: new BigUint64Array(spans.length),
    lines: new Uint32Array(spans.length), files: new Uint32Array(spans.length), paths,
  };
  spans.forEach((span, i) => {
    const path = span.table.files[span.row.file]!.path;
    let file = pathIndex.get(path);
    if (file === undefined) { file = paths.length; paths.push(path); pathIndex.set(path, file); }
    table.starts[i] = span.low; table.ends[i] = span.high; table.lines[i] = span.row.line; table.files[i] = file;
  });
  return table;
}

/** The source line whose code contains `address`, or undefined. */
export function lineAt(table: AddressLineTable, address: bigint): { path: string; line: number } | undefined {
  let lo = 0, hi = table.starts.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (table.starts[mid] <= address) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  if (found < 0 || address >= table.ends[found]) return undefined;
  return { path: table.paths[table.files[found]], line: table.lines[found] };
}
