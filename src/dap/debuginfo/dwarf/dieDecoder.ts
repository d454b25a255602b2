// DIEs decoded on demand by .debug_info offset (the DIE and its subtree), for scans that do not
// build the whole tree but must still follow a reference: DW_AT_type to a type (DWARF 5 section 5),
// DW_AT_specification / DW_AT_abstract_origin to a declaration (sections 2.13.2, 3.3.8.3).
import { ByteReader } from '../byteReader';
import { formContextOf, readDieTree, type Die, type DieIndex, type DieLookup, type UnitHeader } from './dwarfUnit';

export class DieDecoder implements DieLookup {
  private readonly decoded: DieIndex = new Map();
  private readonly reader: ByteReader;

  /** `headers` in .debug_info order, each unit's root already read (its *_base attributes applied). */
  constructor(private readonly headers: readonly UnitHeader[]) {
    const sections = headers[0]?.unit.sections;
    this.reader = new ByteReader(sections?.info ?? new Uint8Array(0), sections?.littleEndian ?? true, 0, '.debug_info');
  }

  /** The DIE that starts at `offset`, or undefined when no DIE starts there. */
  get(offset: number): Die | undefined {
    const cached = this.decoded.get(offset);
    if (cached) return cached;
    const header = this.unitContaining(offset);
    if (!header || offset < header.diesStart) return undefined;
    const { unit, abbrevs } = header;
    readDieTree(this.reader.seek(offset), unit.end, abbrevs, unit, formContextOf(unit), this.decoded, undefined);
    return this.decoded.get(offset);
  }

  private unitContaining(offset: number): UnitHeader | undefined {
    let lo = 0, hi = this.headers.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1, unit = this.headers[mid].unit;
      if (offset < unit.offset) hi = mid - 1;
      else if (offset >= unit.end) lo = mid + 1;
      else return this.headers[mid];
    }
    return undefined;
  }
}
