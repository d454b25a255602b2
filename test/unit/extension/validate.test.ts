// Tests the checks run on a kvmi configuration before the debug adapter starts: defaults are filled in,
// and each kind of mistake is refused with an InvalidConfigurationError naming the attribute and the fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { InvalidConfigurationError } from '../../../src/extension/configurationErrors';
import { probeKvm } from '../../../src/extension/kvmDevice';
import { validateConfiguration, type ValidationHost } from '../../../src/extension/validate';
import { makeGuestFiles } from './guestFiles';

const files = makeGuestFiles();
const host: ValidationHost = { baseDirectory: files.dir, kvmDevice: join(files.dir, 'no-such-kvm') };
const launch = (extra: Record<string, unknown> = {}) =>
  validateConfiguration({ type: 'kvmi', request: 'launch', name: 't', guest: files.x86_64Elf, ...extra }, host);
const attach = (extra: Record<string, unknown> = {}) =>
  validateConfiguration({ type: 'kvmi', request: 'attach', name: 't', listen: 'unix:/tmp/k.sock', ...extra }, host);

function rejects(run: () => unknown, attribute: string, message: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof InvalidConfigurationError, `expected InvalidConfigurationError, got ${String(error)}`);
    assert.equal(error.attribute, attribute);
    assert.match(error.message, message);
    return true;
  });
}

test('a minimal launch gets every default filled in', () => {
  assert.deepEqual(launch(), {
    type: 'kvmi', request: 'launch', name: 't', guest: files.x86_64Elf, guestFormat: 'elf', engine: 'auto',
    memory: 128, cpus: 1, stopOnEntry: false, serial: 'debugConsole', args: [], watchpoints: [], sourceMap: {},
  });
});

test('a relative guest path is resolved against the workspace folder', () => {
  assert.equal((launch({ guest: 'guest.elf' }) as { guest: string }).guest, files.x86_64Elf);
});

test('attributes the checks do not know, such as VS Code internals, reach the adapter unchanged', () => {
  assert.equal((launch({ __sessionId: 'abc' }) as unknown as Record<string, unknown>).__sessionId, 'abc');
});

test('a missing or absent guest is refused before the adapter starts', () => {
  rejects(() => launch({ guest: undefined }), 'guest', /is required/);
  rejects(() => launch({ guest: '' }), 'guest', /is required/);
  rejects(() => launch({ guest: join(files.dir, 'missing.elf') }), 'guest', /missing\.elf, which does not exist/);
  rejects(() => launch({ guest: files.directory }), 'guest', /not a regular file/);
});

test('a guest that is not an x86 ELF is refused with the reason', () => {
  rejects(() => launch({ guest: files.aarch64Elf }), 'guest', /AArch64.*rebuild it for x86/);
  rejects(() => launch({ guest: files.textFile }), 'guest', /not an ELF file; raw guest images must be named \*\.bin/);
});

test('a raw image is accepted by its name, and must fit in guest memory', () => {
  assert.equal((launch({ guest: files.rawImage }) as { guestFormat: string }).guestFormat, 'raw');
  assert.equal((launch({ guest: files.rawImage, memory: 1 }) as { memory: number }).memory, 1);
  rejects(() => launch({ guest: files.rawImageOver1MiB, memory: 1 }), 'memory', /is 1 MiB, smaller than the raw image .*1048577 bytes/);
  assert.equal((launch({ guest: files.rawImageOver1MiB, memory: 2 }) as { guestFormat: string }).guestFormat, 'raw');
});

test('engine "kvm" is refused when the KVM device is absent, with the fallback named', () => {
  rejects(() => launch({ engine: 'kvm' }), 'engine', /no-such-kvm does not exist.*"engine": "auto"/);
  assert.equal((launch({ engine: 'emulator' }) as { engine: string }).engine, 'emulator');
  assert.equal((launch({ engine: 'auto' }) as { engine: string }).engine, 'auto');
});

test('engine "kvm" is refused when the device cannot be opened read-write', () => {
  // A folder exists but never opens read-write: it stands in for a /dev/kvm this user may not open.
  rejects(() => validateConfiguration({ request: 'launch', guest: files.x86_64Elf, engine: 'kvm' },
    { kvmDevice: files.directory }), 'engine', /cannot be opened|not readable and writable/);
});

test('engine "kvm" is accepted when this machine\'s /dev/kvm opens read-write', (t) => {
  if (!probeKvm().usable) return t.skip(`/dev/kvm is not usable here: ${(probeKvm() as { reason: string }).reason}`);
  const result = validateConfiguration({ request: 'launch', guest: files.x86_64Elf, engine: 'kvm' }) as { engine: string };
  assert.equal(result.engine, 'kvm');
});

test('unknown engines, serial outputs and requests are refused with the allowed values', () => {
  rejects(() => launch({ engine: 'qemu' }), 'engine', /"auto", "kvm", "emulator", not "qemu"/);
  rejects(() => launch({ serial: 'file' }), 'serial', /"debugConsole", "terminal"/);
  rejects(() => launch({ request: 'run' }), 'request', /"launch".*"attach"/);
  rejects(() => launch({ type: 'gdb' }), 'type', /must be "kvmi"/);
});

test('memory and cpus must be whole numbers in range', () => {
  rejects(() => launch({ memory: 0 }), 'memory', /from 1 to 65536, not 0/);
  rejects(() => launch({ memory: 1.5 }), 'memory', /whole number of MiB/);
  rejects(() => launch({ memory: '128' }), 'memory', /not "128"/);
  rejects(() => launch({ cpus: 65 }), 'cpus', /virtual CPUs from 1 to 64/);
  assert.equal((launch({ memory: 65536, cpus: 64 }) as { cpus: number }).cpus, 64);
});

test('stopOnEntry, args and sourceMap have the types the schema gives', () => {
  rejects(() => launch({ stopOnEntry: 'yes' }), 'stopOnEntry', /true or false/);
  rejects(() => launch({ args: [1] }), 'args', /array of strings/);
  rejects(() => launch({ sourceMap: ['a'] }), 'sourceMap', /path prefixes/);
  assert.deepEqual((launch({ args: 'console=ttyS0' }) as { args: string[] }).args, ['console=ttyS0']);
});

test('watchpoints are normalised: hex addresses, default access', () => {
  const result = launch({ watchpoints: [
    { address: '0xFFFFFFFF81000000', size: 8, access: 'readWrite' },
    { address: 4096, size: 4 },
    { symbol: 'counter' },
  ] }) as { watchpoints: unknown[] };
  assert.deepEqual(result.watchpoints, [
    { address: '0xffffffff81000000', size: 8, access: 'readWrite' },
    { address: '0x1000', size: 4, access: 'write' },
    { symbol: 'counter', access: 'write' },
  ]);
});

test('malformed watchpoints are refused with their index', () => {
  rejects(() => launch({ watchpoints: {} }), 'watchpoints', /must be an array/);
  rejects(() => launch({ watchpoints: [42] }), 'watchpoints[0]', /must be an object/);
  rejects(() => launch({ watchpoints: [{ size: 4 }] }), 'watchpoints[0]', /exactly one of "address".*"symbol"/);
  rejects(() => launch({ watchpoints: [{ address: 1, symbol: 'x', size: 1 }] }), 'watchpoints[0]', /exactly one/);
  rejects(() => launch({ watchpoints: [{ symbol: 'a' }, { address: '0x10' }] }), 'watchpoints[1].size', /is required with "address"/);
  rejects(() => launch({ watchpoints: [{ address: '0x10', size: 0 }] }), 'watchpoints[0].size', /at least 1, not 0/);
  rejects(() => launch({ watchpoints: [{ address: '0x10', size: 1, access: 'rw' }] }), 'watchpoints[0].access', /"read", "write", "readWrite", "execute"/);
  rejects(() => launch({ watchpoints: [{ address: 'main', size: 1 }] }), 'watchpoints[0].address', /64-bit guest address/);
  rejects(() => launch({ watchpoints: [{ address: '0x10000000000000000', size: 1 }] }), 'watchpoints[0].address', /64-bit/);
  rejects(() => launch({ watchpoints: [{ address: '0xffffffffffffffff', size: 2 }] }), 'watchpoints[0]', /past the end of the 64-bit address space/);
  rejects(() => launch({ watchpoints: [{ symbol: 'x', length: 4 }] }), 'watchpoints[0]', /unknown field\(s\) "length"/);
});

test('watchpoint condition, hitCondition and logMessage are kept; malformed ones are refused', () => {
  const condition = '$rip >= &copy_message && $rip < &copy_message + 0x21';
  const result = launch({ watchpoints: [
    { address: '0x104080', size: 32, access: 'write', condition },
    { symbol: 'guard', hitCondition: '>2', logMessage: 'guard written at {$rip}' },
  ] }) as { watchpoints: unknown[] };
  assert.deepEqual(result.watchpoints, [
    { address: '0x104080', size: 32, access: 'write', condition },
    { symbol: 'guard', access: 'write', hitCondition: '>2', logMessage: 'guard written at {$rip}' },
  ]);
  rejects(() => launch({ watchpoints: [{ symbol: 'g', condition: 1 }] }), 'watchpoints[0].condition', /non-empty string, not 1/);
  rejects(() => launch({ watchpoints: [{ symbol: 'g', logMessage: ' ' }] }), 'watchpoints[0].logMessage', /non-empty string/);
  rejects(() => launch({ watchpoints: [{ symbol: 'g', hitCondition: 'twice' }] }), 'watchpoints[0].hitCondition', /N, =N, >N.*not "twice"/);
  rejects(() => launch({ watchpoints: [{ symbol: 'g', hitCondition: '%0' }] }), 'watchpoints[0].hitCondition', /divides by zero/);
});

test('attach needs a listen address in unix: or tcp: form', () => {
  assert.equal((attach() as { listen: string }).listen, 'unix:/tmp/k.sock');
  assert.equal((attach({ listen: 'tcp:[::1]:4444' }) as { listen: string }).listen, 'tcp:[::1]:4444');
  rejects(() => attach({ listen: undefined }), 'listen', /is required for attach/);
  rejects(() => attach({ listen: 'localhost:4444' }), 'listen', /must start with "unix:" or "tcp:"/);
  rejects(() => attach({ listen: 'tcp:localhost:70000' }), 'listen', /port from 1 to 65535/);
  rejects(() => attach({ listen: 'tcp:localhost' }), 'listen', /"tcp:HOST:PORT"/);
  rejects(() => attach({ listen: `unix:/${'x'.repeat(120)}` }), 'listen', /at most 107/);
});

test('attach with symbol watchpoints needs the guest ELF for its symbols', () => {
  rejects(() => attach({ watchpoints: [{ symbol: 'counter' }] }), 'guest', /symbol watchpoints/);
  const result = attach({ guest: files.x86_64Elf, watchpoints: [{ symbol: 'counter' }] }) as { guest: string };
  assert.equal(result.guest, files.x86_64Elf);
  rejects(() => attach({ guest: files.aarch64Elf }), 'guest', /AArch64/);
});
