// Starts the VMM for a `launch`: `node vmm.js run GUEST --engine E --mem M --cpus N --introspect
// unix:SOCK`, forwarding its stdout (the guest's serial port), giving it a stdin pipe (COM1 input)
// with `serial: "terminal"`, and reporting its exit code, which is the guest's exit code. The KVMI_VMM environment variable names another VMM program with the
// same command line (a development build, or a VMM wrapper).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LaunchSettings } from './launchConfig';

/** dist/vmm.js next to the bundled adapter, or the repository's dist/ when run from source. */
export function defaultVmmScript(): string {
  if (process.env.KVMI_VMM) return process.env.KVMI_VMM;
  const bundled = join(__dirname, 'vmm.js');
  return existsSync(bundled) ? bundled : join(__dirname, '..', '..', '..', 'dist', 'vmm.js');
}

export interface VmmHandlers {
  stdout(text: string): void;
  stderr(text: string): void;
  exit(code: number | null, signal: string | null): void;
}

export function startVmm(settings: LaunchSettings, introspect: string, handlers: VmmHandlers, script = defaultVmmScript()): ChildProcess {
  // A TypeScript VMM entry (development checkouts) runs through the tsx loader.
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const args = [...loader, script, 'run', settings.guest, '--engine', settings.engine, '--mem', String(settings.memory),
    '--cpus', String(settings.cpus), '--introspect', introspect];
  const child = spawn(process.execPath, args, { stdio: [settings.serial === 'terminal' ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  child.stdout!.setEncoding('utf8').on('data', handlers.stdout);
  child.stderr!.setEncoding('utf8').on('data', handlers.stderr);
  child.on('exit', handlers.exit);
  child.on('error', (error) => { handlers.stderr(`cannot start the VMM: ${error.message}\n`); handlers.exit(null, null); });
  return child;
}
