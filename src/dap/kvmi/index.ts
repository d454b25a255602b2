// Public surface of the KVMI client library used by the debug adapter and kvmi-watch: listen() for
// a VMM, the typed KvmiConnection, its events and its typed errors.
export { listen, KvmiListener, KvmiListenError, type ListenOptions } from './kvmiListener';
export { KvmiConnection, type PageAccess, type RegistersReply } from './kvmiConnection';
export type { VmHandshakeInfo } from './clientHandshake';
export type { KvmiEvent, KvmiVcpuEvent, KvmiVmEvent, EventActionInput, EventReplyInput, VcpuEventName } from './kvmiEvent';
export { KvmiCommandError, KvmiTimeoutError, KvmiClosedError, KvmiUsageError, kvmiErrorName } from './kvmiErrors';
