// A deliberately small ELF64 little-endian reader for the guest tests: section names, symbols and
// the notes of PT_NOTE segments (System V gABI, "ELF Header", "Sections", "Note Section"). It is
// independent of the VMM's loader so the tests check the images, not the loader.
import { readFileSync } from 'node:fs';

export interface ElfSection { name: string; type: number; address: bigint; offset: number; size: number; link: number }
export interface ElfSymbol { name: string; value: bigint; size: bigint; sectionIndex: number }
export interface ElfNote { name: string; type: number; desc: Buffer }

const PT_NOTE = 4;
const SHT_SYMTAB = 2;

export class ElfFile {
  readonly entry: bigint;
  readonly sections: ElfSection[];

  constructor(private readonly bytes: Buffer) {
    if (bytes.readUInt32BE(0) !== 0x7f454c46 || bytes[4] !== 2 || bytes[5] !== 1) {
      throw new Error('not an ELF64 little-endian file');
    }
    this.entry = bytes.readBigUInt64LE(0x18);
    this.sections = this.readSections();
  }

  static load(path: string): ElfFile {
    return new ElfFile(readFileSync(path));
  }

  private readSections(): ElfSection[] {
    const b = this.bytes;
    const offset = Number(b.readBigUInt64LE(0x28));
    const entrySize = b.readUInt16LE(0x3a);
    const count = b.readUInt16LE(0x3c);
    const names = offset + b.readUInt16LE(0x3e) * entrySize;
    const namesOffset = Number(b.readBigUInt64LE(names + 24));
    return Array.from({ length: count }, (_, i) => {
      const at = offset + i * entrySize;
      return {
        name: this.cString(namesOffset + b.readUInt32LE(at)),
        type: b.readUInt32LE(at + 4),
        address: b.readBigUInt64LE(at + 16),
        offset: Number(b.readBigUInt64LE(at + 24)),
        size: Number(b.readBigUInt64LE(at + 32)),
        link: b.readUInt32LE(at + 40),
      };
    });
  }

  private cString(at: number): string {
    return this.bytes.toString('latin1', at, this.bytes.indexOf(0, at));
  }

  section(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  symbols(): ElfSymbol[] {
    const table = this.sections.find((s) => s.type === SHT_SYMTAB);
    if (!table) return [];
    const strings = this.sections[table.link];
    const out: ElfSymbol[] = [];
    for (let at = table.offset; at < table.offset + table.size; at += 24) {
      out.push({
        name: this.cString(strings.offset + this.bytes.readUInt32LE(at)),
        sectionIndex: this.bytes.readUInt16LE(at + 6),
        value: this.bytes.readBigUInt64LE(at + 8),
        size: this.bytes.readBigUInt64LE(at + 16),
      });
    }
    return out;
  }

  symbol(name: string): ElfSymbol | undefined {
    return this.symbols().find((s) => s.name === name);
  }

  /** Notes found in PT_NOTE program headers, where loaders look for them. */
  segmentNotes(): ElfNote[] {
    const b = this.bytes;
    const phOffset = Number(b.readBigUInt64LE(0x20));
    const phEntrySize = b.readUInt16LE(0x36);
    const notes: ElfNote[] = [];
    for (let i = 0; i < b.readUInt16LE(0x38); i++) {
      const at = phOffset + i * phEntrySize;
      if (b.readUInt32LE(at) !== PT_NOTE) continue;
      const start = Number(b.readBigUInt64LE(at + 8));
      notes.push(...this.notesIn(start, start + Number(b.readBigUInt64LE(at + 32))));
    }
    return notes;
  }

  private notesIn(start: number, end: number): ElfNote[] {
    const notes: ElfNote[] = [];
    const align4 = (n: number) => (n + 3) & ~3;
    for (let at = start; at + 12 <= end;) {
      const nameSize = this.bytes.readUInt32LE(at);
      const descSize = this.bytes.readUInt32LE(at + 4);
      const descAt = at + 12 + align4(nameSize);
      notes.push({
        name: this.bytes.toString('latin1', at + 12, at + 12 + Math.max(0, nameSize - 1)),
        type: this.bytes.readUInt32LE(at + 8),
        desc: this.bytes.subarray(descAt, descAt + descSize),
      });
      at = descAt + align4(descSize);
    }
    return notes;
  }
}
