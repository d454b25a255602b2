// The error every configuration check throws: it names the launch.json attribute at fault and says how
// to fix it, so the message can be shown to the user as it is, before any debug adapter starts.

/** A kvmi launch/attach configuration that cannot work; `attribute` is the launch.json key at fault. */
export class InvalidConfigurationError extends Error {
  override readonly name = 'InvalidConfigurationError';

  constructor(readonly attribute: string, message: string) {
    super(`KVMI configuration: "${attribute}" ${message}`);
  }
}
