/*
 * pf-write: the KVMI PF-event scenario for writes. `test_page` is a 4 KiB page of its own; the
 * guest writes a known 16-byte pattern at its start (the store a write watch on the page must
 * catch) and prints what it reads back.
 */
#include "runtime.h"

#define PATTERN_LENGTH 16
#define PATTERN_FIRST_BYTE 0x5a

uint8_t test_page[4096] OWN_PAGE_DATA;

int main(const void *start_info)
{
	volatile uint8_t *page = test_page;

	(void)start_info;
	puts("pf-write: writing the pattern to test_page");
	for (int i = 0; i < PATTERN_LENGTH; i++)
		page[i] = (uint8_t)(PATTERN_FIRST_BYTE + i);

	print("pf-write: read back");
	for (int i = 0; i < PATTERN_LENGTH; i++) {
		putchar(' ');
		print_hex_byte(page[i]);
	}
	putchar('\n');
	return 0;
}
