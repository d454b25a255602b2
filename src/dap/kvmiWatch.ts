// The kvmi-watch command (bundled to dist/kvmi-watch.js): listens for a VMM, optionally starts one
// with --run, watches guest memory through KVMI page access and prints one JSON line per watched
// access (see kvmi/watchCommandLine.ts for the options and kvmi/watchSession.ts for the behaviour).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatKvmiAddress } from '../vmm/kvmi/transportAddress';
import { listen, type KvmiListener } from './kvmi/kvmiListener';
import { runWatchSession } from './kvmi/watchSession';
import { parseWatchCommandLine, WATCH_HELP, WatchUsageError, type WatchRequest } from './kvmi/watchCommandLine';

const USAGE_STATUS = 2;
const FAILURE_STATUS = 1;

function fail(message: string, status: number): never {
  process.stderr.write(`kvmi-watch: ${message}\n`);
  process.exit(status);
}

/** dist/vmm.js next to this bundle, or the built one when running from the sources. */
function vmmScript(): string {
  const beside = join(__dirname, 'vmm.js');
  return existsSync(beside) ? beside : join(__dirname, '..', '..', 'dist', 'vmm.js');
}

function startVmm(request: WatchRequest, address: string): { child: ChildProcess; exit: Promise<number> } {
  const run = request.run!;
  const args = [vmmScript(), 'run', run.guest, '--introspect', address, ...run.vmmArgs];
  if (request.keyText !== undefined && !run.vmmArgs.some((a) => a.startsWith('--introspect-key'))) args.push('--introspect-key', request.keyText);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(process.stderr, { end: false });
  child.stderr!.pipe(process.stderr, { end: false });
  const exit = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : FAILURE_STATUS))));
  return { child, exit };
}

async function watch(request: WatchRequest): Promise<number> {
  const tempDir = request.listen ? undefined : mkdtempSync(join(tmpdir(), 'kvmi-watch-'));
  const address = request.listen ?? { kind: 'unix' as const, path: join(tempDir!, 'kvmi.sock') };
  let listener: KvmiListener | undefined;
  try {
    listener = await listen(address, {
      key: request.key,
      onOpen: (conn) => { conn.pauseVcpu(0).catch((e: Error) => process.stderr.write(`kvmi-watch: PAUSE_VCPU failed: ${e.message}\n`)); },
      onRejectedPeer: (e) => process.stderr.write(`kvmi-watch: refused a connection: ${e.message}\n`),
    });
    const vmm = request.run ? startVmm(request, listener.text) : undefined;
    const accepted = listener.accept();
    const first = await (vmm ? Promise.race([accepted, vmm.exit.then((code) => { throw new Error(`the VMM exited with status ${code} before connecting`); })]) : accepted);
    await listener.close();
    await runWatchSession(first, request.watches, {
      report: (line) => process.stdout.write(`${JSON.stringify(line)}\n`),
      warn: (message) => process.stderr.write(`kvmi-watch: ${message}\n`),
    });
    return vmm ? await vmm.exit : 0;
  } finally {
    await listener?.close();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  let request;
  try {
    request = parseWatchCommandLine(process.argv.slice(2));
  } catch (e) {
    if (e instanceof WatchUsageError) fail(e.message, USAGE_STATUS);
    throw e;
  }
  if (request === 'help') { process.stdout.write(WATCH_HELP); return; }
  try {
    const status = await watch(request);
    process.stdout.write('', () => process.exit(status));
  } catch (e) {
    const where = request.listen ? ` (${formatKvmiAddress(request.listen)})` : '';
    fail(`${e instanceof Error ? e.message : String(e)}${where}`, FAILURE_STATUS);
  }
}

void main();
