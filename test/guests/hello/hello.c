/*
 * hello: the smallest guest. Prints a greeting on COM1 and exits with code 0; used to check
 * that a loader, the serial port and the exit port work at all.
 */
#include "runtime.h"

int main(const void *start_info)
{
	(void)start_info;
	puts("Hello from the hello guest!");
	return 0;
}
