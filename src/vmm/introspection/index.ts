// Public surface of the VMM's KVMI host: the CLI parses its options with parseIntrospectionArgs()
// and calls startIntrospection() before the machine starts (then handle.startGuest(machine)).
export { parseIntrospectionArgs, IntrospectionOptionError, INTROSPECTION_OPTIONS_HELP, type IntrospectionOptions } from './introspectionOptions';
export { startIntrospection, IntrospectionConnectError, type IntrospectionHandle, type PreUnhookResult } from './introspectionHost';
export { KvmiPermissions, KvmiPermissionError, ALL_IDS } from './kvmiPermissions';
export type { KvmiSession } from './kvmiSession';
