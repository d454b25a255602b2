// Finds the PVH entry point: the Xen ELF note XEN_ELFNOTE_PHYS32_ENTRY (type 18, owner "Xen"),
// whose descriptor holds the 32-bit physical entry address (Xen public/elfnote.h; PVH boot ABI).
import { ElfImage } from './elf';

export const XEN_ELFNOTE_PHYS32_ENTRY = 18;

/** The PVH 32-bit entry address, or undefined if the image has no such note. */
export function findPvhEntry(image: ElfImage): number | undefined {
  const note = image.notes.find((n) => n.name === 'Xen' && n.type === XEN_ELFNOTE_PHYS32_ENTRY);
  if (!note || note.desc.length < 4) return undefined;
  return new DataView(note.desc.buffer, note.desc.byteOffset, note.desc.byteLength).getUint32(0, true);
}
