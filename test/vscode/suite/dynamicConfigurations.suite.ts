// The dynamic kvmi configurations list the workspace's x86 ELF files, and nothing else: not other
// architectures, not files that only carry the .elf name, not vendored dependencies.
/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import { ConfigurationProvider } from '../../../src/extension/configurationProvider';
import { DynamicConfigurationProvider } from '../../../src/extension/dynamicConfigurationProvider';
import { workspaceFolder } from './workspaceFixture';

suite('dynamic configurations', () => {
  test('offer one launch per x86 ELF file of the workspace', async () => {
    const configurations = await new DynamicConfigurationProvider().provideDebugConfigurations(workspaceFolder());
    assert.deepEqual(configurations.map((c) => [c.name, c.guest]), [
      ['KVMI: build/nested.elf', '${workspaceFolder}/build/nested.elf'],
      ['KVMI: sample.elf', '${workspaceFolder}/sample.elf'],
    ]);
    assert.ok(configurations.every((c) => c.type === 'kvmi' && c.request === 'launch'));
  });

  test('each offered launch passes the checks once ${workspaceFolder} is substituted', async () => {
    const folder = workspaceFolder();
    const provider = new ConfigurationProvider([], (message) => assert.fail(message));
    for (const configuration of await new DynamicConfigurationProvider().provideDebugConfigurations(folder)) {
      const substituted = { ...configuration, guest: String(configuration.guest).replace('${workspaceFolder}', folder.uri.fsPath) };
      assert.ok(provider.resolveDebugConfigurationWithSubstitutedVariables(folder, substituted), configuration.name);
    }
  });
});
