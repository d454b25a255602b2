// Tests the ELF identification the launch checks rely on: the real x86-64 Node executable is accepted,
// other machines and inconsistent headers are named in the refusal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { elfIdentityOf, readElfIdentity, whyNotX86 } from '../../../src/extension/elfHeader';
import { makeGuestFiles, realElfHeader } from './guestFiles';

const files = makeGuestFiles();

test('the running x86-64 Node executable reads as a 64-bit little-endian ELF for e_machine 62', (t) => {
  if (process.arch !== 'x64') return t.skip(`this machine is ${process.arch}, not x86-64`);
  assert.deepEqual(readElfIdentity(process.execPath), { kind: 'elf', bits: 64, littleEndian: true, machine: 62 });
  assert.equal(whyNotX86(readElfIdentity(files.x86_64Elf) as never), undefined);
});

test('an AArch64 ELF is refused with its machine named', () => {
  const identity = readElfIdentity(files.aarch64Elf);
  assert.equal(identity.kind, 'elf');
  assert.match(whyNotX86(identity as never) ?? '', /e_machine 183 \(AArch64\)/);
});

test('an i386 machine number in an ELF64 file is refused as inconsistent', () => {
  assert.match(whyNotX86(readElfIdentity(files.i386ElfWithWrongClass) as never) ?? '', /e_machine 3 but ELF class 64/);
});

test('a 32-bit i386 header is accepted', () => {
  const header = realElfHeader();
  header[4] = 1;
  header.writeUInt16LE(3, 18);
  assert.equal(whyNotX86(elfIdentityOf(header) as never), undefined);
});

test('a big-endian header is refused even with an x86 machine number', () => {
  const header = realElfHeader();
  header[5] = 2;
  header.writeUInt16BE(62, 18);
  const identity = elfIdentityOf(header);
  assert.deepEqual(identity, { kind: 'elf', bits: 64, littleEndian: false, machine: 62 });
  assert.match(whyNotX86(identity as never) ?? '', /big-endian/);
});

test('text, truncated headers and empty files are not ELF', () => {
  assert.deepEqual(readElfIdentity(files.textFile), { kind: 'not-elf' });
  assert.deepEqual(elfIdentityOf(realElfHeader().subarray(0, 10)), { kind: 'not-elf' });
  assert.deepEqual(elfIdentityOf(new Uint8Array()), { kind: 'not-elf' });
});
