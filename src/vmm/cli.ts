// The kvmi-vmm command line (bundled to dist/vmm.js): parses arguments, builds the machine with
// the chosen engine, connects COM1 to stdout/stdin, runs the guest and exits with its status.
// Failures print one 'kvmi-vmm: ...' line on stderr; see HELP_TEXT for every option and status.
import { readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { BootError } from './boot/bootError';
import { ElfError } from './boot/elf';
import { EngineError } from './engine/engine';
import { selectEngine } from './engine/selectEngine';
import { describeStop, exitStatusOf } from './engine/vmStop';
import { HELP_TEXT, parseCommandLine, RunRequest, UsageError } from './machine/commandLine';
import { createMachine } from './machine/machine';
import { shutdownWithUnhook } from './introspection/shutdownWithUnhook';
import { INTROSPECTION_OPTIONS_HELP, IntrospectionConnectError, IntrospectionOptionError, parseIntrospectionArgs, startIntrospection, type IntrospectionOptions } from './introspection';

const USAGE_STATUS = 2;

function fail(message: string, status = USAGE_STATUS): never {
  process.stderr.write(`kvmi-vmm: ${message}\n`);
  process.exit(status);
}

function readGuest(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    fail(`cannot read guest file '${path}': ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message}`);
  }
}

async function run(r: RunRequest, introspect: IntrospectionOptions | undefined): Promise<number> {
  const { engine, note } = selectEngine(r.engine);
  if (note) process.stderr.write(`kvmi-vmm: ${note}\n`);
  const guest = readGuest(r.guest);
  const machine = await createMachine({
    engine, guest, format: r.format, memoryMiB: r.memoryMiB, cpus: r.cpus, debugDevices: r.debugDevices,
    serialOutput: (bytes) => process.stdout.write(bytes),
  });
  const onInput = (chunk: Buffer) => machine.vm.serialInput(new Uint8Array(chunk));
  process.stdin.on('data', onInput);
  process.stdin.on('error', () => {});
  const started = process.hrtime.bigint();
  const introspection = introspect && await startIntrospection(machine.vm, introspect);
  // With a tool attached, SIGTERM/SIGINT pre-unhook it before the VM stops; a second signal quits at once.
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(128 + osConstants.signals[signal]);
    signalled = signal;
    process.stderr.write(`kvmi-vmm: ${signal}: unhooking the introspection tool, then stopping the VM\n`);
    if (introspection) {
      shutdownWithUnhook(introspection, machine.vm).catch((e: unknown) => {
        process.stderr.write(`kvmi-vmm: unhook on ${signal} failed (${e instanceof Error ? e.message : String(e)}); stopping the VM\n`);
        return machine.vm.stop();
      });
    }
  };
  const signals: NodeJS.Signals[] = introspection ? ['SIGTERM', 'SIGINT'] : [];
  for (const signal of signals) process.on(signal, onSignal);
  await (introspection ? introspection.startGuest(machine) : machine.start());
  const reason = await machine.vm.finished;
  for (const signal of signals) process.off(signal, onSignal);
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdin.off('data', onInput);
  process.stdin.destroy();
  if (reason.kind !== 'exitPort' && reason.kind !== 'stopped') process.stderr.write(`kvmi-vmm: ${describeStop(reason)}\n`);
  if (r.stats) {
    const s = machine.vm.stats();
    const stats = { engine: s.engine, instructions: s.instructions, wallSeconds: Number(wallSeconds.toFixed(3)),
      mips: Number((s.instructions / wallSeconds / 1e6).toFixed(2)), exits: s.exits, events: s.events };
    process.stderr.write(`stats ${JSON.stringify(stats)}\n`);
  }
  // Ended by a signal: the conventional 128 + signal number, as if the signal had killed the process.
  if (signalled && reason.kind === 'stopped') return 128 + osConstants.signals[signalled];
  return exitStatusOf(reason);
}

async function main(): Promise<void> {
  let request;
  let introspect: IntrospectionOptions | undefined;
  try {
    const split = parseIntrospectionArgs(process.argv.slice(2));
    introspect = split.options;
    request = parseCommandLine(split.rest);
  } catch (e) {
    if (e instanceof UsageError || e instanceof IntrospectionOptionError) fail(e.message);
    throw e;
  }
  if (request.command === 'help') { process.stdout.write(`${HELP_TEXT}\nIntrospection options:\n${INTROSPECTION_OPTIONS_HELP}\n`); return; }
  try {
    const status = await run(request, introspect);
    process.stdout.write('', () => process.exit(status));
  } catch (e) {
    if (e instanceof ElfError || e instanceof BootError) fail(`${request.guest}: ${e.message}`);
    if (e instanceof EngineError || e instanceof IntrospectionConnectError) fail(e.message);
    fail(`internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`, 70);
  }
}

void main();
