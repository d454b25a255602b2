// kvmi-watch: the --watch notation, the page restrictions it derives, and whole watch sessions on
// the pf-write / pf-read / pf-exec guests (real x86 engine): every watched access is reported once
// with its address, access kind and the instruction at RIP, and the guest's own output is intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWatchSpec, WatchSpecError } from '../../../src/dap/kvmi/watchSpec';
import { pageRestrictions, runWatchSession, type WatchReport } from '../../../src/dap/kvmi/watchSession';
import { parseWatchCommandLine, WatchUsageError } from '../../../src/dap/kvmi/watchCommandLine';
import { guestDescription } from '../../support/guests';
import { guestRig, guestSymbol, guestsUnavailable } from './support/guestRig';

test('watch specs: access letters, virtual prefixes, lengths; bad specs are explained', () => {
  assert.deepEqual(parseWatchSpec('w:0x101000+16'), { text: 'w:0x101000+16', access: 2, virtual: false, address: 0x101000n, length: 16n });
  assert.deepEqual(parseWatchSpec('rw:4096'), { text: 'rw:4096', access: 3, virtual: false, address: 4096n, length: 1n });
  assert.equal(parseWatchSpec('vx:0x401000').virtual, true);
  assert.equal(parseWatchSpec('rwx:gva:0x401000+2').access, 7);
  assert.equal(parseWatchSpec('w:gva:0x1').virtual, true);
  for (const bad of ['q:0x1000', 'w0x1000', 'w:0xzz', 'w:0x1000+0', 'ww:0x1000', 'vw:gpa:0x1000', 'w:0xffffffffffffffff+2']) {
    assert.throws(() => parseWatchSpec(bad), WatchSpecError, bad);
  }
});

test('page restrictions: watched rights are removed per page; ranges on one page combine; ranges span pages', () => {
  const w = parseWatchSpec('w:0x1ff0+0x20');
  const x = parseWatchSpec('x:0x2000+1');
  assert.deepEqual(pageRestrictions([
    { watch: w, start: 0x1ff0n, end: 0x2010n },
    { watch: x, start: 0x2000n, end: 0x2001n },
  ]), [{ gpa: 0x1000n, access: 5 }, { gpa: 0x2000n, access: 1 }]);
});

test('kvmi-watch command line: --run takes the rest for the VMM; missing watches or address are refused', () => {
  const r = parseWatchCommandLine(['--watch', 'w:0x1000', '--run', 'g.elf', '--memory', '16']);
  assert.ok(r !== 'help');
  assert.deepEqual(r.run, { guest: 'g.elf', vmmArgs: ['--memory', '16'] });
  assert.equal(parseWatchCommandLine(['--help']), 'help');
  assert.throws(() => parseWatchCommandLine(['--listen', 'unix:/tmp/x']), WatchUsageError);
  assert.throws(() => parseWatchCommandLine(['--watch', 'w:0x1000']), WatchUsageError);
  assert.throws(() => parseWatchCommandLine(['--listen', 'udp:1', '--watch', 'w:1']), WatchUsageError);
});

async function watchGuest(guest: string, specs: string[]): Promise<{ reports: WatchReport[]; warnings: string[]; serial: string }> {
  const r = await guestRig(guest, { onOpen: (conn) => { void conn.pauseVcpu(0); } });
  try {
    const reports: WatchReport[] = [];
    const warnings: string[] = [];
    const session = runWatchSession(r.conn, specs.map(parseWatchSpec), { report: (l) => reports.push(l), warn: (m) => warnings.push(m) });
    await r.host.startGuest(r.machine);
    assert.deepEqual(await r.machine.vm.finished, { kind: 'exitPort', status: 0 });
    await session;
    return { reports, warnings, serial: r.serial() };
  } finally { await r.dispose(); }
}

test('pf-write under a write watch of its 16 pattern bytes: 16 reports, in order, with the store instruction', async (t) => {
  const why = guestsUnavailable();
  if (why) { t.skip(why); return; }
  const page = guestSymbol('pf-write', 'test_page');
  const { reports, warnings, serial } = await watchGuest('pf-write', [`w:0x${page.toString(16)}+16`]);
  assert.deepEqual(warnings, []);
  assert.equal(serial, guestDescription('pf-write').expectedStdout);
  assert.deepEqual(reports.map((l) => l.gpa), Array.from({ length: 16 }, (_, i) => `0x${(page + BigInt(i)).toString(16)}`));
  for (const line of reports) {
    assert.equal(line.access, 'w');
    assert.equal(line.gva, line.gpa, 'the guest maps its image one to one');
    assert.match(line.insn ?? '', /^mov /);
  }
});

test('pf-read under a virtual read watch, and pf-exec under an execute watch, report their accesses', async (t) => {
  const why = guestsUnavailable();
  if (why) { t.skip(why); return; }
  const readPage = guestSymbol('pf-read', 'test_page');
  const read = await watchGuest('pf-read', [`vr:0x${readPage.toString(16)}+64`]);
  assert.equal(read.serial, guestDescription('pf-read').expectedStdout);
  assert.ok(read.reports.length >= 1 && read.reports.every((l) => l.access === 'r'), `${read.reports.length} read reports`);
  const execPage = guestSymbol('pf-exec', 'test_page');
  const exec = await watchGuest('pf-exec', [`x:0x${execPage.toString(16)}+4096`]);
  assert.equal(exec.serial, guestDescription('pf-exec').expectedStdout);
  assert.ok(exec.reports.length >= 1, 'the call into test_page is reported');
  assert.equal(exec.reports[0].gpa, `0x${execPage.toString(16)}`);
  assert.equal(exec.reports[0].rip, exec.reports[0].gva, 'an execute fault reports the instruction address');
});
