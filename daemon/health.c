/* health.c - being written. */
#include "health.h"
