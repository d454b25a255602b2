// SIGTERM/SIGINT to an introspected kvmi-vmm (src/vmm/cli.ts run from source as a child process):
// the tool gets the UNHOOK VM event while the VMM still runs, and the VMM exits with 128 + signal
// once the tool closes, or on its own after the bounded wait when the tool stays connected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { EVENTS } from '../../../src/vmm/kvmi';
import type { KvmiConnection } from '../../../src/dap/kvmi/kvmiConnection';
import { listen, type KvmiListener } from '../../../src/dap/kvmi/kvmiListener';
import { guestPath } from '../../support/guests';
import { guestsUnavailable } from './support/guestRig';
import { socketDir } from './support/harness';

const cliSource = join(__dirname, '..', '..', '..', 'src', 'vmm', 'cli.ts');
const UNHOOK = EVENTS.KVMI_VM_EVENT_UNHOOK.id;

/** Starts `kvmi-vmm run pf-write --introspect` with the guest held by an unanswered PAUSE event. */
async function introspectedVmm(listener: KvmiListener) {
  const child = spawn(process.execPath, ['--import', 'tsx', cliSource, 'run', guestPath('pf-write'), '--engine', 'emulator', '--introspect', listener.text],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  let exited = false;
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => { exited = true; resolve(code); }));
  const conn = await listener.accept(30_000);
  const pause = await conn.nextEvent(30_000);
  assert.equal(pause?.name, 'KVMI_VCPU_EVENT_PAUSE', 'the guest waits for the tool');
  return { child, conn, exit, hasExited: () => exited, stderr: () => stderr };
}

/** Sent with the handshake answer: enable the UNHOOK VM event and hold vCPU 0 with a PAUSE event. */
function openingCommands(opening: Promise<unknown>[]) {
  return { onOpen: (c: KvmiConnection) => { opening.push(c.controlVmEvents(UNHOOK, true), c.pauseVcpu(0)); } };
}

test('SIGTERM: the tool receives UNHOOK before the VMM exits; after it closes the VMM exits with 143', async (t) => {
  const why = guestsUnavailable();
  if (why) { t.skip(why); return; }
  const dir = socketDir();
  const opening: Promise<unknown>[] = [];
  const listener = await listen(`unix:${dir.path('term.sock')}`, openingCommands(opening));
  try {
    const vmm = await introspectedVmm(listener);
    await Promise.all(opening);
    vmm.child.kill('SIGTERM');
    const unhook = await vmm.conn.nextEvent(30_000);
    assert.equal(unhook?.name, 'KVMI_VM_EVENT_UNHOOK');
    assert.equal(vmm.hasExited(), false, 'the VMM waits for the tool to close');
    vmm.conn.close();
    assert.equal(await vmm.exit, 143, vmm.stderr());
    assert.match(vmm.stderr(), /SIGTERM: unhooking the introspection tool/);
  } finally { await listener.close(); dir.remove(); }
});

test('SIGINT with a tool that never closes: the VMM closes the socket itself and exits with 130', async (t) => {
  const why = guestsUnavailable();
  if (why) { t.skip(why); return; }
  const dir = socketDir();
  const opening: Promise<unknown>[] = [];
  const listener = await listen(`unix:${dir.path('int.sock')}`, openingCommands(opening));
  try {
    const vmm = await introspectedVmm(listener);
    await Promise.all(opening);
    vmm.child.kill('SIGINT');
    assert.equal((await vmm.conn.nextEvent(30_000))?.name, 'KVMI_VM_EVENT_UNHOOK');
    assert.equal(await vmm.exit, 130, vmm.stderr());
    await vmm.conn.closed;
  } finally { await listener.close(); dir.remove(); }
});
