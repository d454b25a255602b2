// Pins the configurationAttributes schema of package.json (what launch.json completion and validation
// show the user) to the checks of src/extension/validate.ts (what is enforced before a launch): the same
// choices, ranges and defaults, so the two cannot drift apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuRange, engines, launchDefaults, memoryRangeMiB, serialOutputs, watchAccesses } from '../../../src/extension/configurationTypes';

interface Property { enum?: string[]; default?: unknown; minimum?: number; maximum?: number; items?: { properties: Record<string, Property> } }
const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
const kvmi = manifest.contributes.debuggers.find((d: { type: string }) => d.type === 'kvmi');
const launch: Record<string, Property> = kvmi.configurationAttributes.launch.properties;
const attach: Record<string, Property> = kvmi.configurationAttributes.attach.properties;

test('engine and serial choices and defaults match the launch checks', () => {
  assert.deepEqual(launch.engine.enum, engines);
  assert.equal(launch.engine.default, launchDefaults.engine);
  assert.deepEqual(launch.serial.enum, serialOutputs);
  assert.equal(launch.serial.default, launchDefaults.serial);
  assert.equal(launch.stopOnEntry.default, launchDefaults.stopOnEntry);
});

test('memory and cpus ranges and defaults match the launch checks', () => {
  assert.deepEqual([launch.memory.minimum, launch.memory.maximum, launch.memory.default],
    [memoryRangeMiB.min, memoryRangeMiB.max, launchDefaults.memory]);
  assert.deepEqual([launch.cpus.minimum, launch.cpus.maximum, launch.cpus.default],
    [cpuRange.min, cpuRange.max, launchDefaults.cpus]);
});

test('watchpoint access kinds are the same for launch and attach and match the checks', () => {
  for (const properties of [launch, attach]) {
    const access = properties.watchpoints.items?.properties.access;
    assert.deepEqual(access?.enum, watchAccesses);
    assert.equal(access?.default, launchDefaults.watchAccess);
  }
});

test('the debugger program is the adapter bundle esbuild.mjs writes', () => {
  const build = readFileSync(join(__dirname, '..', '..', '..', 'esbuild.mjs'), 'utf8');
  assert.equal(kvmi.program, './dist/debugAdapter.js');
  assert.match(build, /in: 'src\/dap\/debugAdapter\.ts', out: 'debugAdapter'/);
  assert.equal(manifest.main, './dist/extension.js');
  assert.match(build, /in: 'src\/extension\/extension\.ts', out: 'extension'/);
});
