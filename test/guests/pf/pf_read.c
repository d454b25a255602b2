/*
 * pf-read: the KVMI PF-event scenario for reads. `test_page` is a 4 KiB page of its own holding
 * a message; the guest reads the page (the loads a read watch must catch) and prints the message
 * and a sum over the whole page.
 */
#include "runtime.h"

uint8_t test_page[4096] OWN_PAGE_DATA = "the watched page says hello";

int main(const void *start_info)
{
	const volatile uint8_t *page = test_page;
	char message[64];
	uint64_t sum = 0;
	int length = 0;

	(void)start_info;
	while (length < (int)sizeof(message) - 1 && page[length] != 0) {
		message[length] = (char)page[length];
		length++;
	}
	message[length] = '\0';
	for (int i = 0; i < (int)sizeof(test_page); i++)
		sum += page[i];

	print("pf-read: test_page says \"");
	print(message);
	print("\", byte sum ");
	print_hex(sum);
	putchar('\n');
	return 0;
}
