// End to end through the shipped programs: dist/vmm.js run GUEST --introspect ADDR as a child
// process against the client library (the seed PF scenario on pf-write), and dist/kvmi-watch.js
// --run starting that VMM itself and printing one JSON line per watched store. npm test builds dist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EVENTS, KVMI_PAGE_ACCESS } from '../../../src/vmm/kvmi';
import type { KvmiVcpuEvent } from '../../../src/dap/kvmi/kvmiEvent';
import { listen } from '../../../src/dap/kvmi/kvmiListener';
import { guestDescription, guestPath } from '../../support/guests';
import { guestSymbol, guestsUnavailable } from './support/guestRig';
import { socketDir } from './support/harness';

const dist = join(__dirname, '..', '..', '..', 'dist');
const vmmJs = join(dist, 'vmm.js');
const watchJs = join(dist, 'kvmi-watch.js');

/** Why the shipped programs cannot be driven here, or undefined. */
function distUnavailable(): string | undefined {
  if (!existsSync(vmmJs) || !existsSync(watchJs)) return 'dist/vmm.js or dist/kvmi-watch.js is not built (npm run build)';
  const help = spawnSync(process.execPath, [vmmJs, '--help'], { encoding: 'utf8' });
  if (!`${help.stdout}${help.stderr}`.includes('--introspect')) return 'dist/vmm.js does not accept --introspect yet';
  return guestsUnavailable();
}

function run(args: string[]): { exit: Promise<number>; stdout: () => string; stderr: () => string } {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  return { exit: new Promise((resolve) => child.on('exit', (code) => resolve(code ?? -1))), stdout: () => out, stderr: () => err };
}

test('dist/vmm.js run pf-write --introspect: the seed PF scenario through a child-process VMM', async (t) => {
  const why = distUnavailable();
  if (why) { t.skip(why); return; }
  const page = guestSymbol('pf-write', 'test_page');
  const dir = socketDir();
  // The opening commands leave with the handshake answer, so they take effect before the guest starts.
  const opening: Promise<unknown>[] = [];
  const listener = await listen(`unix:${dir.path('e2e.sock')}`, {
    onOpen: (c) => opening.push(
      c.setPageAccess([{ gpa: page, access: KVMI_PAGE_ACCESS.R }]),
      c.controlEvents(0, EVENTS.KVMI_VCPU_EVENT_PF.id, true),
      c.pauseVcpu(0)),
  });
  try {
    const vmm = run([vmmJs, 'run', guestPath('pf-write'), '--engine', 'emulator', '--introspect', listener.text]);
    const conn = await listener.accept(20_000);
    await Promise.all(opening);
    const first = await conn.nextEvent(20_000);
    assert.equal(first?.name, 'KVMI_VCPU_EVENT_PAUSE', 'the guest waits for the tool');
    (first as KvmiVcpuEvent).reply('continue');
    const pf = await conn.nextEvent(20_000) as Extract<KvmiVcpuEvent, { name: 'KVMI_VCPU_EVENT_PF' }>;
    assert.equal(pf.name, 'KVMI_VCPU_EVENT_PF');
    assert.deepEqual([pf.payload.gpa, pf.payload.gva, pf.payload.access], [page, page, KVMI_PAGE_ACCESS.W]);
    await conn.setPageAccess([{ gpa: page, access: KVMI_PAGE_ACCESS.R | KVMI_PAGE_ACCESS.W }]);
    pf.reply('retry');
    assert.equal(await vmm.exit, 0, vmm.stderr());
    assert.equal(vmm.stdout(), guestDescription('pf-write').expectedStdout);
    await conn.closed;
  } finally { await listener.close(); dir.remove(); }
});

test('dist/kvmi-watch.js --run pf-write: one JSON line per watched store, exit status of the guest', async (t) => {
  const why = distUnavailable();
  if (why) { t.skip(why); return; }
  const page = guestSymbol('pf-write', 'test_page');
  const watch = run([watchJs, '--watch', `w:0x${page.toString(16)}+16`, '--run', guestPath('pf-write'), '--engine', 'emulator']);
  assert.equal(await watch.exit, 0, watch.stderr());
  const lines = watch.stdout().trim().split('\n').map((l) => JSON.parse(l) as { gpa: string; access: string; insn: string | null });
  assert.equal(lines.length, 16);
  assert.deepEqual(lines.map((l) => BigInt(l.gpa)), Array.from({ length: 16 }, (_, i) => page + BigInt(i)));
  assert.ok(lines.every((l) => l.access === 'w' && /^mov /.test(l.insn ?? '')));
  assert.ok(watch.stderr().includes(guestDescription('pf-write').expectedStdout), 'the guest output goes to stderr');
});
