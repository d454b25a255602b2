// Headless demo (npm run demo): drives the bundled debug adapter over DAP, as VS Code would,
// against the heap-overflow guest. It stops where the guard object is ready, sets a write
// watchpoint on the object the `guard` pointer names, and prints a transcript of the stop the
// overflow causes: reason, access, gva/gpa, the source line that wrote, registers, the bytes
// around the address; then it lets the guest run to its exit.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ensureGuestsBuilt, guestDescription, guestsDir } from '../support/guests';
import { adapterMissing, startAdapter } from '../unit/dap/support/adapterClient';
import { launchGuest, readBytes, scopeVariables, topFrame, untilStop, watchOutput } from '../unit/dap/support/dapSteps';

const say = (text = '') => process.stdout.write(`${text}\n`);
const heading = (text: string) => say(`\n== ${text}`);

function hexDump(base: bigint, bytes: Buffer, mark: { from: bigint; to: bigint }): string[] {
  const lines: string[] = [];
  for (let off = 0; off < bytes.length; off += 16) {
    const row = [...bytes.subarray(off, off + 16)].map((b, i) => {
      const at = base + BigInt(off + i);
      const hex = b.toString(16).padStart(2, '0');
      return at >= mark.from && at < mark.to ? `[${hex}]` : ` ${hex} `;
    });
    const text = [...bytes.subarray(off, off + 16)].map((b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : '.')).join('');
    lines.push(`  0x${(base + BigInt(off)).toString(16)}: ${row.join('')}  ${text}`);
  }
  return lines;
}

async function main(): Promise<number> {
  const missing = adapterMissing();
  if (missing) { say(`demo: ${missing}`); return 1; }
  ensureGuestsBuilt();
  const guest = guestDescription('heap-overflow');
  const site = guest.overflow!;
  const sourcePath = join(guestsDir, site.file);
  const sourceLines = readFileSync(sourcePath, 'utf8').split('\n');

  const client = await startAdapter();
  const out = watchOutput(client);
  try {
    heading(`launch heap-overflow (engine auto), breakpoint at ${site.file}:${site.armLine}`);
    const { firstStop } = await launchGuest(client, { guest: 'heap-overflow', engine: 'auto' }, async () => {
      const r = await client.setBreakpointsRequest({ source: { path: sourcePath }, breakpoints: [{ line: site.armLine }] });
      say(`breakpoint: verified=${r.body.breakpoints[0].verified} line=${r.body.breakpoints[0].line}`);
    });
    const armed = await firstStop;
    const armFrame = await topFrame(client, armed.body.threadId!);
    say(`stopped: ${armed.body.reason} in ${armFrame.name} at ${armFrame.source?.name}:${armFrame.line} (code of line ${site.armLine}, inlined)`);

    heading('write watchpoint on *guard (the guard object, by symbol)');
    const info = await client.dataBreakpointInfoRequest({ name: '*guard', frameId: armFrame.id });
    say(`dataBreakpointInfo: ${info.body.description}`);
    const set = await client.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    say(`watchpoint #${set.body.breakpoints[0].id}: ${set.body.breakpoints[0].message}`);
    await client.setBreakpointsRequest({ source: { path: sourcePath }, breakpoints: [] });

    const hit = await untilStop(client, () => client.continueRequest({ threadId: armed.body.threadId! }));
    heading('stop');
    say(`reason:      ${hit.body.reason} (watchpoints ${hit.body.hitBreakpointIds?.join(', ')})`);
    say(`description: ${hit.body.description}`);
    const frame = await topFrame(client, hit.body.threadId!);
    const event = await scopeVariables(client, frame.id, 'Event');
    for (const name of ['access', 'gva', 'gpa', 'width', 'page restriction', 'instruction']) say(`${name.padEnd(12)} ${event.get(name)?.value ?? '-'}`);

    heading('source line that wrote');
    say(`${frame.name} at ${frame.source?.name}:${frame.line}`);
    say(`  ${frame.line} | ${sourceLines[(frame.line ?? 1) - 1]?.trim()}`);
    const stack = (await client.stackTraceRequest({ threadId: hit.body.threadId! })).body.stackFrames;
    for (const f of stack) say(`  #${stack.indexOf(f)} ${f.instructionPointerReference} ${f.name}${f.source ? ` (${f.source.name}:${f.line})` : ''}`);

    heading('registers');
    const regs = await scopeVariables(client, frame.id, 'Registers');
    const names = [...regs.keys()];
    for (let i = 0; i < names.length; i += 3) say(names.slice(i, i + 3).map((n) => `${n.padStart(6)} ${regs.get(n)!.value.padEnd(22)}`).join(''));

    heading('bytes around the access');
    const gva = BigInt(event.get('gva')!.value);
    const width = Number.parseInt(event.get('width')!.value, 10);
    const base = (gva & ~0xfn) - 16n;
    for (const line of hexDump(base, await readBytes(client, `0x${base.toString(16)}`, 48), { from: gva, to: gva + BigInt(width) })) say(line);

    const stats = await client.customRequest('kvmi/statistics') as DebugProtocol.Response;
    const filtered = stats.body.filteredByAccess;
    say(`\naccesses to watched pages outside every watched range, continued without a stop: ${filtered.write} writes, ${filtered.read} reads, ${filtered.execute} instruction fetches (breakpoint page)`);

    heading('continue to the guest exit');
    await client.setDataBreakpointsRequest({ breakpoints: [] });
    await client.continueRequest({ threadId: hit.body.threadId! });
    const code = await out.exitCode;
    say('guest serial output:');
    for (const line of out.stdout().trimEnd().split('\n')) say(`  | ${line}`);
    say(`guest exit code: ${code} (expected ${guest.expectedExitCode})`);
    return code === guest.expectedExitCode && frame.line === site.line ? 0 : 1;
  } finally {
    await client.stop().catch(() => undefined);
  }
}

main().then((status) => process.exit(status), (error: Error) => { say(`demo failed: ${error.message}`); process.exit(1); });
