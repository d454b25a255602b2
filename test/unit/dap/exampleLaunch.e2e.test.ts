// End to end: the packaged heap-overflow example's launch watchpoint (exampleWatchpoint from the
// staging script, the same object its launch.json carries) makes the very first stop of a plain
// launch the overflowing store in copy_message (main.c line 28), a data breakpoint with registers.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureGuestsBuilt, guestDescription, guestPath, guestToolchainMissing } from '../../support/guests';
import { adapterMissing, repoRoot, startAdapter } from './support/adapterClient';
import { launchGuest, scopeVariables, topFrame } from './support/dapSteps';

interface ExampleWatchpoint { address: string; size: number; access: string; condition?: string; hitCondition?: string }

/** The staging script is an ES module run by `npm run package`; loaded at run time, untyped. */
async function exampleWatchpoint(elf: string): Promise<ExampleWatchpoint> {
  const script: string = pathToFileURL(join(repoRoot, 'src/extension/packaging/stageExample.mjs')).href;
  const staging = await import(script) as { exampleWatchpoint: (elfPath: string) => ExampleWatchpoint };
  return staging.exampleWatchpoint(elf);
}

let skipReason: string | undefined;
before(() => {
  skipReason = adapterMissing() ?? guestToolchainMissing();
  if (!skipReason) ensureGuestsBuilt();
});

test('heap-overflow example: launched with the staged launch.json watchpoint, the first stop is the overflowing store on main.c:28', async (t) => {
  if (skipReason) { t.skip(skipReason); return; }
  const site = guestDescription('heap-overflow').overflow!;
  const watchpoint = await exampleWatchpoint(guestPath('heap-overflow'));
  assert.equal(watchpoint.size, 32);
  const client = await startAdapter();
  try {
    const stop = await (await launchGuest(client, { guest: 'heap-overflow', watchpoints: [watchpoint] })).firstStop;
    assert.equal(stop.body.reason, 'data breakpoint');
    assert.match(stop.body.description ?? '', new RegExp(`^write of 1 byte at gva ${watchpoint.address} `));
    const frame = await topFrame(client, stop.body.threadId!);
    assert.equal(frame.name, site.function);
    assert.match(frame.source?.path ?? '', new RegExp(`${site.file.replace('/', '\\/')}$`));
    assert.equal(frame.line, site.line);
    const registers = await scopeVariables(client, frame.id, 'Registers');
    assert.equal(BigInt(registers.get('rip')!.value), BigInt(frame.instructionPointerReference!));
    const locals = await scopeVariables(client, frame.id, 'Locals');
    assert.equal(BigInt(locals.get('i')!.value.split(' ')[0]), BigInt(site.firstGuardWriteIndex));
  } finally {
    await client.stop().catch(() => undefined);
  }
});
