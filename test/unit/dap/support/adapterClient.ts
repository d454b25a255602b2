// Starts the bundled debug adapter (dist/debugAdapter.js) under DebugClient over stdio, the way
// VS Code runs it. While `kvmi-vmm run` has no --introspect option, the adapter is pointed at the
// introspected VMM runner of these tests through KVMI_VMM.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';

export const repoRoot = join(__dirname, '..', '..', '..', '..');
export const adapterPath = join(repoRoot, 'dist', 'debugAdapter.js');
const vmmPath = join(repoRoot, 'dist', 'vmm.js');

let cachedEnv: Record<string, string> | undefined;

/** Environment that gives the adapter a VMM able to connect to it. */
export function vmmEnvironment(): Record<string, string> {
  if (cachedEnv) return cachedEnv;
  let help = '';
  try { help = execFileSync(process.execPath, [vmmPath, '--help'], { encoding: 'utf8' }); } catch { /* no bundled VMM */ }
  cachedEnv = help.includes('--introspect') ? {} : { KVMI_VMM: join(__dirname, 'introspectedVmm.ts') };
  return cachedEnv;
}

/** Why the bundled adapter cannot be used, or undefined. */
export function adapterMissing(): string | undefined {
  return existsSync(adapterPath) ? undefined : 'dist/debugAdapter.js is not built (npm run build)';
}

export async function startAdapter(extraEnv: Record<string, string> = {}): Promise<DebugClient> {
  const client = new DebugClient('node', adapterPath, 'kvmi', { env: { ...process.env, ...vmmEnvironment(), ...extraEnv } });
  client.defaultTimeout = 30_000;
  await client.start();
  return client;
}
