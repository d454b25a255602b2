// Debug adapter latency, measured at the DAP client (the bundled adapter, a real VMM, the test
// guests): launch request -> stop at the guest's first instruction; guest access -> `stopped`
// (continue from one watchpoint stop to the next write of pf-write's pattern loop, one iteration
// apart); and stackTrace + scopes + variables(Registers) at a fresh stop. Prints median and p90.
// Usage: npm run build && node --import tsx test/bench/dapLatency.ts [rounds=5] [engine=emulator|kvm|auto]
import { performance } from 'node:perf_hooks';
import { ensureGuestsBuilt } from '../support/guests';
import { adapterMissing, startAdapter } from '../unit/dap/support/adapterClient';
import { evaluate, launchGuest, untilStop } from '../unit/dap/support/dapSteps';

const rounds = Number(process.argv[2] ?? 5);
const engine = (process.argv[3] ?? 'emulator') as 'emulator' | 'kvm' | 'auto';

function summary(name: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `${name.padEnd(44)} n=${String(sorted.length).padStart(3)}  median ${at(0.5).toFixed(2).padStart(8)} ms  p90 ${at(0.9).toFixed(2).padStart(8)} ms`;
}

async function oneRound(launch: number[], access: number[], inspect: number[]): Promise<void> {
  const client = await startAdapter();
  try {
    const t0 = performance.now();
    const entry = await (await launchGuest(client, { guest: 'pf-write', stopOnEntry: true, engine })).firstStop;
    launch.push(performance.now() - t0);
    const page = BigInt((await evaluate(client, '&test_page')).result);
    const info = await client.dataBreakpointInfoRequest({ name: `0x${page.toString(16)}`, asAddress: true, bytes: 16 });
    await client.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    let threadId = entry.body.threadId!;
    for (let i = 0; i < 16; i++) {
      const t1 = performance.now();
      const stop = await untilStop(client, () => client.continueRequest({ threadId }));
      // The first stop includes the guest's run from entry to the loop; only loop iterations count.
      if (i > 0) access.push(performance.now() - t1);
      threadId = stop.body.threadId!;
      const t2 = performance.now();
      const frames = (await client.stackTraceRequest({ threadId })).body.stackFrames;
      const scopes = (await client.scopesRequest({ frameId: frames[0].id })).body.scopes;
      await client.variablesRequest({ variablesReference: scopes.find((s) => s.name === 'Registers')!.variablesReference });
      inspect.push(performance.now() - t2);
    }
  } finally {
    await client.stop().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const missing = adapterMissing();
  if (missing) { console.log(`dapLatency: skipped: ${missing}`); return; }
  ensureGuestsBuilt();
  const launch: number[] = [], access: number[] = [], inspect: number[] = [];
  for (let r = 0; r < rounds; r++) await oneRound(launch, access, inspect);
  console.log(`debug adapter latency (${engine} engine, pf-write guest)`);
  console.log(summary('launch request -> first guest instruction', launch));
  console.log(summary('guest write -> stopped at the client', access));
  console.log(summary('stackTrace + scopes + variables at a stop', inspect));
}

void main();
