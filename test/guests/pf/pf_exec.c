/*
 * pf-exec: the KVMI PF-event scenario for instruction fetches. `test_page` is a function placed
 * at the start of a 4 KiB code page of its own (.page_text); calling it fetches from that page,
 * which an execute watch must catch.
 */
#include "runtime.h"

OWN_PAGE_TEXT int test_page(int x)
{
	return x * 3 + 1;
}

int main(const void *start_info)
{
	int result;

	(void)start_info;
	puts("pf-exec: calling the code on test_page");
	result = test_page(14);
	print("pf-exec: test_page(14) returned ");
	print_dec((uint64_t)result);
	putchar('\n');
	return 0;
}
