/* fleet_sample.h - the fleet's stream samples: one sched kind whose probes
 * run on the worker pool (libavformat opens and reads), at most one per
 * worker; each sample judged (quality_assess), written, and its reasons
 * handed to the verdict. Loop thread only. */
#ifndef CW_FLEET_SAMPLE_H
#define CW_FLEET_SAMPLE_H

#include "../index/store.h"
#include "sched.h"

struct fleet_cam;

/* The kind's ops; their data is the struct fleet_env, their entries' owner a fleet_cam. */
extern const struct sched_ops fleet_sample_ops;

/* The last sample's verdict from the store, so a restart does not call a degraded camera up
 * until its first sample in this process. st is the camera's row. */
void fleet_sample_resume(struct fleet_cam *cam, const struct store_status *st);

#endif
