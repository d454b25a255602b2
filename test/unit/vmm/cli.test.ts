// kvmi-vmm end to end: the bundled CLI (built here with esbuild, worker entry included) runs every
// test guest to the manifest's serial output and exit code; usage errors, --engine kvm/auto,
// --stats and a triple fault are checked through the process's stdout, stderr and status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { probeHost } from '../../../src/vmm/kvm/hostProbe';
import { ensureGuestsBuilt, guestManifest, guestPath, GuestError } from '../../support/guests';
import { x86CoreMissing } from './guestImage';

const root = join(__dirname, '..', '..', '..');
// Inside the repository (git-ignored), so the bundle's external modules (koffi) resolve from node_modules.
mkdirSync(join(root, 'test', '.artifacts'), { recursive: true });
const outDir = mkdtempSync(join(root, 'test', '.artifacts', 'kvmi-vmm-cli-'));
process.on('exit', () => rmSync(outDir, { recursive: true, force: true }));

let bundle: string | undefined;
let bundleProblem: string | undefined;

/** Bundles the CLI and both engines' vCPU thread entries side by side, as esbuild.mjs does for dist/. */
function bundled(): string | undefined {
  if (bundle || bundleProblem) return bundle;
  bundleProblem = x86CoreMissing();
  if (bundleProblem) return undefined;
  buildSync({
    entryPoints: {
      vmm: join(root, 'src/vmm/cli.ts'),
      vcpuWorker: join(root, 'src/vmm/engine/vcpuWorker.ts'),
      kvmVcpuWorker: join(root, 'src/vmm/kvm/kvmVcpuWorker.ts'),
    },
    outdir: outDir, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'silent',
    external: ['koffi', 'iced-x86'],
  });
  bundle = join(outDir, 'vmm.js');
  return bundle;
}

function guestsMissing(): string | undefined {
  try { ensureGuestsBuilt(); return undefined; } catch (e) { if (e instanceof GuestError) return e.message; throw e; }
}

function runBundle(args: string[], timeout = 60_000) {
  return spawnSync(process.execPath, [bundled()!, ...args], { encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs the CLI from its TypeScript source (for checks that never start a vCPU). */
function runSource(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/vmm/cli.ts'), ...args], { encoding: 'utf8', timeout: 30_000 });
}

test('--help documents the command and exits 0', () => {
  const r = runSource(['--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^Usage: kvmi-vmm run GUEST/);
});

test('bad arguments and a missing guest each fail with one specific line', () => {
  const bad = runSource(['run', 'g.elf', '--mem', 'lots']);
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr, "kvmi-vmm: --mem needs a whole number of MiB from 1 to 3072, got 'lots'\n");
  const missing = runSource(['run', join(outDir, 'nothing.elf')]);
  assert.equal(missing.status, 2);
  assert.equal(missing.stderr, `kvmi-vmm: cannot read guest file '${join(outDir, 'nothing.elf')}': no such file\n`);
});

test('--engine kvm runs the guest on /dev/kvm, or names why it cannot', (t) => {
  const host = probeHost();
  if (!host.usable) {
    const r = runSource(['run', 'g.elf', '--engine', 'kvm']);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `kvmi-vmm: the KVM engine cannot run here: ${host.reason}; use --engine emulator\n`);
    return;
  }
  const missing = x86CoreMissing() ?? guestsMissing();
  if (missing) { t.skip(missing); return; }
  const r = runBundle(['run', guestPath('hello'), '--engine', 'kvm', '--stats']);
  assert.equal(r.stdout, guestManifest().find((g) => g.name === 'hello')!.expectedStdout);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^stats \{"engine":"kvm",/);
});

test('a file that is not an ELF is refused unless --format raw', () => {
  const junk = join(outDir, 'junk.bin');
  writeFileSync(junk, 'just text');
  const r = runSource(['run', junk]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /junk.bin: not an ELF file: .* use --format raw/);
});

/**
 * Where this VMM deliberately differs from the QEMU TCG runs the manifest records. KVM (and KVMI,
 * kvmi-protocol.md 4.3 HYPERCALL) answers a VMCALL it does not handle with -KVM_ENOSYS in RAX;
 * QEMU TCG raises #UD instead, which the selftest guest reports as a trap line.
 */
const KVM_SEMANTICS: Record<string, (qemuStdout: string) => string> = {
  selftest: (out) => out.replace('step 4: agent hypercall\ntrap: vector 6 (#UD)\n', 'step 4: agent hypercall\n'),
};

for (const guest of guestManifest().filter((g) => !g.long)) {
  test(`kvmi-vmm run ${guest.name}: serial output and exit code match the manifest`, (t) => {
    const missing = x86CoreMissing() ?? guestsMissing();
    if (missing) { t.skip(missing); return; }
    const r = runBundle(['run', guestPath(guest.name)]);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, (KVM_SEMANTICS[guest.name] ?? ((s: string) => s))(guest.expectedStdout));
    assert.equal(r.status, guest.expectedExitCode);
  });
}

test('--stats prints one JSON line; --engine auto says what it chose', (t) => {
  const missing = x86CoreMissing() ?? guestsMissing();
  if (missing) { t.skip(missing); return; }
  const r = runBundle(['run', guestPath('hello'), '--stats', '--engine', 'auto']);
  assert.equal(r.status, 0);
  const lines = r.stderr.trimEnd().split('\n');
  const chosen = /^kvmi-vmm: engine auto: (emulator|kvm)[ ,]/.exec(lines[0]);
  assert.ok(chosen, lines[0]);
  const stats = JSON.parse(lines[1].replace(/^stats /, ''));
  assert.deepEqual(Object.keys(stats), ['engine', 'instructions', 'wallSeconds', 'mips', 'exits', 'events']);
  assert.equal(stats.engine, chosen[1], 'the stats name the engine auto announced');
  if (stats.engine === 'emulator') assert.ok(stats.instructions > 1000, `instructions ${stats.instructions}`);
  assert.equal(stats.events, 0);
});

test('a triple fault exits non-zero with one line naming the reason and RIP', (t) => {
  const missing = x86CoreMissing();
  if (missing) { t.skip(missing); return; }
  // Real mode: load an IDT limit of 0, then INT3 -> #GP -> #DF -> triple fault.
  const image = join(outDir, 'triple.img');
  writeFileSync(image, Buffer.from([0x0f, 0x01, 0x1e, 0x08, 0x7c, 0xcc, 0xf4, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]));
  const r = runBundle(['run', image, '--format', 'raw', '--mem', '1']);
  assert.equal(r.status, 4);
  assert.match(r.stderr, /^kvmi-vmm: guest shut down: .*triple fault.* at rip 0x[0-9a-f]+\n$/);
  assert.equal(r.stdout, '');
});

/**
 * Real-mode guest (assembled with GNU as, bytes below): points IVT vector 0x20 at a handler,
 * remaps the master PIC to 0x20 with only IRQ 0 unmasked, programs PIT channel 0 for ~100 Hz
 * (mode 2, count 11932), then STI and HLT in a loop. The handler counts ticks at 0x500, sends
 * EOI, and on the third tick writes the count to the exit port.
 */
const TIMER_GUEST = [
  0xfa, 0x31, 0xc0, 0x8e, 0xd8, 0x8e, 0xd0, 0xbc, 0x00, 0x7c, 0xc7, 0x06, 0x80, 0x00, 0x3a, 0x7c,
  0xc7, 0x06, 0x82, 0x00, 0x00, 0x00, 0xb0, 0x11, 0xe6, 0x20, 0xb0, 0x20, 0xe6, 0x21, 0xb0, 0x04,
  0xe6, 0x21, 0xb0, 0x01, 0xe6, 0x21, 0xb0, 0xfe, 0xe6, 0x21, 0xb0, 0x34, 0xe6, 0x43, 0xb0, 0x9c,
  0xe6, 0x40, 0xb0, 0x2e, 0xe6, 0x40, 0xfb, 0xf4, 0xeb, 0xfd, 0xfe, 0x06, 0x00, 0x05, 0x80, 0x3e,
  0x00, 0x05, 0x03, 0x72, 0x05, 0xa0, 0x00, 0x05, 0xe6, 0xf4, 0xb0, 0x20, 0xe6, 0x20, 0xcf,
];

test('PIT ticks wake a halted vCPU through the PIC: a real-mode guest counts three timer interrupts', (t) => {
  const missing = x86CoreMissing();
  if (missing) { t.skip(missing); return; }
  const image = join(outDir, 'timer.img');
  writeFileSync(image, Buffer.from(TIMER_GUEST));
  const r = runBundle(['run', image, '--format', 'raw', '--mem', '1', '--stats']);
  assert.equal(r.status, 3, r.stderr);
  const stats = JSON.parse(r.stderr.replace(/^stats /, ''));
  assert.ok(stats.instructions < 100, `the vCPU halted between ticks instead of spinning (${stats.instructions} instructions)`);
});

/** Real-mode guest: polls LSR.DR at 0x3fd, reads RBR at 0x3f8, echoes the byte and exits with it. */
const ECHO_GUEST = [0xba, 0xfd, 0x03, 0xec, 0xa8, 0x01, 0x74, 0xfb, 0xba, 0xf8, 0x03, 0xec, 0xee, 0xe6, 0xf4];

test('stdin reaches COM1: a guest waiting on LSR data-ready reads and echoes the byte', (t) => {
  const missing = x86CoreMissing();
  if (missing) { t.skip(missing); return; }
  const image = join(outDir, 'echo.img');
  writeFileSync(image, Buffer.from(ECHO_GUEST));
  const r = spawnSync(process.execPath, [bundled()!, 'run', image, '--format', 'raw', '--mem', '1'], { input: 'Z', encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.stdout, 'Z');
  assert.equal(r.status, 0x5a);
});

test('an i8042 reset and a HLT with interrupts off each end the run with their own status and line', (t) => {
  const missing = x86CoreMissing();
  if (missing) { t.skip(missing); return; }
  const reset = join(outDir, 'reset.img');
  writeFileSync(reset, Buffer.from([0xb0, 0xfe, 0xe6, 0x64, 0xf4]));          // mov al,0xfe; out 0x64,al; hlt
  const r = runBundle(['run', reset, '--format', 'raw', '--mem', '1']);
  assert.equal(r.status, 3);
  assert.equal(r.stderr, 'kvmi-vmm: guest reset the machine (i8042 command 0xfe) at rip 0x7c04\n');
  const dead = join(outDir, 'cli-hlt.img');
  writeFileSync(dead, Buffer.from([0xfa, 0xf4]));                              // cli; hlt
  const h = runBundle(['run', dead, '--format', 'raw', '--mem', '1']);
  assert.equal(h.status, 6);
  assert.equal(h.stderr, 'kvmi-vmm: vCPU 0 halted with interrupts disabled; nothing can wake it at rip 0x7c02\n');
});
