// 16550 UART registers: transmit to the sink, LSR, DLAB divisor latch, IIR sources, RX and IRQ.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Uart16550, UART_IER_DLM, UART_IIR_FCR, UART_LCR, UART_LSR, UART_MCR, UART_MSR, UART_RBR_THR_DLL, UART_SCR } from '../../../src/vmm/devices/uart16550';

function uart() {
  const out: number[] = [];
  const irq: boolean[] = [];
  const dev = new Uart16550((b) => out.push(b), (level) => irq.push(level));
  return { dev, out, irq };
}

test('THR writes reach the sink and LSR always shows THRE|TEMT', () => {
  const { dev, out } = uart();
  for (const c of 'hi') dev.write(UART_RBR_THR_DLL, 1, c.charCodeAt(0));
  assert.equal(Buffer.from(out).toString(), 'hi');
  assert.equal(dev.read(UART_LSR, 1), 0x60);
});

test('with DLAB set, offsets 0 and 1 are the divisor latch, not THR/IER', () => {
  const { dev, out } = uart();
  dev.write(UART_LCR, 1, 0x83);
  dev.write(UART_RBR_THR_DLL, 1, 0x01);
  dev.write(UART_IER_DLM, 1, 0x00);
  assert.equal(dev.divisorLatch, 1);
  assert.equal(dev.read(UART_RBR_THR_DLL, 1), 1);
  dev.write(UART_LCR, 1, 0x03);
  assert.equal(dev.read(UART_IER_DLM, 1), 0, 'IER untouched by the DLM write');
  assert.deepEqual(out, [], 'nothing transmitted while DLAB was set');
  assert.equal(dev.read(UART_LCR, 1), 0x03);
});

test('received bytes queue behind RBR with LSR.DR and an RX-data interrupt when enabled', () => {
  const { dev, irq } = uart();
  dev.write(UART_IER_DLM, 1, 0x01);
  assert.equal(dev.read(UART_IIR_FCR, 1), 0x01, 'no interrupt pending yet');
  dev.receive([0x61, 0x62]);
  assert.deepEqual(irq, [true]);
  assert.equal(dev.read(UART_LSR, 1) & 1, 1);
  assert.equal(dev.read(UART_IIR_FCR, 1), 0x04);
  assert.equal(dev.read(UART_RBR_THR_DLL, 1), 0x61);
  assert.equal(dev.read(UART_RBR_THR_DLL, 1), 0x62);
  assert.equal(dev.read(UART_LSR, 1) & 1, 0);
  assert.deepEqual(irq, [true, false]);
});

test('THRE interrupt: raised when ETBEI is enabled, cleared by reading IIR, re-armed by a THR write', () => {
  const { dev, irq } = uart();
  dev.write(UART_IIR_FCR, 1, 0x01);                  // FIFO on: IIR bits 7:6 set
  dev.write(UART_IER_DLM, 1, 0x02);
  assert.deepEqual(irq, [true]);
  assert.equal(dev.read(UART_IIR_FCR, 1), 0xc2);
  assert.equal(dev.read(UART_IIR_FCR, 1), 0xc1);
  assert.deepEqual(irq, [true, false]);
  dev.write(UART_RBR_THR_DLL, 1, 0x41);
  assert.deepEqual(irq, [true, false, true]);
});

test('scratch register holds a byte; MSR reports carrier, DSR and CTS; loopback mirrors MCR', () => {
  const { dev, out } = uart();
  dev.write(UART_SCR, 1, 0x5a);
  assert.equal(dev.read(UART_SCR, 1), 0x5a);
  assert.equal(dev.read(UART_MSR, 1), 0xb0);
  dev.write(UART_MCR, 1, 0x10 | 0x0f);
  assert.equal(dev.read(UART_MSR, 1), 0xf0);
  dev.write(UART_RBR_THR_DLL, 1, 0x33);
  assert.deepEqual(out, [], 'loopback keeps bytes off the line');
  assert.equal(dev.read(UART_RBR_THR_DLL, 1), 0x33);
});
