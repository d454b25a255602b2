// The engine report read from the VMM's stderr: the `--engine auto` choice line and the exit stats
// line give the engine the status bar shows, whatever the chunking of stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineEventBody } from '../../../src/dap/protocol/custom';
import { engineReportOf, VmmEngineReader } from '../../../src/dap/session/vmmEngineReport';

test('the auto choice line gives the engine and the VMM explanation', () => {
  assert.deepEqual(engineReportOf('kvmi-vmm: engine auto: emulator (KVM not usable: /dev/kvm does not exist)'),
    { engine: 'emulator', reason: 'auto: emulator (KVM not usable: /dev/kvm does not exist)' });
  assert.equal(engineReportOf('kvmi-vmm: engine auto: kvm, hybrid (this /dev/kvm is PVM: ...)')?.engine, 'kvm');
});

test('the stats line at exit gives the engine; other lines and broken stats give nothing', () => {
  assert.equal(engineReportOf('stats {"engine":"kvm","instructions":5,"wallSeconds":0.1}')?.engine, 'kvm');
  assert.equal(engineReportOf('stats {not json'), undefined);
  assert.equal(engineReportOf('kvmi-vmm: triple fault at rip 0x1000'), undefined);
  assert.equal(engineReportOf('Hello engine auto: kvm'), undefined);
});

test('a line split across stderr chunks is reported once complete, and a repeated engine once', () => {
  const seen: EngineEventBody[] = [];
  const reader = new VmmEngineReader((body) => seen.push(body));
  reader.write('some warning\nkvmi-vmm: engine au');
  assert.equal(seen.length, 0);
  reader.write('to: kvm (VMX host)\nstats {"engine":"kvm"}');
  assert.deepEqual(seen, [{ engine: 'kvm', reason: 'auto: kvm (VMX host)' }]);
  reader.write('\n');
  assert.equal(seen.length, 1, 'the stats line names the same engine');
});

test('an engine named by the configuration is announced without any stderr line', () => {
  const seen: EngineEventBody[] = [];
  const reader = new VmmEngineReader((body) => seen.push(body));
  reader.known({ engine: 'emulator', reason: 'named by the launch configuration' });
  reader.write('stats {"engine":"emulator"}\n');
  assert.deepEqual(seen.map((b) => b.engine), ['emulator']);
});
