/*
 * hello: the smallest guest. Prints a greeting on COM1, checks that the loader passed a PVH
 * start_info block (magic 0x336ec578) and exits with 0, or 1 when the magic is missing. Used to
 * check that a loader, the serial port and the exit port work at all.
 */
#include "pvh.h"
#include "runtime.h"

int main(const void *start_info)
{
	const struct hvm_start_info *info = start_info;

	puts("Hello from the hello guest!");
	if (info == 0 || info->magic != XEN_HVM_START_MAGIC_VALUE) {
		print("hello: no PVH start_info magic at ");
		print_hex((uint64_t)info);
		putchar('\n');
		return 1;
	}
	puts("hello: PVH start_info magic is correct");
	return 0;
}
