// Reads the stop's `text` of the kvmi adapter ("write at 0x104080": access kind and guest-virtual
// address of a watchpoint hit) for the commands that open views at the faulting address.

/** The address in a stop text such as "write at 0x116010", or undefined. */
export function accessedAddress(text: string | undefined): string | undefined {
  return /^(?:read|write|execute) at (0x[0-9a-f]+)$/i.exec(text?.trim() ?? '')?.[1];
}
