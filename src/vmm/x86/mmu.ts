// Guest page walk (SDM Vol. 3A chapter 4): no paging, 32-bit (4.3), PAE (4.4) and 4-level (4.5) with
// 4 MiB / 2 MiB / 1 GiB pages, U/S, R/W with CR0.WP, NX with EFER.NXE, accessed/dirty updates.
// Reserved-bit checks are not modelled (a set reserved bit is ignored instead of raising #PF.RSVD).
// Page-table reads are reads of the table's frame, A/D updates are writes of it (for KVMI events).

import { CR0_PG, CR0_WP, CR4_PAE, CR4_PSE, EFER_LMA, EFER_NXE, TWO32, TWO48 } from './registers';

/** Access kinds, equal to the KVMI access bits (KVMI v12 section 5). */
export const ACC_R = 1, ACC_W = 2, ACC_X = 4;

/** What the walker needs from the core: control registers and guarded physical accesses. */
export interface WalkHost {
  cr0: number; cr3: number; cr4: number; efer: number;
  /** Reads a 32-bit little-endian word of guest-physical memory (as a page-table read). */
  ptRead32(gpa: number): number;
  /** Writes a 32-bit word of a paging-structure entry (to set A/D bits). */
  ptWrite32(gpa: number, value: number): void;
}

/** Result of a successful walk. perms: bit0 writable, bit1 user, bit2 executable, bit3 dirty already set. */
export interface WalkResult {
  phys: number;
  perms: number;
}

/** A failed walk: the #PF error code bits P (present) are computed by the caller. */
export const WALK_NOT_PRESENT = -1;

export const PERM_W = 1, PERM_U = 2, PERM_X = 4, PERM_D = 8;

/**
 * Walks the guest page tables for linear address `lin` (a number; negative for the upper canonical half).
 * Sets accessed bits on every level and the dirty bit when `write`. Returns the physical address and
 * the combined permissions, or WALK_NOT_PRESENT. With `noSideEffects` no A/D bit is written.
 */
export function walk(h: WalkHost, lin: number, write: boolean, out: WalkResult, noSideEffects = false): number {
  if (!(h.cr0 & CR0_PG)) {
    out.phys = lin;
    out.perms = PERM_W | PERM_U | PERM_X | PERM_D;
    return 0;
  }
  const nxe = (h.efer & EFER_NXE) !== 0;
  if (!(h.cr4 & CR4_PAE)) return walk32(h, lin >>> 0, write, out, noSideEffects);
  const u = lin < 0 ? lin + TWO48 : lin;
  const long = (h.efer & EFER_LMA) !== 0;
  let perms = PERM_W | PERM_U | PERM_X;
  let table: number;
  let level: number;
  if (long) {
    table = Math.floor(h.cr3 / 4096) * 4096;
    level = 4;
  } else {
    // PAE: the PDPTE is selected by bits 31:30 (SDM Vol. 3A 4.4.1); PDPTEs carry no U/W/NX.
    const pdpteAddr = (h.cr3 & 0xffffffe0) + ((u >>> 30) & 3) * 8;
    const lo = h.ptRead32(pdpteAddr);
    if (!(lo & 1)) return WALK_NOT_PRESENT;
    table = entryAddress(lo, h.ptRead32(pdpteAddr + 4));
    level = 2;
  }
  for (;;) {
    const shift = 12 + 9 * (level - 1);
    const idx = Math.floor(u / 2 ** shift) % 512;
    const ea = table + idx * 8;
    let lo = h.ptRead32(ea);
    const hi = h.ptRead32(ea + 4);
    if (!(lo & 1)) return WALK_NOT_PRESENT;
    if (!(lo & 2)) perms &= ~PERM_W;
    if (!(lo & 4)) perms &= ~PERM_U;
    if (nxe && hi < 0) perms &= ~PERM_X;
    const leaf = level === 1 || (level <= 3 && (lo & 0x80) !== 0 && (level < 3 || long));
    let newLo = lo | 0x20;
    if (leaf && write && (perms & PERM_W || !(h.cr0 & CR0_WP))) newLo |= 0x40;
    if (newLo !== lo && !noSideEffects) {
      h.ptWrite32(ea, newLo);
      lo = newLo;
    }
    if (leaf) {
      const pageSize = 2 ** shift;
      // Large pages: bits 12..shift-1 of the entry hold PAT/reserved bits, not address bits.
      const frame = Math.floor(entryAddress(lo, hi) / pageSize) * pageSize;
      out.phys = frame + (u % pageSize);
      out.perms = perms | (lo & 0x40 ? PERM_D : 0);
      return 0;
    }
    table = entryAddress(lo, hi);
    level--;
  }
}

/** Physical address bits 51:12 of a 64-bit paging entry given as two dwords. */
function entryAddress(lo: number, hi: number): number {
  return (hi & 0xfffff) * TWO32 + ((lo & 0xfffff000) >>> 0);
}

/** 32-bit paging with optional 4 MiB pages (SDM Vol. 3A 4.3); no NX in this mode. */
function walk32(h: WalkHost, lin: number, write: boolean, out: WalkResult, noSideEffects: boolean): number {
  const pdeAddr = ((h.cr3 & 0xfffff000) >>> 0) + (lin >>> 22) * 4;
  let pde = h.ptRead32(pdeAddr);
  if (!(pde & 1)) return WALK_NOT_PRESENT;
  let perms = PERM_X | (pde & 2 ? PERM_W : 0) | (pde & 4 ? PERM_U : 0);
  if (pde & 0x80 && h.cr4 & CR4_PSE) {
    let n = pde | 0x20;
    if (write && (perms & PERM_W || !(h.cr0 & CR0_WP))) n |= 0x40;
    if (n !== pde && !noSideEffects) {
      h.ptWrite32(pdeAddr, n);
      pde = n;
    }
    // PSE-36: PDE bits 20:13 hold physical address bits 39:32.
    out.phys = ((pde >>> 13) & 0xff) * TWO32 + ((pde & 0xffc00000) >>> 0) + (lin & 0x3fffff);
    out.perms = perms | (pde & 0x40 ? PERM_D : 0);
    return 0;
  }
  if (!(pde & 0x20) && !noSideEffects) h.ptWrite32(pdeAddr, pde | 0x20);
  const pteAddr = ((pde & 0xfffff000) >>> 0) + ((lin >>> 12) & 0x3ff) * 4;
  let pte = h.ptRead32(pteAddr);
  if (!(pte & 1)) return WALK_NOT_PRESENT;
  if (!(pte & 2)) perms &= ~PERM_W;
  if (!(pte & 4)) perms &= ~PERM_U;
  let n = pte | 0x20;
  if (write && (perms & PERM_W || !(h.cr0 & CR0_WP))) n |= 0x40;
  if (n !== pte && !noSideEffects) {
    h.ptWrite32(pteAddr, n);
    pte = n;
  }
  out.phys = ((pte & 0xfffff000) >>> 0) + (lin & 0xfff);
  out.perms = perms | (pte & 0x40 ? PERM_D : 0);
  return 0;
}
