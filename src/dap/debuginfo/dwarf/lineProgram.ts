// Decodes .debug_line line-number programs (DWARF 5 section 6.2; DWARF 4 section 6.2): the header
// with its directory and file tables (v5 entry formats with DW_LNCT_* / string forms, or the v2-4
// NUL-terminated lists) and the state machine (standard, extended and special opcodes) into rows.
import { ByteReader } from '../byteReader';
import { DebugInfoError } from '../errors';
import { readAttributeValue, type FormContext } from './attributeValue';
import * as constants from './constants';
import type { DwarfSections } from './dwarfSections';

// Copied into local bindings once: unbundled CommonJS would otherwise call a getter per use.
const { DW_LNCT, DW_LNE, DW_LNS } = constants;

export interface LineFile {
  /** Full path: directory joined with the name, made absolute against the compilation directory. */
  path: string;
  name: string;
  directory: string;
}

export interface LineRow {
  address: bigint;
  /** Index into LineTable.files, numbered as DW_AT_decl_file and DW_LNS_set_file number them. */
  file: number;
  line: number;
  column: number;
  isStmt: boolean;
  prologueEnd: boolean;
  endSequence: boolean;
  discriminator: number;
}

export interface LineTable {
  offset: number;
  version: number;
  /** Indexed as the program indexes them: 1-based (entry 0 unused) before v5, 0-based in v5. */
  files: Array<LineFile | undefined>;
  directories: string[];
  rows: LineRow[];
}

interface Header {
  version: number; addressSize: number; minInstLength: number; maxOps: number; defaultIsStmt: boolean;
  lineBase: number; lineRange: number; opcodeBase: number; standardLengths: number[]; programStart: number;
  directories: string[]; files: Array<LineFile | undefined>; end: number; offsetSize: 4 | 8;
}

/** Parses the line program at `offset` of .debug_line; `compDir` resolves relative directories. */
export function parseLineTable(sections: DwarfSections, offset: number, compDir = '', defaultAddressSize: number = sections.addressSize): LineTable {
  const r = new ByteReader(sections.line, sections.littleEndian, offset, '.debug_line');
  const h = readHeader(r, sections, compDir, defaultAddressSize);
  r.seek(h.programStart);
  const rows = runProgram(r, h);
  return { offset, version: h.version, files: h.files, directories: h.directories, rows };
}

function readHeader(r: ByteReader, sections: DwarfSections, compDir: string, defaultAddressSize: number): Header {
  const start = r.pos;
  const { end, offsetSize } = r.initialLength();
  const version = r.u16();
  if (version < 2 || version > 5) throw new DebugInfoError('unsupported', `.debug_line version ${version}`, start);
  let addressSize = defaultAddressSize;
  if (version >= 5) { addressSize = r.u8(); r.u8(); /* segment_selector_size */ }
  const headerLength = r.offset(offsetSize);
  const programStart = r.pos + headerLength;
  if (programStart > end) throw new DebugInfoError('malformed', '.debug_line: header_length runs past the unit', start);
  const minInstLength = r.u8();
  const maxOps = version >= 4 ? r.u8() : 1;
  const defaultIsStmt = r.u8() !== 0;
  const lineBase = r.i8(), lineRange = r.u8(), opcodeBase = r.u8();
  if (lineRange === 0) throw new DebugInfoError('malformed', '.debug_line: line_range is 0', start);
  const standardLengths = [0];
  for (let i = 1; i < opcodeBase; i++) standardLengths.push(r.u8());
  const h: Header = { version, addressSize, minInstLength, maxOps: maxOps || 1, defaultIsStmt, lineBase, lineRange,
    opcodeBase, standardLengths, programStart, directories: [], files: [], end, offsetSize };
  if (version >= 5) readV5Tables(r, h, sections, compDir);
  else readLegacyTables(r, h, compDir);
  return h;
}

function joinPath(dir: string, name: string): string {
  if (name.startsWith('/') || dir === '') return name;
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

function readLegacyTables(r: ByteReader, h: Header, compDir: string): void {
  h.directories.push(compDir);
  for (let dir = r.cstring(); dir !== ''; dir = r.cstring()) h.directories.push(joinPath(compDir, dir));
  h.files.push(undefined);
  for (let name = r.cstring(); name !== ''; name = r.cstring()) {
    const dirIndex = r.uleb(); r.uleb(); r.uleb();
    h.files.push(legacyFile(h, name, dirIndex));
  }
}

function legacyFile(h: Header, name: string, dirIndex: number): LineFile {
  const directory = h.directories[dirIndex];
  if (directory === undefined) throw new DebugInfoError('badOffset', `.debug_line: file ${name} names directory ${dirIndex} of ${h.directories.length}`);
  return { name, directory, path: joinPath(directory, name) };
}

function readV5Tables(r: ByteReader, h: Header, sections: DwarfSections, compDir: string): void {
  const ctx: FormContext = { sections, version: 5, offsetSize: h.offsetSize, addressSize: h.addressSize, unitOffset: 0 };
  const readEntries = () => {
    const formats: Array<{ type: number; form: number }> = [];
    const formatCount = r.u8();
    for (let i = 0; i < formatCount; i++) formats.push({ type: r.uleb(), form: r.uleb() });
    const count = r.uleb();
    const entries: Array<{ path: string; dirIndex: number }> = [];
    for (let i = 0; i < count; i++) {
      const entry = { path: '', dirIndex: 0 };
      for (const f of formats) {
        const v = readAttributeValue(r, { attribute: f.type, form: f.form }, ctx);
        if (f.type === DW_LNCT.path && v.kind === 'string') entry.path = v.value;
        else if (f.type === DW_LNCT.directory_index && v.kind === 'constant') entry.dirIndex = Number(v.value);
      }
      entries.push(entry);
    }
    return entries;
  };
  const dirs = readEntries();
  // v5: directory 0 is the compilation directory itself (6.2.4 item 20).
  dirs.forEach((d, i) => h.directories.push(i === 0 ? (d.path || compDir) : joinPath(dirs[0]?.path || compDir, d.path)));
  for (const f of readEntries()) h.files.push(legacyFile(h, f.path, f.dirIndex));
}

interface State { address: bigint; opIndex: number; file: number; line: number; column: number; isStmt: boolean;
  prologueEnd: boolean; discriminator: number }

function runProgram(r: ByteReader, h: Header): LineRow[] {
  const rows: LineRow[] = [];
  const fresh = (): State => ({ address: 0n, opIndex: 0, file: 1, line: 1, column: 0, isStmt: h.defaultIsStmt, prologueEnd: false, discriminator: 0 });
  let s = fresh();
  const emit = (endSequence: boolean) => {
    rows.push({ address: s.address, file: s.file, line: s.line, column: s.column, isStmt: s.isStmt,
      prologueEnd: s.prologueEnd, endSequence, discriminator: s.discriminator });
    s.prologueEnd = false; s.discriminator = 0;
  };
  // 6.2.5.1: address advances by min_inst_length * ((op_index + adv) / max_ops).
  const advance = (operationAdvance: number) => {
    const total = s.opIndex + operationAdvance;
    s.address += BigInt(h.minInstLength * Math.floor(total / h.maxOps));
    s.opIndex = total % h.maxOps;
  };
  while (r.pos < h.end) {
    const op = r.u8();
    if (op >= h.opcodeBase) {
      const adjusted = op - h.opcodeBase;
      advance(Math.floor(adjusted / h.lineRange));
      s.line += h.lineBase + (adjusted % h.lineRange);
      emit(false);
      continue;
    }
    switch (op) {
      case 0: {
        const length = r.uleb();
        const next = r.pos + length;
        if (length === 0) break;
        const sub = r.u8();
        if (sub === DW_LNE.end_sequence) { emit(true); s = fresh(); }
        else if (sub === DW_LNE.set_address) { s.address = r.address(length - 1); s.opIndex = 0; }
        else if (sub === DW_LNE.set_discriminator) s.discriminator = r.uleb();
        else if (sub === DW_LNE.define_file) { const name = r.cstring(); const dir = r.uleb(); h.files.push(legacyFile(h, name, dir)); }
        r.seek(next);
        break;
      }
      case DW_LNS.copy: emit(false); break;
      case DW_LNS.advance_pc: advance(r.uleb()); break;
      case DW_LNS.advance_line: s.line += r.sleb(); break;
      case DW_LNS.set_file: s.file = r.uleb(); break;
      case DW_LNS.set_column: s.column = r.uleb(); break;
      case DW_LNS.negate_stmt: s.isStmt = !s.isStmt; break;
      case DW_LNS.set_basic_block: break;
      case DW_LNS.const_add_pc: advance(Math.floor((255 - h.opcodeBase) / h.lineRange)); break;
      case DW_LNS.fixed_advance_pc: s.address += BigInt(r.u16()); s.opIndex = 0; break;
      case DW_LNS.set_prologue_end: s.prologueEnd = true; break;
      case DW_LNS.set_epilogue_begin: break;
      case DW_LNS.set_isa: r.uleb(); break;
      default: for (let i = 0; i < h.standardLengths[op]; i++) r.uleb(); // unknown standard opcode: skip its operands
    }
  }
  return rows;
}
