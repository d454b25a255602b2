// Reads the parts of an x86 or x86-64 ELF executable that a loader needs: class, machine, entry
// point, PT_LOAD segments and ELF notes (from PT_NOTE segments, or SHT_NOTE sections as a fallback).
// Every malformed input ends in an ElfError with a specific kind and message. Layouts follow the
// System V gABI ("ELF Header", "Program Header", "Note Section"); symbols are not read here.

export type ElfErrorKind =
  | 'notElf' | 'unsupportedClass' | 'bigEndian' | 'wrongMachine' | 'truncated'
  | 'segmentBeyondFile' | 'overlappingSegments' | 'segmentOutsideRam' | 'badSegment';

export class ElfError extends Error {
  constructor(readonly kind: ElfErrorKind, message: string) {
    super(message);
    this.name = 'ElfError';
  }
}

export const EM_386 = 3;
export const EM_X86_64 = 62;
export const PT_LOAD = 1;
export const PT_NOTE = 4;
const SHT_NOTE = 7;
const ELFCLASS32 = 1;
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;

export interface ElfSegment {
  index: number;
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
  memsz: number;
  flags: number;
}

export interface ElfNote { name: string; type: number; desc: Uint8Array }

export interface ElfImage {
  bits: 32 | 64;
  machine: typeof EM_386 | typeof EM_X86_64;
  entry: number;
  loadSegments: ElfSegment[];
  notes: ElfNote[];
}

const hex = (n: number) => `0x${n.toString(16)}`;

/** Field reader that turns short reads into 'truncated' errors naming what was being read. */
class Reader {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array, readonly bits: 32 | 64) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(offset: number, length: number, what: string): void {
    if (offset + length > this.bytes.length) {
      throw new ElfError('truncated', `truncated ELF file: ${what} needs bytes ${hex(offset)}-${hex(offset + length - 1)}, the file has ${this.bytes.length} bytes`);
    }
  }
  u16(o: number): number { return this.view.getUint16(o, true); }
  u32(o: number): number { return this.view.getUint32(o, true); }
  /** An address or size field: 4 bytes in ELF32, 8 in ELF64. */
  word(o: number): number {
    if (this.bits === 32) return this.u32(o);
    const v = this.view.getBigUint64(o, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfError('badSegment', `ELF field at ${hex(o)} holds ${hex(Number(v >> 32n))}_xxxxxxxx, beyond any guest-physical address`);
    return Number(v);
  }
}

/** Parses `bytes` as an x86/x86-64 little-endian ELF executable. */
export function parseElf(bytes: Uint8Array): ElfImage {
  if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ElfError('notElf', 'not an ELF file: it does not start with 7f 45 4c 46 ("\\x7fELF")');
  }
  if (bytes.length < 6) throw new ElfError('truncated', `truncated ELF file: the identification needs 16 bytes, the file has ${bytes.length} bytes`);
  const cls = bytes[4];
  if (cls !== ELFCLASS32 && cls !== ELFCLASS64) throw new ElfError('unsupportedClass', `unsupported ELF class ${cls} (expected 1 for ELF32 or 2 for ELF64)`);
  if (bytes[5] !== ELFDATA2LSB) throw new ElfError('bigEndian', `unsupported ELF data encoding ${bytes[5]}: x86 images are little-endian (1)`);
  const r = new Reader(bytes, cls === ELFCLASS64 ? 64 : 32);
  const ehsize = r.bits === 64 ? 64 : 52;
  r.need(0, ehsize, 'the ELF header');
  const machine = r.u16(18);
  if (machine !== EM_386 && machine !== EM_X86_64) {
    throw new ElfError('wrongMachine', `ELF machine ${machine} is not x86 (3) or x86-64 (62)`);
  }
  const image: ElfImage = {
    bits: r.bits, machine, entry: r.word(24),
    loadSegments: [], notes: [],
  };
  const phoff = r.word(r.bits === 64 ? 32 : 28);
  const phentsize = r.u16(r.bits === 64 ? 54 : 42);
  const phnum = r.u16(r.bits === 64 ? 56 : 44);
  if (phnum > 0) r.need(phoff, phentsize * phnum, `the program header table (${phnum} entries)`);
  for (let i = 0; i < phnum; i++) readProgramHeader(r, phoff + i * phentsize, i, image);
  if (image.notes.length === 0) image.notes.push(...readNoteSections(r));
  checkOverlaps(image.loadSegments);
  return image;
}

function readProgramHeader(r: Reader, at: number, index: number, image: ElfImage): void {
  const is64 = r.bits === 64;
  const type = r.u32(at);
  const seg: ElfSegment = is64
    ? { index, flags: r.u32(at + 4), offset: r.word(at + 8), vaddr: r.word(at + 16), paddr: r.word(at + 24), filesz: r.word(at + 32), memsz: r.word(at + 40) }
    : { index, offset: r.word(at + 4), vaddr: r.word(at + 8), paddr: r.word(at + 12), filesz: r.word(at + 16), memsz: r.word(at + 20), flags: r.u32(at + 24) };
  if (type !== PT_LOAD && type !== PT_NOTE) return;
  if (seg.offset + seg.filesz > r.bytes.length) {
    throw new ElfError('segmentBeyondFile', `segment ${index}: file bytes ${hex(seg.offset)}-${hex(seg.offset + seg.filesz - 1)} lie beyond the end of the file (${r.bytes.length} bytes)`);
  }
  if (type === PT_NOTE) { image.notes.push(...parseNotes(r.bytes.subarray(seg.offset, seg.offset + seg.filesz))); return; }
  if (seg.filesz > seg.memsz) {
    throw new ElfError('badSegment', `segment ${index}: file size ${hex(seg.filesz)} exceeds memory size ${hex(seg.memsz)}`);
  }
  if (seg.memsz > 0) image.loadSegments.push(seg);
}

/** SHT_NOTE sections, for images whose notes are not covered by a PT_NOTE segment. */
function readNoteSections(r: Reader): ElfNote[] {
  const is64 = r.bits === 64;
  const shoff = r.word(is64 ? 40 : 32);
  const shentsize = r.u16(is64 ? 58 : 46);
  const shnum = r.u16(is64 ? 60 : 48);
  if (shoff === 0 || shnum === 0 || shoff + shentsize * shnum > r.bytes.length) return [];
  const notes: ElfNote[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    if (r.u32(at + 4) !== SHT_NOTE) continue;
    const offset = r.word(is64 ? at + 24 : at + 16);
    const size = r.word(is64 ? at + 32 : at + 20);
    if (offset + size <= r.bytes.length) notes.push(...parseNotes(r.bytes.subarray(offset, offset + size)));
  }
  return notes;
}

/** Splits a note area into {namesz, descsz, type, name, desc} records, each padded to 4 bytes. */
export function parseNotes(area: Uint8Array): ElfNote[] {
  const view = new DataView(area.buffer, area.byteOffset, area.byteLength);
  const notes: ElfNote[] = [];
  const pad4 = (n: number) => (n + 3) & ~3;
  for (let at = 0; at + 12 <= area.length;) {
    const namesz = view.getUint32(at, true);
    const descsz = view.getUint32(at + 4, true);
    const type = view.getUint32(at + 8, true);
    const nameAt = at + 12;
    const descAt = nameAt + pad4(namesz);
    if (descAt + descsz > area.length) break;
    const name = Buffer.from(area.subarray(nameAt, nameAt + namesz)).toString('latin1').replace(/\0+$/, '');
    notes.push({ name, type, desc: area.subarray(descAt, descAt + descsz) });
    at = descAt + pad4(descsz);
  }
  return notes;
}

function checkOverlaps(segments: ElfSegment[]): void {
  const sorted = [...segments].sort((a, b) => a.paddr - b.paddr);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1], b = sorted[i];
    if (b.paddr < a.paddr + a.memsz) {
      const [first, second] = a.index < b.index ? [a, b] : [b, a];
      throw new ElfError('overlappingSegments', `segments ${first.index} (${span(first)}) and ${second.index} (${span(second)}) overlap in physical memory`);
    }
  }
}

/** "0xstart-0xend" of a segment's physical range. */
export function span(s: ElfSegment): string {
  return `${hex(s.paddr)}-${hex(s.paddr + s.memsz - 1)}`;
}
