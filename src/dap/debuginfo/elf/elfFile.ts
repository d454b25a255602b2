// ELF32/ELF64 container parser: file header, section headers (with names from .shstrtab) and
// program headers, per the System V ABI "gABI" chapter 4 (ELF header, Sections) and chapter 5
// (Program header). Section contents are returned as views; SHF_COMPRESSED sections are inflated.
import { inflateSync } from 'node:zlib';
import { ByteReader, stringAt } from '../byteReader';
import { DebugInfoError } from '../errors';
import { applyRelocations } from './relocations';

export const EM_386 = 3;
export const EM_X86_64 = 62;
export const SHT_NOBITS = 8;
export const SHT_SYMTAB = 2;
export const SHT_DYNSYM = 11;
export const SHT_NOTE = 7;
export const ET_REL = 1;
const SHF_COMPRESSED = 0x800;
const ELFCOMPRESS_ZLIB = 1;

export interface ElfHeader {
  elfClass: 32 | 64;
  littleEndian: boolean;
  osAbi: number;
  type: number;          // ET_REL=1, ET_EXEC=2, ET_DYN=3, ET_CORE=4
  machine: number;       // EM_386, EM_X86_64, ...
  entry: bigint;
  flags: number;
  programHeaderOffset: number;
  sectionHeaderOffset: number;
  programHeaderCount: number;
  sectionHeaderCount: number;
  sectionNameIndex: number;
}

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: bigint;
  address: bigint;
  offset: number;
  size: number;
  link: number;
  info: number;
  addressAlign: number;
  entrySize: number;
}

export interface ElfProgramHeader {
  type: number;          // PT_LOAD=1, PT_DYNAMIC=2, PT_INTERP=3, PT_NOTE=4, ...
  flags: number;         // PF_X=1, PF_W=2, PF_R=4
  offset: number;
  virtualAddress: bigint;
  physicalAddress: bigint;
  fileSize: number;
  memorySize: bigint;
  align: bigint;
}

export class ElfFile {
  private readonly byName = new Map<string, ElfSection>();
  private readonly inflated = new Map<number, Uint8Array>();
  private readonly prepared = new Map<number, Uint8Array>();

  constructor(readonly bytes: Uint8Array, readonly header: ElfHeader,
    readonly sections: readonly ElfSection[], readonly programHeaders: readonly ElfProgramHeader[]) {
    for (const s of sections) if (!this.byName.has(s.name)) this.byName.set(s.name, s);
  }

  get is64(): boolean { return this.header.elfClass === 64; }
  get addressSize(): 4 | 8 { return this.is64 ? 8 : 4; }

  section(name: string): ElfSection | undefined { return this.byName.get(name); }

  /**
   * Contents of a section (empty for SHT_NOBITS), decompressed when SHF_COMPRESSED. In a
   * relocatable file, sections come back with their relocations applied (sections placed at 0).
   */
  sectionData(section: ElfSection): Uint8Array {
    const cached = this.prepared.get(section.index);
    if (cached) return cached;
    let data = this.unrelocatedData(section);
    if (this.header.type === ET_REL) {
      data = applyRelocations(this, section, data, (s) => this.unrelocatedData(s));
    }
    if (data.buffer !== this.bytes.buffer) this.prepared.set(section.index, data);
    return data;
  }

  private unrelocatedData(section: ElfSection): Uint8Array {
    if (section.type === SHT_NOBITS || section.size === 0) return new Uint8Array(0);
    const raw = fileRange(this.bytes, section.offset, section.size, `section ${section.name}`);
    if ((section.flags & BigInt(SHF_COMPRESSED)) === 0n) return raw;
    const cached = this.inflated.get(section.index);
    if (cached) return cached;
    const data = inflateSection(raw, this.header, section.name);
    this.inflated.set(section.index, data);
    return data;
  }

  /** Contents of the named section, or undefined when the file has none. */
  sectionBytes(name: string): Uint8Array | undefined {
    const s = this.section(name);
    return s ? this.sectionData(s) : undefined;
  }

  /**
   * Whether an address lies in a section the image occupies at run time (SHF_ALLOC, .bss included).
   * Always true for relocatable files, whose sections are not placed yet.
   */
  isAllocated(address: bigint): boolean {
    if (this.header.type === ET_REL) return true;
    return this.sections.some((s) => (s.flags & 2n) !== 0n && address >= s.address && address < s.address + BigInt(s.size));
  }

  /** The allocated section holding a virtual address, for reading code bytes. */
  sectionContaining(address: bigint): ElfSection | undefined {
    return this.sections.find((s) => s.type !== SHT_NOBITS && (s.flags & 2n) !== 0n
      && address >= s.address && address < s.address + BigInt(s.size));
  }
}

function fileRange(bytes: Uint8Array, offset: number, size: number, what: string): Uint8Array {
  if (offset < 0 || size < 0 || offset + size > bytes.length) {
    throw new DebugInfoError('badOffset', `${what}: bytes 0x${offset.toString(16)}+0x${size.toString(16)} lie past the end of the ${bytes.length}-byte file`);
  }
  return bytes.subarray(offset, offset + size);
}

function inflateSection(raw: Uint8Array, header: ElfHeader, name: string): Uint8Array {
  const r = new ByteReader(raw, header.littleEndian, 0, `compressed section ${name}`);
  const type = r.u32();
  if (header.elfClass === 64) r.skip(4);
  const size = header.elfClass === 64 ? r.u64Number() : r.u32();
  r.skip(header.elfClass === 64 ? 8 : 4);
  if (type !== ELFCOMPRESS_ZLIB) throw new DebugInfoError('unsupported', `section ${name}: compression type ${type}`);
  let out: Uint8Array;
  try {
    out = new Uint8Array(inflateSync(raw.subarray(r.pos)));
  } catch (error) {
    throw new DebugInfoError('malformed', `section ${name}: zlib data is corrupt (${(error as Error).message})`);
  }
  if (out.length !== size) throw new DebugInfoError('malformed', `section ${name}: inflated to ${out.length} bytes, header says ${size}`);
  return out;
}

/** Parses the ELF header, section headers and program headers (gABI ch. 4-5). */
export function parseElf(bytes: Uint8Array): ElfFile {
  if (bytes.length < 16 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new DebugInfoError('badMagic', 'not an ELF file (missing \\x7fELF magic)');
  }
  const elfClass = bytes[4] === 1 ? 32 : bytes[4] === 2 ? 64 : 0;
  if (elfClass === 0) throw new DebugInfoError('malformed', `ELF class byte ${bytes[4]} is neither ELFCLASS32 nor ELFCLASS64`, 4);
  if (bytes[5] !== 1 && bytes[5] !== 2) throw new DebugInfoError('malformed', `ELF data encoding byte ${bytes[5]} is neither LSB nor MSB`, 5);
  const header = readHeader(new ByteReader(bytes, bytes[5] === 1, 0, 'ELF header'), elfClass);
  const sections = readSectionHeaders(bytes, header);
  const programHeaders = readProgramHeaders(bytes, header);
  return new ElfFile(bytes, header, sections, programHeaders);
}

function readHeader(r: ByteReader, elfClass: 32 | 64): ElfHeader {
  const wide = elfClass === 64;
  const osAbi = r.seek(7).u8();
  r.seek(16);
  const type = r.u16(), machine = r.u16();
  r.u32(); // e_version
  const entry = wide ? r.u64() : BigInt(r.u32());
  const programHeaderOffset = wide ? r.u64Number() : r.u32();
  const sectionHeaderOffset = wide ? r.u64Number() : r.u32();
  const flags = r.u32();
  r.u16(); // e_ehsize
  const phentsize = r.u16(), phnum = r.u16(), shentsize = r.u16();
  let shnum = r.u16(), shstrndx = r.u16();
  const wantSh = wide ? 64 : 40, wantPh = wide ? 56 : 32;
  if (shnum !== 0 && shentsize !== wantSh) throw new DebugInfoError('malformed', `e_shentsize ${shentsize}, expected ${wantSh}`);
  if (phnum !== 0 && phentsize !== wantPh) throw new DebugInfoError('malformed', `e_phentsize ${phentsize}, expected ${wantPh}`);
  if (sectionHeaderOffset !== 0 && (shnum === 0 || shstrndx === 0xffff)) {
    // Extended numbering (gABI "Sections"): real counts live in section header 0.
    const zero = new ByteReader(r.bytes, r.littleEndian, sectionHeaderOffset, 'section header 0');
    zero.skip(wide ? 32 : 20);
    const size = wide ? zero.u64Number() : zero.u32();
    const link = zero.u32();
    if (shnum === 0) shnum = size;
    if (shstrndx === 0xffff) shstrndx = link;
  }
  return { elfClass, littleEndian: r.littleEndian, osAbi, type, machine, entry, flags, programHeaderOffset,
    sectionHeaderOffset, programHeaderCount: phnum, sectionHeaderCount: shnum, sectionNameIndex: shstrndx };
}

function readSectionHeaders(bytes: Uint8Array, h: ElfHeader): ElfSection[] {
  if (h.sectionHeaderOffset === 0 || h.sectionHeaderCount === 0) return [];
  const wide = h.elfClass === 64;
  const entry = wide ? 64 : 40;
  fileRange(bytes, h.sectionHeaderOffset, h.sectionHeaderCount * entry, 'section header table');
  const r = new ByteReader(bytes, h.littleEndian, h.sectionHeaderOffset, 'section header table');
  const raw: Array<ElfSection & { nameOffset: number }> = [];
  for (let index = 0; index < h.sectionHeaderCount; index++) {
    r.seek(h.sectionHeaderOffset + index * entry);
    const nameOffset = r.u32(), type = r.u32();
    const flags = wide ? r.u64() : BigInt(r.u32());
    const address = wide ? r.u64() : BigInt(r.u32());
    const offset = wide ? r.u64Number() : r.u32();
    const size = wide ? r.u64Number() : r.u32();
    const link = r.u32(), info = r.u32();
    const addressAlign = wide ? r.u64Number() : r.u32();
    const entrySize = wide ? r.u64Number() : r.u32();
    raw.push({ index, name: '', nameOffset, type, flags, address, offset, size, link, info, addressAlign, entrySize });
  }
  if (h.sectionNameIndex >= raw.length) {
    throw new DebugInfoError('badOffset', `e_shstrndx ${h.sectionNameIndex} is not among ${raw.length} sections`);
  }
  const names = raw[h.sectionNameIndex];
  const table = fileRange(bytes, names.offset, names.size, 'section name table');
  return raw.map(({ nameOffset, ...s }) => ({ ...s, name: s.index === 0 && nameOffset === 0 ? '' : stringAt(table, nameOffset, 'section name') }));
}

function readProgramHeaders(bytes: Uint8Array, h: ElfHeader): ElfProgramHeader[] {
  if (h.programHeaderOffset === 0 || h.programHeaderCount === 0) return [];
  const wide = h.elfClass === 64;
  const entry = wide ? 56 : 32;
  fileRange(bytes, h.programHeaderOffset, h.programHeaderCount * entry, 'program header table');
  const r = new ByteReader(bytes, h.littleEndian, h.programHeaderOffset, 'program header table');
  const out: ElfProgramHeader[] = [];
  for (let i = 0; i < h.programHeaderCount; i++) {
    if (wide) {
      const type = r.u32(), flags = r.u32(), offset = r.u64Number();
      const virtualAddress = r.u64(), physicalAddress = r.u64(), fileSize = r.u64Number();
      const memorySize = r.u64(), align = r.u64();
      out.push({ type, flags, offset, virtualAddress, physicalAddress, fileSize, memorySize, align });
    } else {
      const type = r.u32(), offset = r.u32(), virtualAddress = BigInt(r.u32()), physicalAddress = BigInt(r.u32());
      const fileSize = r.u32(), memorySize = BigInt(r.u32()), flags = r.u32(), align = BigInt(r.u32());
      out.push({ type, flags, offset, virtualAddress, physicalAddress, fileSize, memorySize, align });
    }
  }
  return out;
}
