// Symbol tables (.symtab and .dynsym, gABI "Symbol Table"): each entry's name (from the linked
// string table), value, size, type (STT_*), binding (STB_*), visibility and section index.
import { ByteReader, stringAt } from '../byteReader';
import { DebugInfoError } from '../errors';
import { ElfFile, ElfSection, SHT_DYNSYM, SHT_SYMTAB } from './elfFile';

export type SymbolType = 'notype' | 'object' | 'func' | 'section' | 'file' | 'common' | 'tls' | 'ifunc' | 'other';
export type SymbolBinding = 'local' | 'global' | 'weak' | 'unique' | 'other';

export interface ElfSymbol {
  name: string;
  value: bigint;
  size: number;
  type: SymbolType;
  binding: SymbolBinding;
  visibility: number;     // STV_DEFAULT=0, INTERNAL=1, HIDDEN=2, PROTECTED=3
  sectionIndex: number;   // SHN_UNDEF=0, SHN_ABS=0xfff1, SHN_COMMON=0xfff2
  table: '.symtab' | '.dynsym';
}

const TYPES: Record<number, SymbolType> = { 0: 'notype', 1: 'object', 2: 'func', 3: 'section', 4: 'file', 5: 'common', 6: 'tls', 10: 'ifunc' };
const BINDINGS: Record<number, SymbolBinding> = { 0: 'local', 1: 'global', 2: 'weak', 10: 'unique' };

/** Symbols of .symtab and .dynsym (in that order), skipping each table's null entry 0. */
export function readSymbols(elf: ElfFile): ElfSymbol[] {
  const out: ElfSymbol[] = [];
  for (const s of elf.sections) {
    if (s.type === SHT_SYMTAB || s.type === SHT_DYNSYM) readTable(elf, s, out);
  }
  return out;
}

function readTable(elf: ElfFile, section: ElfSection, out: ElfSymbol[]): void {
  const wide = elf.is64;
  const entry = wide ? 24 : 16;
  const table = section.type === SHT_DYNSYM ? '.dynsym' : '.symtab';
  if (section.entrySize !== 0 && section.entrySize !== entry) {
    throw new DebugInfoError('malformed', `${section.name}: entry size ${section.entrySize}, expected ${entry}`);
  }
  const strSection = elf.sections[section.link];
  if (!strSection) throw new DebugInfoError('badOffset', `${section.name}: string table index ${section.link} does not exist`);
  const strings = elf.sectionData(strSection);
  const r = new ByteReader(elf.sectionData(section), elf.header.littleEndian, 0, section.name);
  const count = Math.floor(r.length / entry);
  for (let i = 1; i < count; i++) {
    r.pos = i * entry;
    let nameOffset: number, value: bigint, size: number, info: number, other: number, shndx: number;
    if (wide) {
      nameOffset = r.u32(); info = r.u8(); other = r.u8(); shndx = r.u16(); value = r.u64(); size = r.u64Number();
    } else {
      nameOffset = r.u32(); value = BigInt(r.u32()); size = r.u32(); info = r.u8(); other = r.u8(); shndx = r.u16();
    }
    out.push({
      name: nameOffset === 0 ? '' : stringAt(strings, nameOffset, `${section.name} symbol ${i} name`),
      value, size, type: TYPES[info & 0xf] ?? 'other', binding: BINDINGS[info >> 4] ?? 'other',
      visibility: other & 3, sectionIndex: shndx, table,
    });
  }
}
