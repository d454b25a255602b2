// Ending a VM that is being introspected, as the VMM does on SIGTERM/SIGINT: pre-unhook first (KVMI
// reference §1.3: the UNHOOK VM event, if the tool enabled it, then a bounded wait for the tool to
// close its socket), then close introspection and stop the VM, so the tool never sees the VM vanish
// with its restrictions and intercepts still in place.
import type { Vm } from '../engine/engine';
import type { IntrospectionHandle, PreUnhookResult } from './introspectionHost';

/** How long a shutting-down VMM waits for the tool to close after the UNHOOK event. */
export const SHUTDOWN_UNHOOK_TIMEOUT_MS = 2000;

/** Pre-unhooks (bounded by `timeoutMs`), closes introspection, stops the VM; returns the pre-unhook result. */
export async function shutdownWithUnhook(handle: IntrospectionHandle, vm: Vm, timeoutMs = SHUTDOWN_UNHOOK_TIMEOUT_MS): Promise<PreUnhookResult> {
  const result = await handle.preUnhook(timeoutMs);
  await handle.close();
  await vm.stop();
  return result;
}
