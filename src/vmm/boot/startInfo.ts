// Writes the PVH start-of-day structure hvm_start_info (version 1) and its memory map, as defined
// by Xen's public header arch-x86/hvm/start_info.h: magic 0x336ec578, memmap entries of
// {u64 addr, u64 size, u32 type, u32 reserved} with E820 types (1 = RAM, 2 = reserved).
import { LEGACY_HOLE_END, LEGACY_HOLE_START, MEMMAP_ADDR, START_INFO_ADDR } from './bootLayout';

export const HVM_START_MAGIC = 0x336ec578;
export const HVM_START_INFO_VERSION = 1;
export const HVM_START_INFO_SIZE = 56;
export const HVM_MEMMAP_ENTRY_SIZE = 24;
export const E820_RAM = 1;
export const E820_RESERVED = 2;

export interface MemoryMapEntry { addr: number; size: number; type: number }

/** The RAM map given to the guest: low RAM, the legacy hole (reserved), RAM above 1 MiB. */
export function guestMemoryMap(ramBytes: number): MemoryMapEntry[] {
  if (ramBytes <= LEGACY_HOLE_START) return [{ addr: 0, size: ramBytes, type: E820_RAM }];
  const map: MemoryMapEntry[] = [
    { addr: 0, size: LEGACY_HOLE_START, type: E820_RAM },
    { addr: LEGACY_HOLE_START, size: LEGACY_HOLE_END - LEGACY_HOLE_START, type: E820_RESERVED },
  ];
  if (ramBytes > LEGACY_HOLE_END) map.push({ addr: LEGACY_HOLE_END, size: ramBytes - LEGACY_HOLE_END, type: E820_RAM });
  return map;
}

/** Writes hvm_start_info at START_INFO_ADDR and returns its guest-physical address (for EBX). */
export function writeStartInfo(ram: Uint8Array): number {
  const view = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  const map = guestMemoryMap(ram.length);
  ram.fill(0, START_INFO_ADDR, START_INFO_ADDR + HVM_START_INFO_SIZE);
  view.setUint32(START_INFO_ADDR + 0, HVM_START_MAGIC, true);
  view.setUint32(START_INFO_ADDR + 4, HVM_START_INFO_VERSION, true);
  // flags, nr_modules, modlist_paddr, cmdline_paddr, rsdp_paddr: 0 (none)
  view.setBigUint64(START_INFO_ADDR + 40, BigInt(MEMMAP_ADDR), true);
  view.setUint32(START_INFO_ADDR + 48, map.length, true);
  map.forEach((e, i) => {
    const at = MEMMAP_ADDR + i * HVM_MEMMAP_ENTRY_SIZE;
    view.setBigUint64(at, BigInt(e.addr), true);
    view.setBigUint64(at + 8, BigInt(e.size), true);
    view.setUint32(at + 16, e.type, true);
    view.setUint32(at + 20, 0, true);
  });
  return START_INFO_ADDR;
}
