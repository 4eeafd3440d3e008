/* uptime.c - being written. */
#include "uptime.h"
