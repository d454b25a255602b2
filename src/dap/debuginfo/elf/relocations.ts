// Applies the relocations of a relocatable object (.o, or a kernel module .ko) to one of its
// sections, so its DWARF offsets and addresses read as a linker would leave them with every
// section placed at 0. Covers the types debug and unwind sections use: x86-64 psABI section 4.4
// (R_X86_64_64, _32, _32S, _PC32, _PC64) and i386 psABI (R_386_32, R_386_PC32), REL and RELA.
import { ByteReader } from '../byteReader';
import { DebugInfoError } from '../errors';
import type { ElfFile, ElfSection } from './elfFile';

const SHT_RELA = 4, SHT_REL = 9;

/** `data` (a copy of `target`'s bytes) with every relocation aimed at `target` applied. */
export function applyRelocations(elf: ElfFile, target: ElfSection, data: Uint8Array, rawSection: (s: ElfSection) => Uint8Array): Uint8Array {
  const relocationSections = elf.sections.filter((s) => (s.type === SHT_RELA || s.type === SHT_REL) && s.info === target.index);
  if (relocationSections.length === 0) return data;
  const out = data.slice();
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (const rel of relocationSections) {
    const symbols = elf.sections[rel.link];
    if (!symbols) throw new DebugInfoError('badOffset', `${rel.name}: symbol table index ${rel.link} does not exist`);
    const symbolValues = readSymbolValues(elf, rawSection(symbols), symbols.name);
    const r = new ByteReader(rawSection(rel), elf.header.littleEndian, 0, rel.name);
    const wide = elf.is64, explicit = rel.type === SHT_RELA;
    const entry = (wide ? 16 : 8) + (explicit ? (wide ? 8 : 4) : 0);
    for (let at = 0; at + entry <= r.length; at += entry) {
      r.seek(at);
      const offset = wide ? r.u64Number() : r.u32();
      const info = wide ? r.u64() : BigInt(r.u32());
      const type = Number(wide ? info & 0xffffffffn : info & 0xffn);
      const symbol = Number(wide ? info >> 32n : info >> 8n);
      const addend = explicit ? (wide ? r.i64() : BigInt(r.i32())) : undefined;
      if (symbol >= symbolValues.length) throw new DebugInfoError('badOffset', `${rel.name}: relocation names symbol ${symbol} of ${symbolValues.length}`);
      patch(view, elf, offset, type, symbolValues[symbol], addend, target);
    }
  }
  return out;
}

function patch(view: DataView, elf: ElfFile, offset: number, type: number, symbolValue: bigint, addend: bigint | undefined, target: ElfSection): void {
  const le = elf.header.littleEndian;
  const width = widthOf(elf, type);
  if (width === 0) return; // R_*_NONE and types debug sections do not use
  if (offset + width > view.byteLength) throw new DebugInfoError('badOffset', `relocation at 0x${offset.toString(16)} lies past ${target.name}`);
  const implicit = width === 8 ? view.getBigUint64(offset, le) : BigInt(view.getUint32(offset, le));
  const place = target.address + BigInt(offset);
  const pcRelative = elf.is64 ? type === 2 || type === 24 : type === 2;
  let value = symbolValue + (addend ?? BigInt.asIntN(width * 8, implicit));
  if (pcRelative) value -= place;
  if (width === 8) view.setBigUint64(offset, BigInt.asUintN(64, value), le);
  else view.setUint32(offset, Number(BigInt.asUintN(32, value)), le);
}

/** Bytes written by a relocation type; 0 for types left alone. */
function widthOf(elf: ElfFile, type: number): number {
  if (elf.is64) {
    switch (type) {
      case 1: case 24: return 8;          // R_X86_64_64, R_X86_64_PC64
      case 2: case 10: case 11: return 4; // R_X86_64_PC32, R_X86_64_32, R_X86_64_32S
      default: return 0;
    }
  }
  return type === 1 || type === 2 ? 4 : 0; // R_386_32, R_386_PC32
}

/** st_value of every symbol, by index (entry 0 included); section symbols resolve to their section's address. */
function readSymbolValues(elf: ElfFile, table: Uint8Array, name: string): bigint[] {
  const wide = elf.is64;
  const entry = wide ? 24 : 16;
  const r = new ByteReader(table, elf.header.littleEndian, 0, name);
  const values: bigint[] = [];
  for (let at = 0; at + entry <= r.length; at += entry) {
    r.seek(at + (wide ? 4 : 12));
    const info = r.u8();
    r.u8();
    const shndx = r.u16();
    const value = wide ? r.u64() : BigInt(r.seek(at + 4).u32());
    const isSection = (info & 0xf) === 3;
    values.push(isSection ? (elf.sections[shndx]?.address ?? 0n) : value);
  }
  return values;
}
