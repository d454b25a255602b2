// KVMI round-trip benchmark through a real Unix socket: a software-engine vCPU (the scripted test
// CPU, so guest execution costs almost nothing) raises a BREAKPOINT event per loop iteration and
// the client answers CONTINUE at once (us per event, events per second); then VM_READ_PHYSICAL
// reads 1 MiB of guest memory in page-sized commands, pipelined and one at a time (MiB/s).
// Usage: node --import tsx test/bench/kvmiRoundTrip.ts [events=5000]
import { performance } from 'node:perf_hooks';
import { EVENTS } from '../../src/vmm/kvmi';
import type { KvmiEvent } from '../../src/dap/kvmi/kvmiEvent';
import { PROGRAM_AT, rig } from '../unit/introspection/support/harness';
import { op } from '../unit/introspection/support/programs';

const events = Number(process.argv[2] ?? 5000);
const MiB = 1 << 20;

async function eventRoundTrip(): Promise<void> {
  const r = await rig([...op.int3(), ...op.jump(PROGRAM_AT)]);
  try {
    await r.conn.controlEvents(0, EVENTS.KVMI_VCPU_EVENT_BREAKPOINT.id, true);
    let seen = 0;
    let started = 0;
    const done = new Promise<void>((resolve) => {
      r.conn.on('event', (e: KvmiEvent) => {
        if (e.scope === 'vm') return;
        if (seen === 0) started = performance.now();
        seen++;
        e.reply('continue');
        if (seen === events + 1) resolve();
      });
    });
    await r.start();
    await done;
    const ms = performance.now() - started;
    console.log(`event round trip: ${events} BREAKPOINT events answered CONTINUE in ${ms.toFixed(0)} ms = `
      + `${((ms * 1000) / events).toFixed(1)} us/event, ${Math.round(events / (ms / 1000))} events/s`);
  } finally { await r.dispose(); }
}

async function readThroughput(): Promise<void> {
  const r = await rig(op.spin());
  try {
    await r.conn.readPhysicalRange(0n, 64 * 1024);                   // warm-up
    let t = performance.now();
    const data = await r.conn.readPhysicalRange(0n, MiB);
    let ms = performance.now() - t;
    if (data.length !== MiB) throw new Error(`read ${data.length} bytes`);
    console.log(`VM_READ_PHYSICAL, 1 MiB in 256 pipelined page reads: ${ms.toFixed(1)} ms = ${(1000 / ms).toFixed(1)} MiB/s`);
    t = performance.now();
    for (let at = 0; at < MiB; at += 4096) await r.conn.readPhysical(BigInt(at), 4096);
    ms = performance.now() - t;
    console.log(`VM_READ_PHYSICAL, 1 MiB in 256 sequential page reads: ${ms.toFixed(1)} ms = ${(1000 / ms).toFixed(1)} MiB/s, `
      + `${((ms * 1000) / 256).toFixed(0)} us/command`);
  } finally { await r.dispose(); }
}

async function main(): Promise<void> {
  await eventRoundTrip();
  await readThroughput();
}

void main();
