// ELF note records (gABI "Note Section"): namesz/descsz/type headers with 4-byte padded name and
// descriptor, read from SHT_NOTE sections (or PT_NOTE segments when there are no sections).
// Also extracts the GNU build ID (NT_GNU_BUILD_ID = 3, owner "GNU"), used to match a guest image.
import { ByteReader } from '../byteReader';
import { DebugInfoError } from '../errors';
import { ElfFile, SHT_NOTE } from './elfFile';

const PT_NOTE = 4;
const NT_GNU_BUILD_ID = 3;

export interface ElfNote {
  owner: string;
  type: number;
  descriptor: Uint8Array;
}

/** All notes of the file, from note sections, or from PT_NOTE segments for section-less images. */
export function readNotes(elf: ElfFile): ElfNote[] {
  const blocks: Array<{ data: Uint8Array; align: number }> = [];
  const noteSections = elf.sections.filter((s) => s.type === SHT_NOTE);
  for (const s of noteSections) blocks.push({ data: elf.sectionData(s), align: s.addressAlign === 8 ? 8 : 4 });
  if (noteSections.length === 0) {
    for (const p of elf.programHeaders.filter((ph) => ph.type === PT_NOTE)) {
      if (p.offset + p.fileSize > elf.bytes.length) throw new DebugInfoError('badOffset', 'PT_NOTE segment lies past the end of the file');
      blocks.push({ data: elf.bytes.subarray(p.offset, p.offset + p.fileSize), align: p.align === 8n ? 8 : 4 });
    }
  }
  return blocks.flatMap((b) => parseNoteBlock(b.data, b.align, elf.header.littleEndian));
}

function parseNoteBlock(data: Uint8Array, align: number, littleEndian: boolean): ElfNote[] {
  const r = new ByteReader(data, littleEndian, 0, 'note');
  // Name and descriptor each start at the next `align` boundary of the block.
  const alignUp = (n: number) => Math.min(r.length, (n + align - 1) & ~(align - 1));
  const notes: ElfNote[] = [];
  while (r.length - r.pos >= 12) {
    const nameSize = r.u32(), descSize = r.u32(), type = r.u32();
    const nameBytes = r.bytesOf(nameSize);
    r.seek(alignUp(r.pos));
    const descriptor = r.bytesOf(descSize);
    r.seek(alignUp(r.pos));
    const end = nameBytes.indexOf(0);
    notes.push({ owner: new TextDecoder().decode(end < 0 ? nameBytes : nameBytes.subarray(0, end)), type, descriptor });
  }
  return notes;
}

/** The GNU build ID as lowercase hex, if the file has one. */
export function buildId(elf: ElfFile): string | undefined {
  const note = readNotes(elf).find((n) => n.owner === 'GNU' && n.type === NT_GNU_BUILD_ID);
  return note ? Buffer.from(note.descriptor).toString('hex') : undefined;
}
