// Long differential run of the x86 core against the host CPU (see test/unit/x86/nativeDiff.ts).
// Usage: node --import tsx test/bench/fuzzIsa.ts [cases=20000] [seed=1] [mode=8|4]
// Prints each disagreement (instruction bytes and the first differing register, flag or byte).

import { buildRunner, fuzz } from '../unit/x86/nativeDiff';

const total = Number(process.argv[2] ?? 20000);
const seed = Number(process.argv[3] ?? 1);
const mode = Number(process.argv[4] ?? 8) === 4 ? 4 : 8;
const reason = buildRunner();
if (reason) {
  console.log(`skipped: ${reason}`);
  process.exit(0);
}
const batch = 2000;
let failures = 0, faults = 0, done = 0;
for (let s = seed; done < total; s++) {
  const n = Math.min(batch, total - done);
  const r = fuzz(s * 7919, n, mode);
  for (const f of r.failures) console.log(f);
  failures += r.failures.length;
  faults += r.faults;
  done += n;
}
console.log(`${done} cases, ${failures} disagreements, ${faults} faulting natively`);
process.exit(failures ? 1 : 0);
