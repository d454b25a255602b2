// Named bits of the x86 flag and control registers, for showing them decoded next to the raw
// value: RFLAGS (Intel SDM Vol. 1, 3.4.3), CR0 and CR4 (Vol. 3A, 2.5), EFER (Vol. 3A, 2.2.1 and
// Table 2-1 "IA32_EFER MSR").

/** [bit, name] pairs, low bit first. */
type BitNames = readonly (readonly [number, string])[];

export const RFLAGS_BITS: BitNames = [
  [0, 'CF'], [2, 'PF'], [4, 'AF'], [6, 'ZF'], [7, 'SF'], [8, 'TF'], [9, 'IF'], [10, 'DF'], [11, 'OF'],
  [14, 'NT'], [16, 'RF'], [17, 'VM'], [18, 'AC'], [19, 'VIF'], [20, 'VIP'], [21, 'ID'],
];

export const CR0_BITS: BitNames = [
  [0, 'PE'], [1, 'MP'], [2, 'EM'], [3, 'TS'], [4, 'ET'], [5, 'NE'], [16, 'WP'], [18, 'AM'], [29, 'NW'], [30, 'CD'], [31, 'PG'],
];

export const CR4_BITS: BitNames = [
  [0, 'VME'], [1, 'PVI'], [2, 'TSD'], [3, 'DE'], [4, 'PSE'], [5, 'PAE'], [6, 'MCE'], [7, 'PGE'], [8, 'PCE'],
  [9, 'OSFXSR'], [10, 'OSXMMEXCPT'], [11, 'UMIP'], [12, 'LA57'], [13, 'VMXE'], [14, 'SMXE'], [16, 'FSGSBASE'],
  [17, 'PCIDE'], [18, 'OSXSAVE'], [20, 'SMEP'], [21, 'SMAP'], [22, 'PKE'], [23, 'CET'], [24, 'PKS'],
];

export const EFER_BITS: BitNames = [[0, 'SCE'], [8, 'LME'], [10, 'LMA'], [11, 'NXE']];

/** Names of the set bits, e.g. "ZF IF" (IOPL, RFLAGS bits 12-13, is shown as IOPL=n when non-zero). */
export function decodeBits(value: bigint, names: BitNames): string {
  const set = names.filter(([bit]) => ((value >> BigInt(bit)) & 1n) === 1n).map(([, name]) => name);
  return set.join(' ');
}

export function decodeRflags(value: bigint): string {
  const iopl = Number((value >> 12n) & 3n);
  const names = decodeBits(value, RFLAGS_BITS);
  return iopl ? `${names} IOPL=${iopl}`.trim() : names;
}

/** The 16-bit hex form used for selectors, 64-bit for addresses. */
export function hex(value: bigint | number, digits = 0): string {
  const text = BigInt(value).toString(16);
  return `0x${digits ? text.padStart(digits, '0') : text}`;
}
