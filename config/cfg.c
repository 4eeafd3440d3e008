/* cfg.c - being written. */
#include "cfg.h"
