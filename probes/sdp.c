/* sdp.c - being written. */
#include "sdp.h"
