// Wiring of the PC legacy devices: which port range and which IRQ each model gets. The models know
// nothing of their addresses; this file is the one place that does. Port map (PC/AT convention):
//   0x020-0x021 PIC master   0x040-0x043 PIT     0x060, 0x064 i8042   0x070-0x071 CMOS/RTC
//   0x080 POST code          0x0a0-0x0a1 PIC slave   0x0f4-0x0f7 exit port   0x3f8-0x3ff COM1 (IRQ 4)
// All of them live in the thread of vCPU 0 (the boot vCPU), so serial and exit-port I/O never
// leaves that thread; COM1 output is batched to the VMM core by the caller's sink.
import { MmioBus, PortBus, UnclaimedLogger } from '../devices/bus';
import { CmosRtc, CMOS_INDEX_PORT, CMOS_PORT_COUNT } from '../devices/cmosRtc';
import { DebugExit, DEBUG_EXIT_PORT, DEBUG_EXIT_PORT_SIZE } from '../devices/debugExit';
import { StopVm } from '../devices/deviceSignals';
import { I8042, I8042_COMMAND_PORT, I8042_DATA_PORT } from '../devices/i8042';
import { PicPair, PIC_MASTER_PORT, PIC_PORT_COUNT, PIC_SLAVE_PORT } from '../devices/pic8259';
import { NsClock, Pit8254, PIT_BASE_PORT, PIT_PORT_COUNT } from '../devices/pit8254';
import { PostCode, POST_CODE_PORT } from '../devices/postCode';
import { ByteSink, Uart16550 } from '../devices/uart16550';

export const COM1_PORT = 0x3f8;
export const COM1_PORT_COUNT = 8;
export const COM1_IRQ = 4;
export const PIT_IRQ = 0;

export interface LegacyDeviceOptions {
  serialSink: ByteSink;
  stop: StopVm;
  now: NsClock;
  wallClock?: () => Date;
  logUnclaimed?: UnclaimedLogger;
}

export interface LegacyDevices {
  portBus: PortBus;
  mmioBus: MmioBus;
  pic: PicPair;
  pit: Pit8254;
  com1: Uart16550;
}

/** Builds the buses and registers every legacy device on them. */
export function buildLegacyDevices(o: LegacyDeviceOptions): LegacyDevices {
  const portBus = new PortBus();
  const mmioBus = new MmioBus();
  portBus.logUnclaimed = o.logUnclaimed;
  mmioBus.logUnclaimed = o.logUnclaimed;
  const pic = new PicPair();
  const pit = new Pit8254(o.now, (level) => pic.setIrq(PIT_IRQ, level));
  const com1 = new Uart16550(o.serialSink, (level) => pic.setIrq(COM1_IRQ, level));
  const kbc = new I8042(o.stop);
  portBus.insert(PIC_MASTER_PORT, PIC_PORT_COUNT, pic.master);
  portBus.insert(PIC_SLAVE_PORT, PIC_PORT_COUNT, pic.slave);
  portBus.insert(PIT_BASE_PORT, PIT_PORT_COUNT, pit);
  portBus.insert(I8042_DATA_PORT, 1, kbc.dataPort);
  portBus.insert(I8042_COMMAND_PORT, 1, kbc.commandPort);
  portBus.insert(CMOS_INDEX_PORT, CMOS_PORT_COUNT, new CmosRtc(o.wallClock));
  portBus.insert(POST_CODE_PORT, 1, new PostCode());
  portBus.insert(DEBUG_EXIT_PORT, DEBUG_EXIT_PORT_SIZE, new DebugExit(o.stop));
  portBus.insert(COM1_PORT, COM1_PORT_COUNT, com1);
  return { portBus, mmioBus, pic, pit, com1 };
}

/** Buses for a vCPU that owns no devices: every port and MMIO access is unclaimed. */
export function emptyBuses(logUnclaimed?: UnclaimedLogger): { portBus: PortBus; mmioBus: MmioBus } {
  const portBus = new PortBus();
  const mmioBus = new MmioBus();
  portBus.logUnclaimed = logUnclaimed;
  mmioBus.logUnclaimed = logUnclaimed;
  return { portBus, mmioBus };
}
