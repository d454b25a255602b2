/*
 * COM1 output for the guests: polls the 16550 line status register until the transmit holding
 * register is empty, then writes one byte. No initialisation is done; a PC-compatible UART model
 * (QEMU's, or the VMM's) accepts bytes in its reset state.
 */
#include "runtime.h"

/* 16550 UART registers (National Semiconductor PC16550D datasheet, table 2). */
#define COM1_BASE	0x3f8
#define UART_THR	0	/* transmit holding register (DLAB=0, write) */
#define UART_LSR	5	/* line status register */
#define UART_LSR_THRE	0x20	/* bit 5: transmit holding register empty */

int putchar(int c)
{
	while ((inb(COM1_BASE + UART_LSR) & UART_LSR_THRE) == 0)
		;
	outb(COM1_BASE + UART_THR, (uint8_t)c);
	return (uint8_t)c;
}

void print(const char *s)
{
	while (*s)
		putchar(*s++);
}

int puts(const char *s)
{
	print(s);
	putchar('\n');
	return 0;
}

static const char digits[] = "0123456789abcdef";

void print_hex_byte(uint8_t value)
{
	putchar(digits[value >> 4]);
	putchar(digits[value & 0xf]);
}

void print_hex(uint64_t value)
{
	int shift = 60;

	print("0x");
	while (shift > 0 && ((value >> shift) & 0xf) == 0)
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		putchar(digits[(value >> shift) & 0xf]);
}

void print_dec(uint64_t value)
{
	char buffer[21];
	int i = sizeof(buffer);

	buffer[--i] = '\0';
	do {
		buffer[--i] = (char)('0' + value % 10);
		value /= 10;
	} while (value != 0);
	print(&buffer[i]);
}
