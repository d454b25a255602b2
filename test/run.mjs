// Runs every test file (test/**/*.test.ts) with Node's built-in test runner, TypeScript through
// the tsx loader, and ends with the plain summary line "N passed, N failed, N skipped".
// Usage: node test/run.mjs [substring-filter ...]
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
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

const tapFile = join('test', '.artifacts', `run-${process.pid}.tap`);
mkdirSync(join(root, 'test', '.artifacts'), { recursive: true });
// A test that hangs fails after TEST_TIMEOUT_MS instead of stalling the run, and a file whose tests
// are done exits even if something it started (a VMM, a socket) is still open.
const TEST_TIMEOUT_MS = 10 * 60_000;
const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-timeout=${TEST_TIMEOUT_MS}`, '--test-force-exit', '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=tap', `--test-reporter-destination=${tapFile}`, ...files], {
  cwd: root, stdio: ['ignore', 'inherit', 'inherit'],
});
child.on('exit', (code) => {
  const tap = readFileSync(join(root, tapFile), 'utf8');
  rmSync(join(root, tapFile), { force: true });
  const count = (key) => Number((tap.match(new RegExp(`^# ${key} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
  const passed = count('pass');
  const failed = count('fail') + count('cancelled');
  const skipped = count('skipped') + count('todo');
  console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(code === 0 && failed === 0 ? 0 : 1);
});
