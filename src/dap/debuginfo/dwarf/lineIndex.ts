// Queries over the decoded line tables of all units: address -> (file, line, column) by binary
// search over row ranges, and (file, line) -> the is_stmt addresses of that line (breakpoints,
// stepping), with the instruction ranges rows cover (for "memory this line touches"). When rows
// share an address, the last one names it (as llvm-symbolizer does); every is_stmt row of a
// line, even a zero-length one, is a breakpoint site (as in gdb).
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

/** A line-table row with the half-open address range of instructions it names. */
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

interface FileLines {
  /** line -> start addresses of its is_stmt rows (zero-length rows included). */
  statements: Map<number, Set<bigint>>;
  /** line -> spans whose naming row is on that line. */
  spans: Map<number, LineSpan[]>;
}

export class LineIndex {
  private readonly spans: LineSpan[] = [];
  private readonly statementRows: LineSpan[] = [];
  private readonly starts: SortedAddresses;
  /** path -> per-line data, built on the first line query. */
  private byFile?: Map<string, FileLines>;
  /** query path -> the files it matches (editors ask about the same few files over and over). */
  private readonly matches = new Map<string, FileLines[]>();

  /**
   * `isLoaded` filters out sequences of code the linker discarded (their addresses were resolved
   * to 0 or a tombstone): a sequence is kept only if its first address is loaded code.
   */
  constructor(readonly tables: readonly LineTable[], isLoaded: (address: bigint) => boolean = () => true) {
    for (const table of tables) this.addTable(table, isLoaded);
    this.spans.sort((a, b) => compareAddresses(a.low, b.low));
    this.starts = new SortedAddresses(this.spans.map((s) => s.low));
  }

  private addTable(table: LineTable, isLoaded: (address: bigint) => boolean): void {
    const rows = table.rows;
    let keep = true;
    for (let i = 0; i + 1 < rows.length; i++) {
      const row = rows[i];
      if (i === 0 || rows[i - 1].endSequence) keep = isLoaded(row.address);
      if (row.endSequence || !keep) continue;
      let end = i + 1;
      while (end < rows.length && rows[end].address === row.address && !rows[end].endSequence) end++;
      const high = end < rows.length ? rows[end].address : row.address;
      if (high <= row.address) continue;
      if (row.isStmt) this.statementRows.push({ table, row, low: row.address, high });
      if (end === i + 1) this.spans.push({ table, row, low: row.address, high });
    }
  }

  /** Every address span with the row that names it, ascending by address (what lookupAddress searches). */
  get addressSpans(): readonly LineSpan[] { return this.spans; }

  pathOf(table: LineTable, row: LineRow): string {
    return table.files[row.file]?.path ?? `<file ${row.file}>`;
  }

  /** The row covering `address`, or undefined when no line table describes it. */
  spanAt(address: bigint): LineSpan | undefined {
    const found = this.starts.lastAtOrBefore(address);
    const span = found >= 0 ? this.spans[found] : undefined;
    return span && address < span.high ? span : undefined;
  }

  /**
   * The contiguous address range around `address` that belongs to the same source line: a
   * "step over" runs until the pc leaves it (or enters a call).
   */
  stepRangeAt(address: bigint): { low: bigint; high: bigint; path: string; line: number } | undefined {
    let first = this.starts.lastAtOrBefore(address);
    const span = first >= 0 ? this.spans[first] : undefined;
    if (!span || address >= span.high) return undefined;
    const path = this.pathOf(span.table, span.row), line = span.row.line;
    const sameLine = (s: LineSpan) => s.row.line === line && this.pathOf(s.table, s.row) === path;
    let last = first;
    while (first > 0 && this.spans[first - 1].high === this.spans[first].low && sameLine(this.spans[first - 1])) first--;
    while (last + 1 < this.spans.length && this.spans[last + 1].low === this.spans[last].high && sameLine(this.spans[last + 1])) last++;
    return { low: this.spans[first].low, high: this.spans[last].high, path, line };
  }

  /** address -> source position. */
  lookupAddress(address: bigint): SourceLocation | undefined {
    const span = this.spanAt(address);
    if (!span) return undefined;
    return { path: this.pathOf(span.table, span.row), line: span.row.line, column: span.row.column, address: span.low, isStmt: span.row.isStmt };
  }

  /** Instruction ranges named by `line` of a file matching `path` (one per address range). */
  spansForLine(path: string, line: number): LineSpan[] {
    return this.filesMatching(path).flatMap((f) => f.spans.get(line) ?? []);
  }

  /** Start addresses of the is_stmt rows of (file, line), ascending and distinct: breakpoint sites. */
  addressesForLine(path: string, line: number): bigint[] {
    const set = new Set<bigint>();
    for (const f of this.filesMatching(path)) for (const a of f.statements.get(line) ?? []) set.add(a);
    return [...set].sort(compareAddresses);
  }

  /**
   * Where a breakpoint requested at (path, line) lands: that line if it has code, otherwise the
   * nearest following line of the same file that does (as debuggers move breakpoints).
   */
  resolveBreakpoint(path: string, line: number): { line: number; addresses: bigint[] } | undefined {
    let best: number | undefined;
    for (const f of this.filesMatching(path)) {
      for (const candidate of f.statements.keys()) {
        if (candidate >= line && (best === undefined || candidate < best)) best = candidate;
      }
    }
    return best === undefined ? undefined : { line: best, addresses: this.addressesForLine(path, best) };
  }

  /** is_stmt rows starting in [low, high), in address order (prologue analysis, stepping). */
  statementsIn(low: bigint, high: bigint): LineSpan[] {
    return this.statementRows.filter((s) => s.low >= low && s.low < high).sort((a, b) => compareAddresses(a.low, b.low));
  }

  /** Distinct full paths of all source files named by the line tables. */
  sourceFiles(): string[] {
    const out = new Set<string>();
    for (const t of this.tables) for (const f of t.files) if (f) out.add(f.path);
    return [...out].sort();
  }

  private filesMatching(path: string): FileLines[] {
    let found = this.matches.get(path);
    if (!found) {
      this.byFile ??= this.buildFileIndex();
      found = [...this.byFile].filter(([file]) => pathMatches(file, path)).map(([, lines]) => lines);
      this.matches.set(path, found);
    }
    return found;
  }

  private buildFileIndex(): Map<string, FileLines> {
    const byFile = new Map<string, FileLines>();
    const linesOf = (span: LineSpan) => {
      const file = this.pathOf(span.table, span.row);
      let lines = byFile.get(file);
      if (!lines) { lines = { statements: new Map(), spans: new Map() }; byFile.set(file, lines); }
      return lines;
    };
    for (const span of this.spans) {
      const list = linesOf(span).spans;
      const existing = list.get(span.row.line);
      if (existing) existing.push(span); else list.set(span.row.line, [span]);
    }
    for (const span of this.statementRows) {
      const statements = linesOf(span).statements;
      const set = statements.get(span.row.line);
      if (set) set.add(span.low); else statements.set(span.row.line, new Set([span.low]));
    }
    return byFile;
  }
}
