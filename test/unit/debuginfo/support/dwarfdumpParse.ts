// Test support: parses the text output of llvm-dwarfdump (--debug-line, --debug-info) and readelf
// (-sW, --debug-dump=frames-interp) into plain records, so tests can compare them with the reader.

export interface OracleLineRow { address: bigint; line: number; column: number; file: number; isStmt: boolean; endSequence: boolean }

/** Rows of all line tables printed by `llvm-dwarfdump --debug-line`, in print order. */
export function parseDwarfdumpLines(text: string): OracleLineRow[] {
  const rows: OracleLineRow[] = [];
  for (const m of text.matchAll(/^0x([0-9a-f]+)[ \t]+(\d+)[ \t]+(\d+)[ \t]+(\d+)[ \t]+\d+[ \t]+\d+[ \t]*(.*)$/gm)) {
    const flags = m[5].split(/\s+/);
    rows.push({ address: BigInt(`0x${m[1]}`), line: Number(m[2]), column: Number(m[3]), file: Number(m[4]),
      isStmt: flags.includes('is_stmt'), endSequence: flags.includes('end_sequence') });
  }
  return rows;
}

export interface OracleDie { tag: string; attrs: Map<string, string> }

/** DIEs printed by `llvm-dwarfdump --debug-info`, each with its attribute texts (inside the parens). */
export function parseDwarfdumpInfo(text: string): OracleDie[] {
  const dies: OracleDie[] = [];
  let current: OracleDie | undefined;
  for (const line of text.split('\n')) {
    const tag = /^0x[0-9a-f]+:\s+(DW_TAG_\w+)/.exec(line);
    if (tag) { current = { tag: tag[1], attrs: new Map() }; dies.push(current); continue; }
    const attr = /^\s+(DW_AT_\w+)\s+\((.*)\)$/.exec(line);
    if (attr && current) current.attrs.set(attr[1], attr[2]);
  }
  return dies;
}

export interface OracleSymbol { name: string; value: bigint; size: number; type: string; bind: string; ndx: string }

/** Entries of one symbol table (e.g. ".symtab") printed by `readelf -sW`. */
export function parseReadelfSymbols(text: string, table: string): OracleSymbol[] {
  const start = text.indexOf(`Symbol table '${table}'`);
  if (start < 0) return [];
  const next = text.indexOf('Symbol table', start + 10);
  const out: OracleSymbol[] = [];
  for (const m of text.slice(start, next < 0 ? undefined : next).matchAll(/^[ \t]*(\d+):[ \t]+([0-9a-f]+)[ \t]+(0x[0-9a-f]+|\d+)[ \t]+(\w+)[ \t]+(\w+)[ \t]+\w+[ \t]+(\w+)[ \t]*(.*)$/gm)) {
    if (m[1] === '0') continue;
    out.push({ name: m[7], value: BigInt(`0x${m[2]}`), size: Number(m[3]), type: m[4], bind: m[5], ndx: m[6] });
  }
  return out;
}

export interface OracleCfiRow { location: bigint; cfa: string; registers: Map<string, string> }
export interface OracleFde { pcBegin: bigint; pcEnd: bigint; rows: OracleCfiRow[] }

/** FDEs with their interpreted rows from `readelf --debug-dump=frames-interp`. */
export function parseReadelfFrames(text: string): OracleFde[] {
  const fdes: OracleFde[] = [];
  let columns: string[] = [];
  let current: OracleFde | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') { current = undefined; continue; } // a blank line ends an entry
    const fde = /FDE cie=[0-9a-f]+ pc=([0-9a-f]+)\.\.([0-9a-f]+)/.exec(line);
    if (fde) { current = { pcBegin: BigInt(`0x${fde[1]}`), pcEnd: BigInt(`0x${fde[2]}`), rows: [] }; fdes.push(current); continue; }
    if (/\bCIE\b/.test(line)) { current = undefined; continue; }
    if (/^\s+LOC\s+CFA/.test(line)) { columns = line.trim().split(/\s+/).slice(2); continue; }
    const row = /^([0-9a-f]{8,16})\s+(\S+)\s*(.*)$/.exec(line);
    if (row && current) {
      const values = row[3].trim() ? row[3].trim().split(/\s+/) : [];
      current.rows.push({ location: BigInt(`0x${row[1]}`), cfa: row[2], registers: new Map(columns.map((c, i) => [c, values[i] ?? 'u'])) });
    }
  }
  return fdes;
}
