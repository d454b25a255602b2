// Port 0x80, the POST diagnostic port. Firmware and kernels write progress codes or use it as an
// I/O delay; the codes are dropped. It is claimed explicitly so these writes never show up in the
// unclaimed-port debug log. Reads return all-ones, as on an empty port.
import { AccessSize, BusDevice, allOnes } from './bus';

export const POST_CODE_PORT = 0x80;

export class PostCode implements BusDevice {
  readonly name = 'POST code port';
  read(_offset: number, size: AccessSize): number { return allOnes(size); }
  write(): void {}
}
