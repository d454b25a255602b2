// Binary search over a sorted list of 64-bit addresses (symbols, line rows, FDEs, variables),
// shared by every address-keyed index. Kept in a BigUint64Array: V8 compares its elements with
// a bigint without boxing, which measured faster than splitting addresses into 32-bit halves.

export class SortedAddresses {
  private readonly values: BigUint64Array;

  /** `addresses` must already be in ascending order. */
  constructor(addresses: ArrayLike<bigint>) {
    this.values = new BigUint64Array(addresses.length);
    for (let i = 0; i < addresses.length; i++) this.values[i] = addresses[i];
  }

  get length(): number { return this.values.length; }

  /** Index of the last address <= `address`, or -1 when every address is greater. */
  lastAtOrBefore(address: bigint): number {
    const values = this.values;
    let first = 0, last = values.length - 1, found = -1;
    while (first <= last) {
      const mid = (first + last) >> 1;
      if (values[mid] <= address) { found = mid; first = mid + 1; } else last = mid - 1;
    }
    return found;
  }

  /** Whether entries i and j hold the same address. */
  same(i: number, j: number): boolean { return this.values[i] === this.values[j]; }
}

/** Ascending bigint comparator for Array.prototype.sort. */
export function compareAddresses(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
