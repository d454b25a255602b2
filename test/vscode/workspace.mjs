// Makes the workspace the in-VS Code suite opens: a copy of test/vscode/workspace/ (its launch.json)
// plus guest files written at run time: x86-64 ELFs copied from the bytes of a real x86-64 ELF (the
// Node executable running this script), an AArch64 ELF, and ELF-named files the guest search must skip;
// and, when the example guests are built, a launch of the heap-overflow example (test/guests/out).
import { cpSync, existsSync, mkdirSync, openSync, readFileSync, readSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function realElfHeader() {
  const header = Buffer.alloc(64);
  const fd = openSync(process.execPath, 'r');
  try { readSync(fd, header, 0, header.length, 0); } finally { closeSync(fd); }
  if (header.readUInt32BE(0) !== 0x7f454c46 || header.readUInt16LE(18) !== 62) {
    throw new Error(`${process.execPath} is not an x86-64 ELF; the suite needs one to copy`);
  }
  return header;
}

export function makeWorkspace(root, target) {
  rmSync(target, { recursive: true, force: true });
  cpSync(join(root, 'test/vscode/workspace'), target, { recursive: true });
  const x86 = realElfHeader();
  const arm = Buffer.from(x86);
  arm.writeUInt16LE(183, 18); // EM_AARCH64
  mkdirSync(join(target, 'build'), { recursive: true });
  mkdirSync(join(target, 'node_modules/dep'), { recursive: true });
  writeFileSync(join(target, 'sample.elf'), x86);
  writeFileSync(join(target, 'build/nested.elf'), x86);
  writeFileSync(join(target, 'build/arm.elf'), arm);
  writeFileSync(join(target, 'build/text.elf'), 'not an ELF\n');
  writeFileSync(join(target, 'node_modules/dep/vendored.elf'), x86);
  addHeapOverflowLaunch(root, target);
  return target;
}

/** The example launch the watchpoint suites use; absent (and those tests skip) without the built guest. */
function addHeapOverflowLaunch(root, target) {
  const guest = join(root, 'test/guests/out/heap-overflow.elf');
  if (!existsSync(guest)) return;
  const launchFile = join(target, '.vscode/launch.json');
  const launch = JSON.parse(readFileSync(launchFile, 'utf8'));
  launch.configurations.push({ type: 'kvmi', request: 'launch', name: 'KVMI: heap-overflow', guest, engine: 'auto', stopOnEntry: false });
  writeFileSync(launchFile, `${JSON.stringify(launch, null, 2)}\n`);
}

/** A workspace whose only launch is the heap-overflow example, for the UI test's F5; undefined without the guest. */
export function makeUiWorkspace(root, target) {
  const guest = join(root, 'test/guests/out/heap-overflow.elf');
  if (!existsSync(guest)) return undefined;
  rmSync(target, { recursive: true, force: true });
  mkdirSync(join(target, '.vscode'), { recursive: true });
  const launch = { version: '0.2.0', configurations: [{ type: 'kvmi', request: 'launch', name: 'KVMI: heap-overflow', guest, engine: 'auto', stopOnEntry: false }] };
  writeFileSync(join(target, '.vscode/launch.json'), `${JSON.stringify(launch, null, 2)}\n`);
  // The example sources live in this repository: no question about opening it on the screenshots.
  writeFileSync(join(target, '.vscode/settings.json'), `${JSON.stringify({ 'git.openRepositoryInParentFolders': 'never', 'git.enabled': false }, null, 2)}\n`);
  return target;
}
