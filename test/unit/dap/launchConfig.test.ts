// Launch and attach settings: defaults, and the specific errors for configurations that cannot
// start (KVM requested but unusable, the attach socket already in use, malformed watchpoints).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attachSettings, ConfigurationError, launchSettings } from '../../../src/dap/session/launchConfig';
import { guestPath, guestToolchainMissing, ensureGuestsBuilt } from '../../support/guests';

test('launch defaults and typed watchpoints', (t) => {
  const missing = guestToolchainMissing();
  if (missing) { t.skip(missing); return; }
  ensureGuestsBuilt();
  const s = launchSettings({ guest: guestPath('hello'), watchpoints: [{ address: '0x1000', size: 8, access: 'read' }, { symbol: 'main' }] });
  assert.deepEqual({ engine: s.engine, memory: s.memory, cpus: s.cpus, stopOnEntry: s.stopOnEntry, serial: s.serial },
    { engine: 'auto', memory: 128, cpus: 1, stopOnEntry: false, serial: 'debugConsole' });
  assert.deepEqual(s.watchpoints, [{ address: 0x1000n, size: 8, access: 'read' }, { symbol: 'main', size: undefined, access: 'write' }]);
});

test('engine "kvm" without a usable KVM device is refused before anything starts', (t) => {
  const missing = guestToolchainMissing();
  if (missing) { t.skip(missing); return; }
  ensureGuestsBuilt();
  assert.throws(() => launchSettings({ guest: guestPath('hello'), engine: 'kvm' }, '/nonexistent/kvm'),
    (e: unknown) => e instanceof ConfigurationError && e.attribute === 'engine' && /\/nonexistent\/kvm does not exist/.test(e.message));
});

test('attach refuses a socket another program is listening on, and a malformed address', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvmi-cfg-'));
  const path = join(dir, 'busy.sock');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  try {
    await assert.rejects(attachSettings({ listen: `unix:${path}` }), /already in use by another program/);
    await assert.rejects(attachSettings({ listen: 'udp:1234' }), (e: unknown) => e instanceof ConfigurationError && e.attribute === 'listen');
    const ok = await attachSettings({ listen: `unix:${join(dir, 'free.sock')}` });
    assert.equal(ok.listen.kind, 'unix');
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  }
});
