// Guest addresses as users type and read them: "0x101040" (hex) or "1052736" (decimal) in
// queries and settings, printed back as lower-case "0x..." hex. Addresses are bigint because
// guest kernels live above 2^53.

export function hex(value: bigint | number): string {
  return `0x${value.toString(16)}`;
}

/** The address a workspace-symbol query names ("0x101040", "101040h" is not accepted), or undefined. */
export function parseAddressQuery(query: string): bigint | undefined {
  const text = query.trim();
  if (/^0x[0-9a-f]+$/i.test(text) && text.length <= 18) return BigInt(text);
  return undefined;
}

/** A settings/launch.json address: "0x..." hex or decimal digits; undefined when neither. */
export function parseAddressSetting(value: string | number): bigint | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? BigInt(value) : undefined;
  const text = value.trim();
  if (/^0x[0-9a-f]{1,16}$/i.test(text) || /^[0-9]{1,20}$/.test(text)) return BigInt(text);
  return undefined;
}
