// Entry point of the boot step: picks the boot protocol for a guest file (or honours the one the
// user forced), loads the image into guest RAM and returns the boot vCPU's initial state.
// Detection: an ELF with a PVH note boots PVH; an ELF64 without it boots in long mode directly;
// anything that is not an ELF must be asked for explicitly as 'raw'.
import { bootElf64 } from './elf64Boot';
import { BootFormat, BootPlan } from './bootState';
import { bootPvh } from './pvhBoot';
import { bootRaw } from './rawBoot';
import { ElfError, parseElf } from './elf';
import { findPvhEntry } from './pvhNote';

export const BOOT_FORMATS: readonly BootFormat[] = ['pvh', 'elf64', 'raw'];

/** Loads `file` into `ram` using `format`, or the detected format when none is given. */
export function loadGuest(file: Uint8Array, ram: Uint8Array, format?: BootFormat): BootPlan {
  if (format === 'raw') return bootRaw(file, ram);
  let image;
  try {
    image = parseElf(file);
  } catch (e) {
    if (e instanceof ElfError && e.kind === 'notElf' && format === undefined) {
      throw new ElfError('notElf', `${e.message}; use --format raw to boot it as a real-mode image at 0x7c00`);
    }
    throw e;
  }
  const chosen = format ?? (findPvhEntry(image) !== undefined ? 'pvh' : 'elf64');
  return chosen === 'pvh' ? bootPvh(file, image, ram) : bootElf64(file, image, ram);
}
