// The software engine against its peer on the same guest binary, in one command: the bench-medium
// guest (20,000 rounds of the bench workload) under `kvmi-vmm run --engine emulator` and under QEMU
// TCG (when installed), wall time median of 3 runs, guest MIPS, and the ratio. Then the cost of
// watchpoints that never fire: the same guest under kvmi-watch with 1 watched page and with 1,000
// watched pages the workload never touches (same introspection overhead in both, so the difference
// is the cost of the restrictions). Peers run interleaved, round by round. Goals: within 3x of QEMU;
// 1,000 unfired pages within 5%.
// Usage: npm run build && node --import tsx test/bench/guestVsQemu.ts [guest=bench-medium] [runs=3]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureGuestsBuilt, guestPath, qemuMissing } from '../support/guests';

const root = join(__dirname, '..', '..');
const guest = process.argv[2] ?? 'bench-medium';
const runs = Number(process.argv[3] ?? 3);

interface Timed { seconds: number; stderr: string; stdout: string }

/** Runs a command to completion; `okStatus` is the exit status of a successful run (QEMU's
 * isa-debug-exit reports a guest's exit 0 as (0 << 1) | 1 = 1). */
function timed(command: string, args: string[], okStatus = 0): Timed {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== okStatus) {
    throw new Error(`${command} ${args.slice(0, 4).join(' ')} ... exited ${result.status ?? result.signal}: ${result.stderr.slice(-400)}`);
  }
  return { seconds, stderr: result.stderr, stdout: result.stdout };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

interface Peer { label: string; command: string; args: string[]; okStatus?: number }

/**
 * Runs the commands in turn, `runs` rounds (A B A B ...), so that a change of machine load during
 * the measurement hits each alike; prints each one's median and runs, returns the runs per command.
 */
function interleaved(peers: Peer[]): Timed[][] {
  const all: Timed[][] = peers.map(() => []);
  for (let i = 0; i < runs; i++) peers.forEach((p, k) => all[k].push(timed(p.command, p.args, p.okStatus ?? 0)));
  peers.forEach((p, k) => {
    const seconds = all[k].map((r) => r.seconds);
    console.log(`${p.label.padEnd(44)} ${median(seconds).toFixed(3)} s median (${seconds.map((x) => x.toFixed(3)).join(', ')})`);
  });
  return all;
}

ensureGuestsBuilt();
const elf = guestPath(guest);
const vmm = join(root, 'dist', 'vmm.js');
const watch = join(root, 'dist', 'kvmi-watch.js');

const qemuReason = qemuMissing();
const ours: Peer = { label: `${guest} on the software engine`, command: process.execPath, args: [vmm, 'run', elf, '--engine', 'emulator', '--stats'] };
const qemuPeer: Peer = { label: `${guest} on QEMU TCG`, command: 'qemu-system-x86_64', okStatus: 1, args: ['-kernel', elf, '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
  '-serial', 'stdio', '-display', 'none', '-no-reboot', '-m', '64', '-nodefaults', '-accel', 'tcg', '-cpu', 'max'] };
const [emulator, qemu] = interleaved(qemuReason ? [ours] : [ours, qemuPeer]);
const statsLine = emulator[0].stderr.split('\n').find((l) => l.startsWith('stats '));
const instructions = statsLine ? Number(JSON.parse(statsLine.slice(6)).instructions) : NaN;
const emuSeconds = median(emulator.map((r) => r.seconds));
console.log(`guest instructions: ${instructions.toLocaleString('en')}; software engine: ${(instructions / emuSeconds / 1e6).toFixed(1)} MIPS (wall, incl. start-up)`);

if (qemuReason) {
  console.log(`QEMU comparison skipped: ${qemuReason}`);
} else {
  const qemuSeconds = median(qemu.map((r) => r.seconds));
  const ratios = emulator.map((r, i) => r.seconds / qemu[i].seconds);
  console.log(`QEMU TCG: ${(instructions / qemuSeconds / 1e6).toFixed(1)} MIPS; software engine / QEMU wall-time ratio: ${(emuSeconds / qemuSeconds).toFixed(2)}x `
    + `(per round ${ratios.map((x) => x.toFixed(2)).join(', ')}; goal <= 3x)`);
}

// Unfired watchpoints: pages from 16 MiB up, far above the guest image (loaded at 1 MiB) and its stack.
const pageWatch = (count: number) => Array.from({ length: count }, (_, i) => ['--watch', `rw:0x${(0x1000000 + i * 0x1000).toString(16)}`]).flat();
const [one, thousand] = interleaved([
  { label: `${guest} under kvmi-watch, 1 watched page`, command: process.execPath, args: [watch, ...pageWatch(1), '--run', elf, '--engine', 'emulator'] },
  { label: `${guest} under kvmi-watch, 1,000 watched pages`, command: process.execPath, args: [watch, ...pageWatch(1000), '--run', elf, '--engine', 'emulator'] },
]).map((all) => all.map((r) => r.seconds));
const costs = one.map((s1, i) => ((thousand[i] / s1) - 1) * 100);
console.log(`1,000 unfired watched pages cost ${(((median(thousand) / median(one)) - 1) * 100).toFixed(1)}% of the median `
  + `(per round ${costs.map((x) => `${x.toFixed(1)}%`).join(', ')}; median of rounds ${median(costs).toFixed(1)}%; goal < 5%)`);
