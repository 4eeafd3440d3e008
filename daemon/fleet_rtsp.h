/* fleet_rtsp.h - the fleet's RTSP DESCRIBE probes (liveness): one sched kind,
 * at most [probe.rtsp] concurrency in flight on the shared curl multi, each
 * result handed to the verdict. Loop thread only. */
#ifndef CW_FLEET_RTSP_H
#define CW_FLEET_RTSP_H

#include "sched.h"

/* The kind's ops; their data is the struct fleet_env, their entries' owner a fleet_cam. */
extern const struct sched_ops fleet_rtsp_ops;

#endif
