// Guest MIPS of the software x86 core on a tight 64-bit integer loop and on the bench-small test
// guest (compiled C). The workloads
// (cpuMipsWorkload.ts) is bundled with esbuild first, as the shipped VMM is, so module boundaries
// cost what they cost in production. Reports wall-clock MIPS and MIPS per CPU second (the latter
// is stable on a shared, loaded machine), with compiled blocks and with the interpreter alone.
// Usage: node --import tsx test/bench/cpuMips.ts [million-instructions=30]

import { buildSync } from 'esbuild';
import { ensureGuestsBuilt, guestPath, guestToolchainMissing } from '../support/guests';
import { join } from 'node:path';

const millions = Number(process.argv[2] ?? 30);
const out = join(__dirname, '..', '.artifacts', 'cpuMipsWorkload.js');
buildSync({ entryPoints: [join(__dirname, 'cpuMipsWorkload.ts')], bundle: true, platform: 'node', format: 'cjs',
  target: 'node20', outfile: out, logLevel: 'warning' });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { measure, measureGuest } = require(out) as typeof import('./cpuMipsWorkload');
const missing = guestToolchainMissing();
if (!missing) ensureGuestsBuilt();
for (const blocks of [true, false]) {
  const label = blocks ? 'compiled blocks' : 'interpreter only';
  const r = measure(millions * 1e6, blocks);
  console.log(`integer loop, ${label}: ` + `${r.exit}: ${r.instructions} instructions in ${r.seconds.toFixed(2)} s wall = ${(r.instructions / r.seconds / 1e6).toFixed(1)} MIPS; `
    + `${r.cpuSeconds.toFixed(2)} s CPU time = ${(r.instructions / r.cpuSeconds / 1e6).toFixed(1)} MIPS per busy core`);
  if (missing) { console.log(`guest bench-small: skipped (${missing})`); continue; }
  const g = measureGuest(guestPath('bench-small'), blocks);
  console.log(`guest bench-small, ${label}: ${g.instructions} instructions in ${g.seconds.toFixed(2)} s wall = `
    + `${(g.instructions / g.seconds / 1e6).toFixed(1)} MIPS; ${(g.instructions / g.cpuSeconds / 1e6).toFixed(1)} MIPS per busy core; `
    + `output ${JSON.stringify(g.stdout.trim())}`);
}
