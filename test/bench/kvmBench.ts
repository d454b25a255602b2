// Benchmarks of the KVM engine against a peer measured in the same run (node --import tsx
// test/bench/kvmBench.ts [--reps N]); each figure is the median of N runs (default 5), peers
// interleaved with ours so that load changes hit both alike. Prints a table and the load average.
//  a. ring-3 workload, no restrictions: bench-user-ud2 (250000 rounds) run by the shipped VMM
//     (`node dist/vmm.js run --engine auto --stats`, its start-to-end wallSeconds; the bundle is
//     built first), against the same C (bench/host_check.c) compiled with cc -O2 and run
//     natively (the guest's workload is built -fpie like it; test/guests/README.md says why).
//     Run back to back with the native run, in alternating order; the figure is the median of the
//     per-round ratios. Goal: within 1.10x. Plain KVM (guest ring 0 in KVM's own emulator) is shown for information,
//     and so is a bare C VMM (test/bench/c/ring3Workload.c) running the guest's own workload object
//     in ring 3 with a single KVM_RUN: the lower bound for any VMM on this host.
//  b. kernel-mode workload: bench-small on the engine `--engine auto` picks, against the software
//     engine alone, back to back in alternating order; the median of the per-pair ratios. Goal:
//     auto never slower (1.00x, within noise).
//  c. watchpoint round trip: user-mode-ud2-long writes its watched page 32768 times from ring 3, each
//     a PF event answered CONTINUE at once; (watched - unwatched) / events, against test/bench/c/
//     watchRoundTrip.c (mprotect, KVM_RUN, EFAULT, KVM_GET_REGS, unprotect, KVM_RUN). Goal: 1.5x.
//  d. 1000 restricted frames the workload never touches: workload (a) with and without, two pairs
//     per round run back to back in A-B-B-A order; the figure is the median of the per-pair
//     ratios. Goal: <2%.
//  e. kernel round trips from ring 3: user-syscalls (2000 system calls whose handler returns at
//     once) on the engine `auto` picks for ring-3 guests, against the software engine alone; time per
//     call. Information: each call hands the vCPU from KVM to the software core and back in hybrid
//     mode, so this is the price of that hand-over.
// Needs a usable /dev/kvm and cc; says so and exits 0 otherwise.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseElf } from '../../src/dap/debuginfo/elf/elfFile';
import { readSymbols } from '../../src/dap/debuginfo/elf/elfSymbols';
import { Engine, PageAccessEntry } from '../../src/vmm/engine/engine';
import { EmulatorEngine } from '../../src/vmm/engine/emulatorEngine';
import { selectEngine } from '../../src/vmm/engine/selectEngine';
import { chooseAutoEngine } from '../../src/vmm/kvm/engineChoice';
import { probeHost } from '../../src/vmm/kvm/hostProbe';
import { KvmEngine } from '../../src/vmm/kvm/kvmEngine';
import { createMachine } from '../../src/vmm/machine/machine';
import { ensureGuestsBuilt, guestDescription, guestPath, guestsDir, guestsOutDir } from '../support/guests';

const MiB = 1 << 20;
const repoRoot = join(__dirname, '..', '..');
const UNTOUCHED_FRAMES = 1000;
const UNTOUCHED_BASE = 16 * MiB;   // above every test guest's image, inside its 32 MiB
/** System calls user-syscalls makes (guests.json). */
const SYSCALLS = 2000;

interface Run { ms: number; events: number }

async function timedRun(engine: Engine, guest: string, restrict: PageAccessEntry[] = []): Promise<Run> {
  const desc = guestDescription(guest);
  let stdout = '';
  let events = 0;
  const m = await createMachine({ engine, guest: readFileSync(guestPath(guest)), memoryMiB: 32, cpus: 1, serialOutput: (b) => { stdout += Buffer.from(b).toString('latin1'); } });
  if (restrict.length > 0) {
    m.vm.onEvent((e) => { events++; e.reply('continue'); });
    await m.vm.vcpus[0].setIntercepts({ pf: true });
    m.vm.setPageAccess(restrict);
  }
  const t0 = performance.now();
  await m.start();
  const stop = await m.vm.finished;
  const ms = performance.now() - t0;
  if (stop.kind !== 'exitPort' || stop.status !== desc.expectedExitCode || stdout !== desc.expectedStdout) {
    throw new Error(`${guest} on ${engine.name}: wrong result (${stop.kind}, ${JSON.stringify(stdout)})`);
  }
  return { ms, events };
}

function compile(dir: string, name: string, sources: string[], include?: string): string {
  const out = join(dir, name);
  execFileSync('cc', ['-O2', ...(include ? [`-I${include}`] : []), ...sources, '-o', out]);
  return out;
}

/** The bare-VMM peer of figure a: ring3Workload.c and its flat image of the guest's workload object. */
function bareRing3Peer(dir: string, iterations: string): { program: string; image: string } {
  const c = join(__dirname, 'c');
  const program = compile(dir, 'ring3Workload', [join(c, 'ring3Workload.c')]);
  const entry = join(dir, 'ring3Entry.o');
  execFileSync('cc', [`-DITERATIONS=${iterations}`, '-c', join(c, 'ring3Entry.S'), '-o', entry]);
  const image = join(dir, 'ring3Workload.bin');
  execFileSync('ld', ['-static', '-nostdlib', '-Ttext=0x100000', '--oformat', 'binary', '-e', '_start', entry,
    join(guestsOutDir, 'obj', 'bench-user-ud2', 'bench_bench_workload.c.o'), '-o', image]);
  return { program, image };
}

/** bench-user-ud2 run by the bundled VMM (dist/vmm.js) with --engine auto: its start-to-end wall time. */
function timedCliRun(guest: string): number {
  const desc = guestDescription(guest);
  const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'vmm.js'), 'run', guestPath(guest), '--engine', 'auto', '--stats'], { encoding: 'utf8' });
  const stats = /stats (\{.*\})/.exec(r.stderr ?? '');
  if (r.status !== desc.expectedExitCode || r.stdout !== desc.expectedStdout || !stats) {
    throw new Error(`${guest} through dist/vmm.js: exit ${r.status}, ${JSON.stringify(r.stdout)} ${r.stderr}`);
  }
  return (JSON.parse(stats[1]) as { wallSeconds: number }).wallSeconds * 1000;
}

function timedProcess(program: string, args: string[]): { ms: number; stdout: string } {
  const t0 = performance.now();
  const stdout = execFileSync(program, args, { encoding: 'utf8' });
  return { ms: performance.now() - t0, stdout };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Row { figure: string; ours: string; peer: string; ratio: number; goal: string; met: boolean }

function printTable(rows: Row[]): void {
  const cells = [['figure', 'ours', 'peer', 'ratio', 'goal', 'met'], ...rows.map((r) => [r.figure, r.ours, r.peer, r.ratio.toFixed(3), r.goal, r.met ? 'yes' : 'NO'])];
  const widths = cells[0].map((_, i) => Math.max(...cells.map((c) => c[i].length)));
  for (const c of cells) console.log(c.map((s, i) => s.padEnd(widths[i])).join('  '));
}

async function main(): Promise<void> {
  const reps = Number(process.argv[process.argv.indexOf('--reps') + 1]) || 5;
  const probe = probeHost();
  if (!probe.usable) { console.log(`kvmBench: skipped: ${probe.reason}`); return; }
  ensureGuestsBuilt();
  execFileSync(process.execPath, [join(repoRoot, 'esbuild.mjs')], { cwd: repoRoot, stdio: 'ignore' });
  const load0 = loadavg();
  console.log(`host: ${probe.reason}; ${reps} runs per figure (median); load average ${load0.map((l) => l.toFixed(2)).join(' ')}`);
  const dir = mkdtempSync(join(tmpdir(), 'kvm-bench-'));
  try {
    const bench = join(guestsDir, 'bench');
    const native = compile(dir, 'host_check', [join(bench, 'host_check.c'), join(bench, 'bench_workload.c')], bench);
    const peerLoop = compile(dir, 'watchRoundTrip', [join(__dirname, 'c', 'watchRoundTrip.c')]);
    const userPick = chooseAutoEngine(probe, 'user');
    const userEngine = () => (userPick.engine === 'kvm' ? new KvmEngine({ softwareKernel: userPick.softwareKernel }) : new EmulatorEngine());
    const iterations = guestDescription('bench-user-ud2').defines!.ITERATIONS;
    const bare = bareRing3Peer(dir, iterations);
    const untouched: PageAccessEntry[] = Array.from({ length: UNTOUCHED_FRAMES }, (_, i) => ({ gpa: BigInt(UNTOUCHED_BASE + i * 4096), access: 0 }));
    const image = readFileSync(guestPath('user-mode-ud2-long'));
    const watchPage = readSymbols(parseElf(image)).find((s) => s.name === 'user_data_page')!.value;
    const autoKernel = selectEngine('auto', () => probe);

    const t = { native: [] as number[], bareVmm: [] as number[], ring3: [] as number[], ring3Ratio: [] as number[], ring3InProcess: [] as number[], ring3Plain: [] as number[], ring3Untouched: [] as number[], untouchedRatio: [] as number[], auto: [] as number[], emulator: [] as number[], watchUs: [] as number[], peerUs: [] as number[], syscallAutoUs: [] as number[], syscallSoftwareUs: [] as number[], kernelRatio: [] as number[] };
    let events = 0;
    const runNative = () => {
      const n = timedProcess(native, [iterations]);
      if (!n.stdout.includes('checksum=0x6d104978d8b66f3c')) throw new Error(`host_check printed ${n.stdout}`);
      return n.ms;
    };
    for (let r = 0; r < reps; r++) {
      // a: the shipped VMM and native code back to back, in alternating order; d: two pairs in
      // A-B-B-A order, so that a drift of the host's speed cancels out. Each figure is the median
      // of the per-pair ratios (runs here swing by +-15% from minute to minute).
      const forward = r % 2 === 0;
      const nativeBefore = forward ? runNative() : undefined;
      const shipped = timedCliRun('bench-user-ud2');
      const nativeMs = nativeBefore ?? runNative();
      const runClean = async () => (await timedRun(userEngine(), 'bench-user-ud2')).ms;
      const runRestricted = async () => (await timedRun(userEngine(), 'bench-user-ud2', untouched)).ms;
      const restrictedBefore = await runRestricted();
      const clean = await runClean();
      const cleanAfter = await runClean();
      const restricted = await runRestricted();
      t.native.push(nativeMs);
      t.ring3.push(shipped);
      t.ring3Ratio.push(shipped / nativeMs);
      t.ring3InProcess.push(clean, cleanAfter);
      t.ring3Untouched.push(restrictedBefore, restricted);
      t.untouchedRatio.push(restrictedBefore / clean, restricted / cleanAfter);
      const b = timedProcess(bare.program, [bare.image]).stdout.trim().split(' ');
      if (b[1] !== '0x6d104978d8b66f3c') throw new Error(`ring3Workload printed ${b.join(' ')}`);
      t.bareVmm.push(Number(b[0]));
      t.ring3Plain.push((await timedRun(new KvmEngine(), 'bench-user-ud2')).ms);
      const emulatorBefore = forward ? (await timedRun(new EmulatorEngine(), 'bench-small')).ms : undefined;
      const auto = (await timedRun(selectEngine('auto', () => probe).engine, 'bench-small')).ms;
      const emulator = emulatorBefore ?? (await timedRun(new EmulatorEngine(), 'bench-small')).ms;
      t.auto.push(auto);
      t.emulator.push(emulator);
      t.kernelRatio.push(auto / emulator);
      const plain = await timedRun(userEngine(), 'user-mode-ud2-long');
      const watched = await timedRun(userEngine(), 'user-mode-ud2-long', [{ gpa: watchPage, access: 7 & ~2 }]);
      events = watched.events;
      t.watchUs.push(((watched.ms - plain.ms) * 1000) / watched.events);
      t.peerUs.push(Number(timedProcess(peerLoop, [String(watched.events)]).stdout.split(' ')[0]));
      t.syscallAutoUs.push(((await timedRun(userEngine(), 'user-syscalls')).ms * 1000) / SYSCALLS);
      t.syscallSoftwareUs.push(((await timedRun(new EmulatorEngine(), 'user-syscalls')).ms * 1000) / SYSCALLS);
    }
    const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)])) as Record<keyof typeof t, number>;
    const ms = (x: number) => `${x.toFixed(0)} ms`;
    const us = (x: number) => `${x.toFixed(1)} us`;
    const rows: Row[] = [
      { figure: `a. ring-3 workload, kvmi-vmm --engine auto (${userPick.engine}${userPick.softwareKernel ? ', hybrid' : ''}) vs native (median of pairs)`, ours: ms(m.ring3), peer: ms(m.native), ratio: m.ring3Ratio, goal: '<= 1.10', met: m.ring3Ratio <= 1.10 },
      { figure: 'a\'. the same on plain KVM (ring 0 in KVM\'s emulator)', ours: ms(m.ring3Plain), peer: ms(m.native), ratio: m.ring3Plain / m.native, goal: '(information)', met: true },
      { figure: 'a\'\'. bare C VMM, the guest\'s workload object in ring 3', ours: ms(m.bareVmm), peer: ms(m.native), ratio: m.bareVmm / m.native, goal: '(information)', met: true },
      { figure: `b. kernel workload, auto (${autoKernel.engine.name}) vs software engine (median of pairs)`, ours: ms(m.auto), peer: ms(m.emulator), ratio: m.kernelRatio, goal: '<= 1.00 (noise)', met: m.kernelRatio <= 1.05 },
      { figure: `c. watchpoint round trip (${events} events) vs C loop`, ours: us(m.watchUs), peer: us(m.peerUs), ratio: m.watchUs / m.peerUs, goal: '<= 1.5', met: m.watchUs / m.peerUs <= 1.5 },
      { figure: `d. ${UNTOUCHED_FRAMES} untouched restricted frames vs none (median of paired runs)`, ours: ms(m.ring3Untouched), peer: ms(m.ring3InProcess), ratio: m.untouchedRatio, goal: '<= 1.02', met: m.untouchedRatio <= 1.02 },
      { figure: `e. a kernel round trip from ring 3 (user-syscalls), ${userPick.engine}${userPick.softwareKernel ? ' hybrid' : ''} vs software engine`, ours: us(m.syscallAutoUs), peer: us(m.syscallSoftwareUs), ratio: m.syscallAutoUs / m.syscallSoftwareUs, goal: '(information)', met: true },
    ];
    printTable(rows);
    console.log(`runs (ms, us or ratios): ${JSON.stringify(Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.map((x) => (x < 10 ? Math.round(x * 1000) / 1000 : Math.round(x * 10) / 10))])))}`);
    console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
