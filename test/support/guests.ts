// Access to the test guests in test/guests for any test: the manifest (guests.json), the built
// images (test/guests/build.sh, run once per process) and a QEMU TCG runner used as the reference
// engine. Guest images are PVH ELFs; see test/guests/guests.json for each guest's expected output.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const guestsDir = join(__dirname, '..', 'guests');
export const guestsOutDir = join(guestsDir, 'out');

/** A memory range a debugger may watch in a guest, named by an ELF symbol. */
export interface GuestWatch {
  symbol: string;
  /** Bytes watched from the symbol's address (or from the pointer's target when deref is set). */
  size: number;
  access: 'r' | 'w' | 'x';
  /** The symbol is a pointer; watch what it points to. */
  deref?: boolean;
}

/** Where the heap-overflow guest's deliberate bug is (file relative to test/guests). */
export interface GuestOverflowSite {
  file: string;
  /** The overflowing statement. */
  line: number;
  function: string;
  /** A line reached after the guarded object is initialised: arm the watch when stopped here. */
  armLine: number;
  /** Loop index of the first write that lands in the guarded object. */
  firstGuardWriteIndex: number;
}

export interface GuestDescription {
  name: string;
  description: string;
  /** Source files relative to test/guests, linked with test/guests/runtime. */
  sources: string[];
  defines?: Record<string, string>;
  /** Exact COM1 output under QEMU TCG. */
  expectedStdout: string;
  /** Value the guest writes to port 0xf4; QEMU exits with (code << 1) | 1. */
  expectedExitCode: number;
  /** Runs for seconds; unit tests use a smaller variant instead. */
  long?: boolean;
  watch?: GuestWatch[];
  overflow?: GuestOverflowSite;
}

export type GuestErrorKind = 'badManifest' | 'unknownGuest' | 'toolchainMissing' | 'buildFailed' | 'qemuMissing';

export class GuestError extends Error {
  constructor(readonly kind: GuestErrorKind, message: string) {
    super(message);
    this.name = 'GuestError';
  }
}

let manifestCache: GuestDescription[] | undefined;
let buildDone = false;

/** Every guest listed in test/guests/guests.json, validated. */
export function guestManifest(): readonly GuestDescription[] {
  manifestCache ??= parseManifest(readFileSync(join(guestsDir, 'guests.json'), 'utf8'));
  return manifestCache;
}

export function parseManifest(text: string): GuestDescription[] {
  const data = JSON.parse(text) as { guests?: unknown };
  if (!Array.isArray(data.guests)) throw new GuestError('badManifest', 'guests.json: "guests" must be an array');
  return data.guests.map((entry: unknown, index: number) => checkGuest(entry, index));
}

function checkGuest(entry: unknown, index: number): GuestDescription {
  const guest = entry as Partial<GuestDescription>;
  const where = `guests.json: guest #${index}${typeof guest.name === 'string' ? ` (${guest.name})` : ''}`;
  const bad = (what: string) => new GuestError('badManifest', `${where}: ${what}`);
  if (typeof guest.name !== 'string' || !/^[a-z0-9-]+$/.test(guest.name)) throw bad('"name" must be lowercase letters, digits and dashes');
  if (!Array.isArray(guest.sources) || guest.sources.length === 0 || guest.sources.some((f) => typeof f !== 'string')) {
    throw bad('"sources" must be a non-empty array of file names');
  }
  if (guest.watch?.some((w) => typeof w.symbol !== 'string' || !['r', 'w', 'x'].includes(w.access))) {
    throw bad('every "watch" entry needs a "symbol" and an "access" of "r", "w" or "x"');
  }
  if (typeof guest.expectedStdout !== 'string') throw bad('"expectedStdout" must be a string');
  const code = guest.expectedExitCode;
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 0 || code > 127) {
    throw bad('"expectedExitCode" must be an integer 0-127 (QEMU reports (code << 1) | 1 in 8 bits)');
  }
  return guest as GuestDescription;
}

export function guestDescription(name: string): GuestDescription {
  const guest = guestManifest().find((g) => g.name === name);
  if (!guest) {
    const known = guestManifest().map((g) => g.name).join(', ');
    throw new GuestError('unknownGuest', `no guest named "${name}" in guests.json (known: ${known})`);
  }
  return guest;
}

/** Absolute path of a guest's ELF image (call ensureGuestsBuilt first). */
export function guestPath(name: string): string {
  return join(guestsOutDir, `${guestDescription(name).name}.elf`);
}

function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Why guests cannot be built here, or undefined when the C toolchain is present. */
export function guestToolchainMissing(): string | undefined {
  return commandExists(process.env.CC ?? 'gcc') ? undefined : 'gcc is not installed, so the test guests cannot be built';
}

/** Builds every guest (incrementally) once per process. Throws GuestError on failure. */
export function ensureGuestsBuilt(): void {
  if (buildDone) return;
  const missing = guestToolchainMissing();
  if (missing) throw new GuestError('toolchainMissing', missing);
  try {
    execFileSync('bash', [join(guestsDir, 'build.sh')], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
    throw new GuestError('buildFailed', `test/guests/build.sh failed:\n${stderr}`);
  }
  buildDone = true;
}

/** Why QEMU cannot be used here, or undefined when qemu-system-x86_64 is installed. */
export function qemuMissing(): string | undefined {
  return commandExists('qemu-system-x86_64') ? undefined : 'qemu-system-x86_64 is not installed';
}

export interface QemuRun {
  stdout: string;
  /** Code the guest wrote to port 0xf4, or undefined when QEMU ended another way. */
  exitCode: number | undefined;
  /** QEMU's own exit status (null when killed). */
  status: number | null;
  timedOut: boolean;
  stderr: string;
  wallMs: number;
}

/** Boots a built guest under QEMU TCG with COM1 on stdout and the isa-debug-exit device. */
export function runGuestInQemu(name: string, timeoutMs = 15000): Promise<QemuRun> {
  const image = guestPath(name);
  if (!existsSync(image)) throw new GuestError('buildFailed', `${image} does not exist; call ensureGuestsBuilt() first`);
  // COM1 goes to a file, not a pipe: QEMU writes a pipe without blocking and the debug-exit ends the
  // process at once, so bytes still queued for a full pipe would be lost; file writes complete.
  const serialDir = mkdtempSync(join(tmpdir(), 'kvmi-qemu-'));
  const serialFile = join(serialDir, 'com1');
  const args = ['-kernel', image, '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04', '-serial', `file:${serialFile}`,
    '-display', 'none', '-no-reboot', '-m', '64', '-nodefaults', '-accel', 'tcg', '-cpu', 'max'];
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => { clearTimeout(timer); rmSync(serialDir, { recursive: true, force: true }); reject(new GuestError('qemuMissing', error.message)); });
    child.on('close', (status) => {
      clearTimeout(timer);
      const stdout = existsSync(serialFile) ? readFileSync(serialFile).toString('latin1') : '';
      rmSync(serialDir, { recursive: true, force: true });
      resolve({
        stdout,
        exitCode: status !== null && (status & 1) === 1 ? status >> 1 : undefined,
        status,
        timedOut,
        stderr: Buffer.concat(stderr).toString(),
        wallMs: Number(process.hrtime.bigint() - started) / 1e6,
      });
    });
  });
}
