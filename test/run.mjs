// Runs every test file (test/**/*.test.ts) with Node's built-in test runner, TypeScript through
// the tsx loader, and ends with the plain summary line "N passed, N failed, N skipped".
// Usage: node test/run.mjs [substring-filter ...]
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'out' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const files = findTests(join(root, 'test'))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

// A test that hangs fails after TEST_TIMEOUT_MS instead of stalling the run, and a file whose tests
// are done exits even if something it started (a VMM, a socket) is still open.
const TEST_TIMEOUT_MS = 2 * 60_000;
mkdirSync(join(root, 'test', '.artifacts'), { recursive: true });
const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-timeout=${TEST_TIMEOUT_MS}`, '--test-force-exit',
  '--test-reporter=spec', '--test-reporter-destination=stdout', ...files], {
  cwd: root, stdio: ['ignore', 'pipe', 'inherit'],
});
// The spec reporter's closing summary ("ℹ pass N" ...) is read from its output as it passes through:
// with --test-force-exit a reporter writing to a file may not be flushed before the runner exits.
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString('utf8')).slice(-4096);
});
child.on('close', (code) => {
  const count = (key) => {
    const m = tail.match(new RegExp(`^\\S* ?${key} (\\d+)$`, 'm'));
    return m ? Number(m[1]) : undefined;
  };
  const [pass, fail, cancelled, skipped, todo] = ['pass', 'fail', 'cancelled', 'skipped', 'todo'].map(count);
  if (pass === undefined || fail === undefined) {
    console.log('\nthe test runner ended without its summary: 0 passed, 1 failed, 0 skipped');
    process.exit(1);
  }
  const failed = fail + (cancelled ?? 0);
  console.log(`\n${pass} passed, ${failed} failed, ${(skipped ?? 0) + (todo ?? 0)} skipped`);
  process.exit(code === 0 && failed === 0 ? 0 : 1);
});
