// How the adapter obtains an IntrospectionTarget: it listens on a KVMI address (reference 1.1: the
// VMM connects to the introspection tool) and accepts one VMM. The default connector is the KVMI
// client; tests pass their own.
import type { KvmiAddress } from '../../vmm/kvmi/transportAddress';
import type { IntrospectionTarget } from '../target';

export interface TargetListener {
  /** Resolves with the handshaken target once a VMM connects. */
  accept(): Promise<IntrospectionTarget>;
  close(): Promise<void>;
}

export type TargetConnector = (address: KvmiAddress) => Promise<TargetListener>;

export class ConnectionError extends Error {
  constructor(message: string) { super(message); this.name = 'ConnectionError'; }
}
