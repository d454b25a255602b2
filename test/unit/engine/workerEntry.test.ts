// Starting a bundled vCPU thread through V8's code cache (src/vmm/engine/workerEntry.ts): the first
// thread writes the cache at its end (threadReleased), later threads start from it without
// rewriting it, a damaged cache is replaced, a rebuilt script's cache replaces the old build's, and
// a cache directory that cannot be written only costs speed:
// the thread still runs, with its workerData, require() relative to its script, and __dirname.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SAVE_CODE_CACHE, vcpuWorkerEntry } from '../../../src/vmm/engine/workerEntry';

const SCRIPT = `
const { parentPort, workerData } = require('node:worker_threads');
const helper = require('./helper.js');
function work(n) { let s = 0; for (let i = 0; i < n; i++) s += helper.twice(i); return s; }
parentPort.postMessage({ sum: work(workerData.n), dir: __dirname });
globalThis[${JSON.stringify(SAVE_CODE_CACHE)}](); // what threadReleased() does at the end of a vCPU thread
`;

function bundleDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'worker-entry-'));
  writeFileSync(join(dir, 'fakeWorker.js'), SCRIPT);
  writeFileSync(join(dir, 'helper.js'), 'exports.twice = (x) => 2 * x;\n');
  return dir;
}

async function runThread(dir: string, cacheHome: string): Promise<{ sum: number; dir: string }> {
  const saved = process.env.XDG_CACHE_HOME;
  process.env.XDG_CACHE_HOME = cacheHome;
  try {
    const entry = vcpuWorkerEntry(dir, 'fakeWorker', false);
    const worker = new Worker(entry.script, { eval: entry.eval, workerData: { n: 1000 } });
    const message = new Promise<{ sum: number; dir: string }>((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    const result = await message;
    assert.equal(await exited, 0);
    return result;
  } finally {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME; else process.env.XDG_CACHE_HOME = saved;
  }
}

const cacheFiles = (home: string) => readdirSync(join(home, 'kvmi-debug')).filter((f) => f.endsWith('.v8cache'));

/** Runs `body` with a fresh bundle directory and cache home, removed afterwards. */
async function withBundleAndCache(body: (dir: string, home: string) => Promise<void>): Promise<void> {
  const dir = bundleDir();
  const home = mkdtempSync(join(tmpdir(), 'cache-home-'));
  try {
    await body(dir, home);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
}

test('the first thread writes the code cache; the next starts from it and leaves it alone', () => withBundleAndCache(async (dir, home) => {
  assert.deepEqual(await runThread(dir, home), { sum: 999000, dir });
  const [file] = cacheFiles(home);
  assert.match(file, /^fakeWorker-node/);
  const path = join(home, 'kvmi-debug', file);
  const written = statSync(path).mtimeMs;
  assert.ok(statSync(path).size > 0);
  assert.deepEqual(await runThread(dir, home), { sum: 999000, dir });
  assert.equal(statSync(path).mtimeMs, written, 'an accepted cache is not rewritten');
  assert.equal(cacheFiles(home).length, 1);
}));

test('a damaged cache is ignored and replaced', () => withBundleAndCache(async (dir, home) => {
  await runThread(dir, home);
  const path = join(home, 'kvmi-debug', cacheFiles(home)[0]);
  writeFileSync(path, Buffer.from('not a V8 code cache'));
  assert.deepEqual(await runThread(dir, home), { sum: 999000, dir });
  assert.notEqual(readFileSync(path).toString('latin1'), 'not a V8 code cache');
}));

test('a cache directory that cannot be created leaves the thread running as before', () => withBundleAndCache(async (dir, home) => {
  writeFileSync(join(home, 'kvmi-debug'), 'a file where the directory should be');
  assert.deepEqual(await runThread(dir, home), { sum: 999000, dir });
}));

test('a rebuilt script gets a new cache, and the cache of the old build is deleted', () => withBundleAndCache(async (dir, home) => {
  await runThread(dir, home);
  const [old] = cacheFiles(home);
  utimesSync(join(dir, 'fakeWorker.js'), new Date(), new Date(Date.now() + 5000));
  assert.deepEqual(await runThread(dir, home), { sum: 999000, dir });
  const now = cacheFiles(home);
  assert.equal(now.length, 1, now.join(', '));
  assert.notEqual(now[0], old);
}));
