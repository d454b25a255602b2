// Address -> source line over the DWARF line tables (DWARF 5 §6.2: each row covers the addresses
// up to the next row of its sequence), flattened into typed arrays so the worker thread that reads
// the DWARF can post it to the server cheaply; lookups are a binary search.
import type { LineTable } from '../debuginfo/index';

export interface AddressLineTable {
  starts: BigUint64Array;
  ends: BigUint64Array;
  lines: Uint32Array;
  /** Index into `paths` for each span. */
  files: Uint32Array;
  paths: string[];
}

export function buildAddressLines(tables: readonly LineTable[]): AddressLineTable {
  const paths: string[] = [];
  const pathIndex = new Map<string, number>();
  const starts: bigint[] = [], ends: bigint[] = [], lines: number[] = [], files: number[] = [];
  for (const table of tables) {
    const rows = table.rows;
    for (let i = 0; i + 1 < rows.length; i++) {
      const row = rows[i], next = rows[i + 1];
      if (row.endSequence || next.address <= row.address || row.line === 0) continue;
      const path = table.files[row.file]?.path;
      if (path === undefined) continue;
      let index = pathIndex.get(path);
      if (index === undefined) { index = paths.length; paths.push(path); pathIndex.set(path, index); }
      starts.push(row.address); ends.push(next.address); lines.push(row.line); files.push(index);
    }
  }
  // Sort by start with number compares on the 32-bit halves (bigint compares are several times slower).
  const hi = Uint32Array.from(starts, (a) => Number(a >> 32n)), lo = Uint32Array.from(starts, (a) => Number(a & 0xffffffffn));
  const order = Int32Array.from(starts, (_, i) => i).sort((a, b) => hi[a] - hi[b] || lo[a] - lo[b]);
  return {
    starts: BigUint64Array.from(order, (i) => starts[i]),
    ends: BigUint64Array.from(order, (i) => ends[i]),
    lines: Uint32Array.from(order, (i) => lines[i]),
    files: Uint32Array.from(order, (i) => files[i]),
    paths,
  };
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
