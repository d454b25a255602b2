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

test('launch watchpoints keep their condition, hit condition and log message; a bad hit condition is refused', (t) => {
  const missing = guestToolchainMissing();
  if (missing) { t.skip(missing); return; }
  ensureGuestsBuilt();
  const s = launchSettings({ guest: guestPath('hello'), watchpoints: [
    { address: '0x104080', size: 32, condition: '$rip == &main' },
    { symbol: 'main', hitCondition: '%2', logMessage: 'hit {$rax}' },
  ] });
  assert.deepEqual(s.watchpoints, [
    { address: 0x104080n, size: 32, access: 'write', condition: '$rip == &main' },
    { symbol: 'main', size: undefined, access: 'write', hitCondition: '%2', logMessage: 'hit {$rax}' },
  ]);
  assert.throws(() => launchSettings({ guest: guestPath('hello'), watchpoints: [{ symbol: 'main', hitCondition: 'often' }] }),
    (e: unknown) => e instanceof ConfigurationError && e.attribute === 'watchpoints[0].hitCondition' && /"often" is not understood/.test(e.message));
  assert.throws(() => launchSettings({ guest: guestPath('hello'), watchpoints: [{ symbol: 'main', condition: 7 }] }),
    (e: unknown) => e instanceof ConfigurationError && e.attribute === 'watchpoints[0].condition' && /non-empty string, not 7/.test(e.message));
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
