// Guest files for the configuration tests, made in a fresh temporary folder: a real x86-64 ELF (a copy
// of the running Node executable's first bytes), the same header retargeted to AArch64 and to i386
// with the wrong class, raw images, a text file and a folder.
import { mkdtempSync, openSync, readSync, closeSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GuestFiles {
  dir: string;
  x86_64Elf: string;
  aarch64Elf: string;
  i386ElfWithWrongClass: string;
  rawImage: string;
  rawImageOver1MiB: string;
  textFile: string;
  directory: string;
}

export function realElfHeader(): Buffer {
  const header = Buffer.alloc(64);
  const fd = openSync(process.execPath, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  return header;
}

export function makeGuestFiles(): GuestFiles {
  const dir = mkdtempSync(join(tmpdir(), 'kvmi-guests-'));
  const header = realElfHeader();
  const withMachine = (machine: number, elfClass?: number) => {
    const copy = Buffer.from(header);
    copy.writeUInt16LE(machine, 18);
    if (elfClass !== undefined) copy[4] = elfClass;
    return copy;
  };
  const files: GuestFiles = {
    dir,
    x86_64Elf: join(dir, 'guest.elf'),
    aarch64Elf: join(dir, 'arm.elf'),
    i386ElfWithWrongClass: join(dir, 'odd.elf'),
    rawImage: join(dir, 'boot.bin'),
    rawImageOver1MiB: join(dir, 'disk.img'),
    textFile: join(dir, 'notes.txt'),
    directory: join(dir, 'folder.elf'),
  };
  writeFileSync(files.x86_64Elf, header);
  writeFileSync(files.aarch64Elf, withMachine(183));
  writeFileSync(files.i386ElfWithWrongClass, withMachine(3, 2));
  writeFileSync(files.rawImage, Buffer.alloc(4096, 0x90));
  writeFileSync(files.rawImageOver1MiB, Buffer.alloc(1024 * 1024 + 1));
  writeFileSync(files.textFile, 'not a guest\n');
  mkdirSync(files.directory);
  return files;
}
