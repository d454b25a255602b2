// Fixtures for the language-server tests: a temporary workspace folder whose .vscode/launch.json
// (with comments, as VS Code writes it) names a built test guest through ${workspaceFolder}, and
// `nm` as the oracle for symbol addresses.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureGuestsBuilt, guestPath, guestsOutDir, guestToolchainMissing } from '../../support/guests';

/** Why the guest-based tests cannot run here (no gcc or no nm), or undefined. */
export function guestTestsMissing(): string | undefined {
  const missing = guestToolchainMissing();
  if (missing) return missing;
  return spawnSync('nm', ['--version'], { stdio: 'ignore' }).status === 0 ? undefined : 'nm (binutils) is not installed';
}

export interface GuestWorkspace {
  folder: string;
  elf: string;
  remove(): void;
}

/** A workspace whose launch.json debugs `guest` from test/guests/out (symlinked as ./out). */
export function guestWorkspace(guest: string): GuestWorkspace {
  ensureGuestsBuilt();
  const folder = mkdtempSync(join(tmpdir(), 'kvmi-lsp-'));
  symlinkSync(guestsOutDir, join(folder, 'out'));
  mkdirSync(join(folder, '.vscode'));
  writeFileSync(join(folder, '.vscode', 'launch.json'), `{
  // guests of this workspace
  "version": "0.2.0",
  "configurations": [
    { "type": "kvmi", "request": "launch", "name": "${guest}", "guest": "\${workspaceFolder}/out/${guest}.elf", }, /* trailing comma */
  ],
}
`);
  return { folder, elf: guestPath(guest), remove: () => rmSync(folder, { recursive: true, force: true }) };
}

/** Address of a symbol according to `nm`. */
export function nmAddress(elf: string, symbol: string): bigint {
  const out = execFileSync('nm', [elf], { encoding: 'utf8' });
  const line = out.split('\n').find((l) => l.split(' ')[2] === symbol);
  if (!line) throw new Error(`nm: no symbol ${symbol} in ${elf}`);
  return BigInt(`0x${line.split(' ')[0]}`);
}

/** Source line (1-based) of an address according to `addr2line` (binutils, like nm). */
export function addr2lineLine(elf: string, address: bigint): { file: string; line: number } {
  const out = execFileSync('addr2line', ['-e', elf, `0x${address.toString(16)}`], { encoding: 'utf8' }).trim();
  const colon = out.lastIndexOf(':');
  return { file: out.slice(0, colon), line: Number.parseInt(out.slice(colon + 1), 10) };
}
