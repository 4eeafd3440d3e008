/* fleet_rtsp.h - the fleet's RTSP DESCRIBE probes (liveness): one sched kind,
 * [probe.rtsp] concurrency to concurrency_max in flight on the shared curl
 * multi, each result handed to the verdict. Cameras whose last probe failed
 * wait in the scheduler's bad lane; down ones are probed on a backoff of
 * their own with the short down_timeout. Loop thread only. */
#ifndef CW_FLEET_RTSP_H
#define CW_FLEET_RTSP_H

#include <stdint.h>

#include "../config/cfg.h"
#include "health.h"
#include "sched.h"

/* The kind's ops; their data is the struct fleet_env, their entries' owner a fleet_cam. */
extern const struct sched_ops fleet_rtsp_ops;

/* From one probe of a camera in health h to its next: the interval, or for a down camera
 * interval * 2^k after its k-th failure since it went down, at most down_interval (0: no
 * backoff). */
int64_t fleet_rtsp_interval(const struct cfg_rtsp *r, const struct health *h);
/* The timeout of a camera's next probe: down_timeout while it is down, else timeout. */
int64_t fleet_rtsp_timeout(const struct cfg_rtsp *r, const struct health *h);
/* A reload changed cam's rtsp_url or credential: its next probe, armed (a down camera's on a
 * backoff earned at the old address), is due now. One in flight or waiting for a slot goes on. */
struct fleet_cam;
void fleet_rtsp_readdressed(struct fleet_cam *cam);
/* The lane its next probe waits in: bad while its last verdict was a failure. */
enum sched_lane fleet_rtsp_lane(const struct health *h);

#endif
