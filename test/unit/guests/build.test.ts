// Tests of test/guests/build.sh and the manifest helpers in test/support/guests.ts: every guest
// builds, rebuilds are incremental, errors name their cause, and the manifest's recorded facts
// (bench checksums, the heap-overflow line) agree with independent evidence.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GuestError, ensureGuestsBuilt, guestDescription, guestManifest, guestPath, guestToolchainMissing, guestsDir, parseManifest,
} from '../../support/guests';

const toolchainMissing = guestToolchainMissing();
const buildScript = join(guestsDir, 'build.sh');

before(() => {
  if (!toolchainMissing) ensureGuestsBuilt();
});

test('build.sh builds every guest of the manifest into test/guests/out', (t) => {
  if (toolchainMissing) return t.skip(toolchainMissing);
  const missing = guestManifest().map((g) => guestPath(g.name)).filter((path) => !existsSync(path));
  assert.deepEqual(missing, []);
});

test('a second build.sh run relinks nothing', (t) => {
  if (toolchainMissing) return t.skip(toolchainMissing);
  const output = execFileSync('bash', [buildScript], { encoding: 'utf8' });
  assert.match(output, new RegExp(`guests: 0 linked, ${guestManifest().length} up to date`));
});

test('build.sh says which compiler is missing', () => {
  const run = spawnSync('bash', [buildScript], { encoding: 'utf8', env: { ...process.env, CC: 'no-such-cc' } });
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /C compiler 'no-such-cc' not found; install gcc/);
});

test('build.sh rejects a guest name that is not in the manifest', (t) => {
  if (toolchainMissing) return t.skip(toolchainMissing);
  const run = spawnSync('bash', [buildScript, 'no-such-guest'], { encoding: 'utf8' });
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /unknown guest name in: no-such-guest/);
});

test('guestPath names the known guests when asked for an unknown one', () => {
  assert.throws(() => guestPath('no-such-guest'),
    (error: unknown) => error instanceof GuestError && error.kind === 'unknownGuest' && /known: hello/.test(error.message));
});

test('the manifest rejects an exit code that QEMU cannot report', () => {
  const text = JSON.stringify({ guests: [{ name: 'x', sources: ['x.c'], expectedStdout: '', expectedExitCode: 200 }] });
  assert.throws(() => parseManifest(text), (error: unknown) => error instanceof GuestError && error.kind === 'badManifest'
    && /expectedExitCode/.test(error.message));
});

test('the manifest rejects a watch entry with an unknown access kind', () => {
  const text = JSON.stringify({ guests: [{ name: 'x', sources: ['x.c'], expectedStdout: '', expectedExitCode: 0,
    watch: [{ symbol: 'test_page', size: 4096, access: 'rw' }] }] });
  assert.throws(() => parseManifest(text), (error: unknown) => error instanceof GuestError && error.kind === 'badManifest'
    && /"access" of "r", "w" or "x"/.test(error.message));
});

test('the bench checksums in the manifest equal those of a native build of the workload', (t) => {
  if (toolchainMissing) return t.skip(toolchainMissing);
  const benches = guestManifest().filter((g) => g.sources.includes('bench/bench_workload.c'));
  assert.ok(benches.length >= 2, 'bench guests are listed');
  const dir = mkdtempSync(join(tmpdir(), 'bench-host-'));
  try {
    const program = join(dir, 'host_check');
    const bench = join(guestsDir, 'bench');
    execFileSync(process.env.CC ?? 'gcc', ['-O2', `-I${bench}`, join(bench, 'host_check.c'), join(bench, 'bench_workload.c'), '-o', program]);
    for (const guest of benches) {
      const iterations = guest.defines?.ITERATIONS;
      assert.ok(iterations, `${guest.name} sets ITERATIONS`);
      const native = execFileSync(program, [iterations], { encoding: 'utf8' }).replace(/^bench: /, '');
      assert.equal(guest.expectedStdout, `${guest.name.replace(/-(small|medium)$/, '')}: ${native}`, guest.name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the heap-overflow manifest points at the overflowing statement', () => {
  const site = guestDescription('heap-overflow').overflow;
  assert.ok(site);
  const lines = readFileSync(join(guestsDir, site.file), 'utf8').split('\n');
  assert.match(lines[site.line - 1], /destination\[i\] = source\[i\]; \/\* OVERFLOW/);
  const enclosing = lines.slice(0, site.line).reverse().find((line) => /^static .*\(/.test(line));
  assert.match(enclosing ?? '', new RegExp(`\\b${site.function}\\(`));
});

test('the heap-overflow arm line comes after the guard is initialised and before the copy', () => {
  const site = guestDescription('heap-overflow').overflow;
  assert.ok(site);
  const lines = readFileSync(join(guestsDir, site.file), 'utf8').split('\n');
  const lastGuardWrite = lines.reduce((last, line, index) => (/^\s*guard->\w+ = /.test(line) ? index + 1 : last), 0);
  const copyCall = lines.findIndex((line) => /^\s*copy_message\(/.test(line)) + 1;
  assert.ok(lastGuardWrite > 0 && copyCall > 0, 'guard initialisation and copy call found');
  assert.ok(site.armLine > lastGuardWrite && site.armLine < copyCall, `arm line ${site.armLine} lies between ${lastGuardWrite} and ${copyCall}`);
  assert.match(lines[site.armLine - 1], /\S/, 'the arm line holds a statement');
});
