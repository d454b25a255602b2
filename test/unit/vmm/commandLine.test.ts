// kvmi-vmm argument parsing: defaults, every option, and the specific error for each mistake.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HELP_TEXT, parseCommandLine, UsageError } from '../../../src/vmm/machine/commandLine';

const usage = (message: string) => (e: unknown) => e instanceof UsageError && e.message === message;

test('run GUEST takes the documented defaults', () => {
  assert.deepEqual(parseCommandLine(['run', 'g.elf']), {
    command: 'run', guest: 'g.elf', engine: 'emulator', memoryMiB: 64, cpus: 1, stats: false, debugDevices: false,
  });
});

test('every option is parsed, in both --opt value and --opt=value forms', () => {
  assert.deepEqual(parseCommandLine(['run', '--engine=auto', '--mem', '128', '--cpus=2', '--stats', '--format', 'raw', 'boot.img', '--debug-devices']), {
    command: 'run', guest: 'boot.img', engine: 'auto', memoryMiB: 128, cpus: 2, stats: true, format: 'raw', debugDevices: true,
  });
});

test('help is recognised anywhere and documents every option', () => {
  assert.deepEqual(parseCommandLine(['--help']), { command: 'help' });
  assert.deepEqual(parseCommandLine(['run', 'x', '-h']), { command: 'help' });
  for (const option of ['--engine', '--mem', '--cpus', '--stats', '--format', '--debug-devices', '0xf4', 'all-ones']) assert.ok(HELP_TEXT.includes(option), option);
});

test('mistakes get specific messages', () => {
  assert.throws(() => parseCommandLine([]), usage('missing command: use kvmi-vmm run GUEST (see kvmi-vmm --help)'));
  assert.throws(() => parseCommandLine(['start', 'x']), usage("unknown command 'start': the only command is 'run' (see kvmi-vmm --help)"));
  assert.throws(() => parseCommandLine(['run']), usage('run needs a GUEST file (an ELF or, with --format raw, a real-mode image)'));
  assert.throws(() => parseCommandLine(['run', 'a', 'b']), usage('run takes one GUEST file, got 2: a b'));
  assert.throws(() => parseCommandLine(['run', 'g', '--mem', '0']), usage("--mem needs a whole number of MiB from 1 to 3072, got '0'"));
  assert.throws(() => parseCommandLine(['run', 'g', '--mem', '1.5']), usage("--mem needs a whole number of MiB from 1 to 3072, got '1.5'"));
  assert.throws(() => parseCommandLine(['run', 'g', '--cpus']), usage('--cpus needs a value'));
  assert.throws(() => parseCommandLine(['run', 'g', '--engine', 'xen']), usage("--engine must be one of emulator, kvm, auto, got 'xen'"));
  assert.throws(() => parseCommandLine(['run', 'g', '--format', 'bzimage']), usage("--format must be one of pvh, elf64, raw, got 'bzimage'"));
  assert.throws(() => parseCommandLine(['run', 'g', '--verbose']), usage("unknown option '--verbose' (see kvmi-vmm --help)"));
  assert.throws(() => parseCommandLine(['run', 'g', '--stats=yes']), usage('--stats takes no value'));
});
