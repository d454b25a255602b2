// Benchmarks of the KVM engine (run: node --import tsx test/bench/kvmBench.ts):
//  1. the cost of one KVM exit seen from Node: a real-mode loop of OUT instructions to the POST-code
//     port (each OUT is a KVM_EXIT_IO handled in the vCPU thread; on PVM the loop's instructions are
//     also run by KVM's emulator, so this is an upper bound), and an empty KVM_RUN (immediate_exit);
//  2. the bench workload in guest ring 3 (bench-user-ud2, 250000 rounds) on KVM, against the same C
//     compiled natively for the host (bench/host_check.c: the physical limit) and against the
//     software engine (run on a smaller round count and scaled linearly: the workload is linear),
//     and with hybrid execution (guest ring 0 in the software core, ring 3 in KVM);
//  3. the watchpoint round trip: user-mode-ud2 writes its watched page 4096 times from ring 3; each
//     write is a KVMI PF event answered CONTINUE by the main thread. (watched - unwatched) / events.
// Prints one line per figure. Needs a usable /dev/kvm and gcc; says so and exits 0 otherwise.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, PAGE_ACCESS_ALL, PAGE_ACCESS_W } from '../../src/vmm/engine/engine';
import { parseElf } from '../../src/dap/debuginfo/elf/elfFile';
import { readSymbols } from '../../src/dap/debuginfo/elf/elfSymbols';
import { EmulatorEngine } from '../../src/vmm/engine/emulatorEngine';
import { probeHost } from '../../src/vmm/kvm/hostProbe';
import { KvmEngine, KvmVm } from '../../src/vmm/kvm/kvmEngine';
import { KVM_IOCTL, KVM_RUN_OFFSET } from '../../src/vmm/kvm/kvmAbi';
import { KvmVcpuFd } from '../../src/vmm/kvm/kvmVcpuFd';
import { libc, O_CLOEXEC, O_RDWR } from '../../src/vmm/kvm/libc';
import { createMachine } from '../../src/vmm/machine/machine';
import { ensureGuestsBuilt, guestDescription, guestPath, guestsDir } from '../support/guests';

const OUT_LOOP_COUNT = 20000;

/** Real mode at 0x7c00: mov cx, N; l: out 0x80, al; dec cx; jnz l; mov al, 0; out 0xf4, al. */
function outLoopImage(count: number): Uint8Array {
  return new Uint8Array([0xb9, count & 0xff, count >> 8, 0xe6, 0x80, 0x49, 0x75, 0xfb, 0xb0, 0x00, 0xe6, 0xf4]);
}

async function timedRun(engine: Engine, guest: Uint8Array, format?: 'raw', watchPage?: bigint): Promise<{ ms: number; stdout: string; vmStats: string; vm: unknown; events: number }> {
  let stdout = '';
  let events = 0;
  const m = await createMachine({ engine, guest, format, memoryMiB: 32, cpus: 1, serialOutput: (b) => { stdout += Buffer.from(b).toString('latin1'); } });
  if (watchPage !== undefined) {
    m.vm.onEvent((e) => { events++; e.reply('continue'); });
    await m.vm.vcpus[0].setIntercepts({ pf: true });
    m.vm.setPageAccess([{ gpa: watchPage, access: PAGE_ACCESS_ALL & ~PAGE_ACCESS_W }]);
  }
  const t0 = performance.now();
  await m.start();
  const stop = await m.vm.finished;
  const ms = performance.now() - t0;
  if (stop.kind !== 'exitPort' || stop.status !== 0) throw new Error(`guest ended with ${JSON.stringify(stop, (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v))}`);
  return { ms, stdout, vmStats: JSON.stringify(m.vm.stats()), vm: m.vm, events };
}

function emptyRunCost(rounds: number): number {
  const c = libc();
  const kvm = c.open('/dev/kvm', O_RDWR | O_CLOEXEC, 0);
  const vm = c.ioctlInt(kvm, KVM_IOCTL.KVM_CREATE_VM, 0);
  const vcpu = new KvmVcpuFd(kvm, vm, 0);
  vcpu.run[KVM_RUN_OFFSET.immediate_exit] = 1;
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) c.ioctlInt(vcpu.fd, KVM_IOCTL.KVM_RUN, 0);
  const us = ((performance.now() - t0) * 1000) / rounds;
  vcpu.close(); c.close(vm); c.close(kvm);
  return us;
}

function nativeBench(iterations: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'kvm-bench-'));
  try {
    const program = join(dir, 'host_check');
    const bench = join(guestsDir, 'bench');
    execFileSync('gcc', ['-O2', `-I${bench}`, join(bench, 'host_check.c'), join(bench, 'bench_workload.c'), '-o', program]);
    const t0 = performance.now();
    execFileSync(program, [String(iterations)]);
    return performance.now() - t0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const probe = probeHost();
  if (!probe.usable) { console.log(`kvmBench: skipped: ${probe.reason}`); return; }
  console.log(`host: ${probe.reason}`);
  ensureGuestsBuilt();

  console.log(`empty KVM_RUN (immediate_exit) from Node: ${emptyRunCost(2000).toFixed(1)} us`);
  const loop = await timedRun(new KvmEngine(), outLoopImage(OUT_LOOP_COUNT), 'raw');
  const counters = (loop.vm as KvmVm).kvmCounters();
  console.log(`KVM_EXIT_IO round trip from Node (vCPU thread, incl. 3 emulated real-mode instructions): ${((loop.ms * 1000) / OUT_LOOP_COUNT).toFixed(1)} us per exit (${counters.ioExits} I/O exits, ${counters.kicks} kicks)`);

  const full = guestDescription('bench-user-ud2');
  const iterations = Number(full.defines?.ITERATIONS);
  const kvm = await timedRun(new KvmEngine(), readFileSync(guestPath('bench-user-ud2')));
  if (kvm.stdout !== full.expectedStdout) throw new Error(`bench-user-ud2 on KVM printed ${JSON.stringify(kvm.stdout)}`);
  const native = nativeBench(iterations);
  console.log(`bench workload, ${iterations} rounds: KVM (guest ring 3) ${kvm.ms.toFixed(0)} ms, native host ${native.toFixed(0)} ms, ratio KVM/native ${(kvm.ms / native).toFixed(2)}`);

  const hybrid = await timedRun(new KvmEngine({ softwareKernel: true }), readFileSync(guestPath('bench-user-ud2')));
  if (hybrid.stdout !== full.expectedStdout) throw new Error(`bench-user-ud2 on hybrid KVM printed ${JSON.stringify(hybrid.stdout)}`);
  console.log(`bench workload, ${iterations} rounds, hybrid (ring 0 in the software core, ring 3 in KVM): ${hybrid.ms.toFixed(0)} ms, ratio to native ${(hybrid.ms / native).toFixed(2)} (${JSON.stringify((hybrid.vm as KvmVm).kvmCounters())})`);

  const small = guestDescription('bench-user-ud2-small');
  const emu = await timedRun(new EmulatorEngine(), readFileSync(guestPath('bench-user-ud2-small')));
  if (emu.stdout !== small.expectedStdout) throw new Error(`bench-user-ud2-small on the emulator printed ${JSON.stringify(emu.stdout)}`);
  const scaled = (emu.ms * iterations) / Number(small.defines?.ITERATIONS);
  await watchRoundTrip('KVM', () => new KvmEngine());
  await watchRoundTrip('hybrid KVM', () => new KvmEngine({ softwareKernel: true }));
  await watchRoundTrip('emulator', () => new EmulatorEngine());
  console.log(`emulator: ${small.defines?.ITERATIONS} rounds in ${emu.ms.toFixed(0)} ms (${emu.vmStats}); scaled to ${iterations} rounds ${(scaled / 1000).toFixed(1)} s, ${(scaled / kvm.ms).toFixed(0)}x the KVM time`);
}

async function watchRoundTrip(name: string, engine: () => Engine): Promise<void> {
  const image = readFileSync(guestPath('user-mode-ud2'));
  const page = readSymbols(parseElf(image)).find((sym) => sym.name === 'user_data_page')?.value;
  if (page === undefined) throw new Error('user-mode-ud2 has no user_data_page symbol');
  const plain = await timedRun(engine(), image);
  const watched = await timedRun(engine(), image, undefined, page);
  console.log(`watchpoint round trip, ${name}: ${(((watched.ms - plain.ms) * 1000) / watched.events).toFixed(0)} us per PF event (${watched.events} events, ${watched.ms.toFixed(0)} ms vs ${plain.ms.toFixed(0)} ms unwatched)`);
}

main().catch((e) => { console.error(e); process.exit(1); });
