/* rtsp.c - being written. */
#include "rtsp.h"
