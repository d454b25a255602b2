// Queries over the decoded line tables of all units: address -> (file, line, column) by binary
// search over row ranges, and (file, line) -> the is_stmt addresses of that line (breakpoints,
// stepping), with the instruction ranges each row covers (for "memory this line touches").
import type { LineRow, LineTable } from './lineProgram';
import { compareAddresses, SortedAddresses } from '../sortedAddresses';

export interface SourceLocation {
  path: string;
  line: number;
  column: number;
  /** Start of the row that covers the queried address. */
  address: bigint;
  isStmt: boolean;
}

/** One line-table row with the half-open address range it covers. */
export interface LineSpan {
  table: LineTable;
  row: LineRow;
  low: bigint;
  high: bigint;
}

/** Source files compare by their full path; a query may also be a path suffix ("dir/x.c"). */
function pathMatches(candidate: string, query: string): boolean {
  return candidate === query || candidate.endsWith(query.startsWith('/') ? query : `/${query}`);
}

export class LineIndex {
  private readonly spans: LineSpan[] = [];
  private readonly starts: SortedAddresses;
  /** path -> line -> spans, built on the first line query. */
  private byFile?: Map<string, Map<number, LineSpan[]>>;

  /**
   * `isLoaded` filters out sequences of code the linker discarded (their addresses were resolved
   * to 0 or a tombstone): a sequence is kept only if its first address is loaded code.
   */
  constructor(readonly tables: readonly LineTable[], isLoaded: (address: bigint) => boolean = () => true) {
    for (const table of tables) {
      const rows = table.rows;
      let keep = true;
      for (let i = 0; i + 1 < rows.length; i++) {
        const row = rows[i];
        if (i === 0 || rows[i - 1].endSequence) keep = isLoaded(row.address);
        if (row.endSequence || !keep) continue;
        const next = rows[i + 1];
        if (next.address > row.address) this.spans.push({ table, row, low: row.address, high: next.address });
      }
    }
    this.spans.sort((a, b) => compareAddresses(a.low, b.low));
    this.starts = new SortedAddresses(this.spans.map((s) => s.low));
  }

  pathOf(table: LineTable, row: LineRow): string {
    return table.files[row.file]?.path ?? `<file ${row.file}>`;
  }

  /** The row covering `address`, or undefined when no line table describes it. */
  spanAt(address: bigint): LineSpan | undefined {
    const found = this.starts.lastAtOrBefore(address);
    const span = found >= 0 ? this.spans[found] : undefined;
    return span && address < span.high ? span : undefined;
  }

  /** address -> source position. */
  lookupAddress(address: bigint): SourceLocation | undefined {
    const span = this.spanAt(address);
    if (!span) return undefined;
    return { path: this.pathOf(span.table, span.row), line: span.row.line, column: span.row.column, address: span.low, isStmt: span.row.isStmt };
  }

  /** Every span whose row is at `line` of a file matching `path` (is_stmt or not). */
  spansForLine(path: string, line: number): LineSpan[] {
    return this.filesMatching(path).flatMap((lines) => lines.get(line) ?? []);
  }

  /** Start addresses of the is_stmt rows of (file, line), ascending and distinct: breakpoint sites. */
  addressesForLine(path: string, line: number): bigint[] {
    const set = new Set<bigint>();
    for (const s of this.spansForLine(path, line)) if (s.row.isStmt) set.add(s.low);
    return [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /**
   * Where a breakpoint requested at (path, line) lands: that line if it has code, otherwise the
   * nearest following line of the same file that does (as debuggers move breakpoints).
   */
  resolveBreakpoint(path: string, line: number): { line: number; addresses: bigint[] } | undefined {
    let best: number | undefined;
    for (const lines of this.filesMatching(path)) {
      for (const [candidate, spans] of lines) {
        if (candidate >= line && (best === undefined || candidate < best) && spans.some((s) => s.row.isStmt)) best = candidate;
      }
    }
    return best === undefined ? undefined : { line: best, addresses: this.addressesForLine(path, best) };
  }

  private filesMatching(path: string): Array<Map<number, LineSpan[]>> {
    if (!this.byFile) {
      this.byFile = new Map();
      for (const span of this.spans) {
        const file = this.pathOf(span.table, span.row);
        let lines = this.byFile.get(file);
        if (!lines) { lines = new Map(); this.byFile.set(file, lines); }
        const list = lines.get(span.row.line);
        if (list) list.push(span); else lines.set(span.row.line, [span]);
      }
    }
    return [...this.byFile].filter(([file]) => pathMatches(file, path)).map(([, lines]) => lines);
  }

  /** Distinct full paths of all source files named by the line tables. */
  sourceFiles(): string[] {
    const out = new Set<string>();
    for (const t of this.tables) for (const f of t.files) if (f) out.add(f.path);
    return [...out].sort();
  }
}
