// How a vCPU thread is started, for both engines. From TypeScript sources (tests under tsx): a
// small script that registers tsx's require hook in the new thread and loads the .ts entry. From
// the bundle: the entry script next to this bundle (dist/NAME.js), compiled through V8's code
// cache. A fresh thread otherwise compiles every function of the x86 core the first time the guest
// reaches it, which was about a third of a short guest's run here (the 30-45 ms between start and
// end of a 2,000-round ring-3 guest). After a thread's VM has ended, the thread writes the code of
// everything it compiled to the cache (once; again when V8 rejects the file, e.g. after an update),
// and later threads start from it. The cache lives in $XDG_CACHE_HOME/kvmi-debug (~/.cache/...),
// keyed by the Node version and the script's size and modification time (writing one deletes those
// of earlier builds); a cache that cannot be read or written only costs that speed.
// A thread ends with threadReleased(): the cache is saved, then the VMM core is told that the thread
// holds nothing of the VM any more, so the VM is finished without waiting for the thread's exit (the
// teardown of its heap took 3-7 ms here, a fifth of a short guest's run).
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import type { VcpuMessage } from './messages';

/** The global through which a thread started from the bundle saves its code cache (set by cachedLoader). */
export const SAVE_CODE_CACHE = 'kvmiSaveCodeCache';

export interface WorkerEntry { script: string; eval: boolean }

/** The directory of the code caches. */
export function codeCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kvmi-debug');
}

/** The entry of vCPU thread `name` (its file name without extension), found in `dir` (this bundle's or source directory). */
export function vcpuWorkerEntry(dir: string, name: string, fromTypeScript: boolean): WorkerEntry {
  if (fromTypeScript) {
    const tsxRequireHook = 'tsx/cjs';   // a variable, so bundlers leave this development-only lookup alone
    const tsx = require.resolve(tsxRequireHook);
    return { script: `require(${JSON.stringify(tsx)}); require(${JSON.stringify(join(dir, `${name}.ts`))});`, eval: true };
  }
  const file = join(dir, `${name}.js`);
  let cacheFile: string | null = null;
  try {
    const s = statSync(file);
    cacheFile = join(codeCacheDir(), `${name}-node${process.version}-${process.arch}-${s.size}-${Math.floor(s.mtimeMs)}.v8cache`);
  } catch {
    // no script to key a cache on: Node reports the missing file when the thread starts
  }
  return { script: cachedLoader(file, cacheFile, `${name}-`), eval: true };
}

/**
 * A vCPU thread's last act, once it has closed and unmapped what it had of the VM: saves the code
 * cache (if the thread was started from the bundle and the cache was missing or rejected), then
 * sends 'released', after which the VMM core counts the thread as gone.
 */
export function threadReleased(port: MessagePort): void {
  (globalThis as { [SAVE_CODE_CACHE]?: () => void })[SAVE_CODE_CACHE]?.();
  const released: VcpuMessage = { type: 'released' };
  port.postMessage(released);
}

/** The thread's script: compile `file` with the cache, then run it as a CommonJS module; the module saves the cache at its end (threadReleased). */
function cachedLoader(file: string, cacheFile: string | null, cachePrefix: string): string {
  return `'use strict';
const { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } = require('node:fs');
const { createRequire, wrap } = require('node:module');
const { basename, dirname, join } = require('node:path');
const { Script } = require('node:vm');
const { threadId } = require('node:worker_threads');
const file = ${JSON.stringify(file)};
const cacheFile = ${JSON.stringify(cacheFile)};
let cachedData;
if (cacheFile) { try { cachedData = readFileSync(cacheFile); } catch { cachedData = undefined; } }
const script = new Script(wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
globalThis.${SAVE_CODE_CACHE} = () => {
  if (!cacheFile || (cachedData !== undefined && !script.cachedDataRejected)) return;
  try {
    mkdirSync(dirname(cacheFile), { recursive: true });
    const partial = cacheFile + '.' + process.pid + '.' + threadId;
    writeFileSync(partial, script.createCachedData());
    renameSync(partial, cacheFile);
    // Caches of earlier builds of this script are never read again.
    for (const name of readdirSync(dirname(cacheFile))) {
      if (name.startsWith(${JSON.stringify(cachePrefix)}) && name !== basename(cacheFile)) unlinkSync(join(dirname(cacheFile), name));
    }
  } catch { /* an unwritable cache only costs start-up speed */ }
};
const module = { exports: {}, filename: file, id: file, loaded: false };
script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
`;
}
