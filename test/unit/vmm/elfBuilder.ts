// Builds small ELF files in memory for the loader tests: an ELF header, program headers for the
// given segments, optional PVH note, and the segment bytes. Fields can be overridden to produce
// the malformed files the parser must reject.

export interface TestSegment { paddr: number; data: Uint8Array; memsz?: number; offset?: number; filesz?: number }

export interface ElfSpec {
  bits?: 32 | 64;
  machine?: number;
  entry?: number;
  segments: TestSegment[];
  pvhEntry?: number;
}

/** Returns the bytes of an ELF executable matching `spec`. */
export function buildElf(spec: ElfSpec): Uint8Array {
  const is64 = (spec.bits ?? 64) === 64;
  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  const note = spec.pvhEntry === undefined ? undefined : pvhNote(spec.pvhEntry);
  const phnum = spec.segments.length + (note ? 1 : 0);
  let dataAt = ehsize + phentsize * phnum;
  const placed = spec.segments.map((s) => {
    const offset = s.offset ?? dataAt;
    dataAt = Math.max(dataAt, offset + s.data.length);
    return { ...s, offset };
  });
  const noteAt = dataAt;
  const size = noteAt + (note?.length ?? 0);
  const out = new Uint8Array(Math.max(size, ...placed.map((s) => s.offset + s.data.length)));
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, 1, 1]);
  v.setUint16(16, 2, true);                                  // ET_EXEC
  v.setUint16(18, spec.machine ?? (is64 ? 62 : 3), true);
  v.setUint32(20, 1, true);
  const word = (o: number, n: number) => (is64 ? v.setBigUint64(o, BigInt(n), true) : v.setUint32(o, n, true));
  word(24, spec.entry ?? 0x100000);
  word(is64 ? 32 : 28, ehsize);                              // e_phoff
  v.setUint16(is64 ? 52 : 40, ehsize, true);
  v.setUint16(is64 ? 54 : 42, phentsize, true);
  v.setUint16(is64 ? 56 : 44, phnum, true);
  const headers = placed.map((s) => ({ type: 1, offset: s.offset, paddr: s.paddr, filesz: s.filesz ?? s.data.length, memsz: s.memsz ?? s.data.length }));
  if (note) headers.push({ type: 4, offset: noteAt, paddr: 0, filesz: note.length, memsz: 0 });
  headers.forEach((h, i) => {
    const at = ehsize + i * phentsize;
    v.setUint32(at, h.type, true);
    if (is64) {
      v.setUint32(at + 4, 5, true);
      word(at + 8, h.offset); word(at + 16, h.paddr); word(at + 24, h.paddr); word(at + 32, h.filesz); word(at + 40, h.memsz);
    } else {
      word(at + 4, h.offset); word(at + 8, h.paddr); word(at + 12, h.paddr); word(at + 16, h.filesz); word(at + 20, h.memsz);
      v.setUint32(at + 24, 5, true);
    }
  });
  placed.forEach((s) => out.set(s.data, s.offset));
  if (note) out.set(note, noteAt);
  return out;
}

function pvhNote(entry: number): Uint8Array {
  const n = new Uint8Array(20);
  const v = new DataView(n.buffer);
  v.setUint32(0, 4, true); v.setUint32(4, 4, true); v.setUint32(8, 18, true);
  n.set([0x58, 0x65, 0x6e, 0], 12);                          // "Xen\0"
  v.setUint32(16, entry, true);
  return n;
}
