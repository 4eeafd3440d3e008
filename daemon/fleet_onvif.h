/* fleet_onvif.h - the fleet's ONVIF probes: one sched kind, at most
 * [probe.onvif] concurrency in flight on the shared curl multi; the device
 * facts go to the store, the reasons they give to the verdict. Loop thread
 * only. */
#ifndef CW_FLEET_ONVIF_H
#define CW_FLEET_ONVIF_H

#include <stddef.h>

#include "sched.h"

struct fleet_cam;
struct store_device_change;

/* The kind's ops; their data is the struct fleet_env, their entries' owner a fleet_cam. */
extern const struct sched_ops fleet_onvif_ops;

/* The camera has an ONVIF URL to probe. */
int fleet_onvif_wanted(const struct fleet_cam *cam);
/* The first probe: queued now with --once, else due at a random time within spread_s. */
void fleet_onvif_first(struct fleet_cam *cam, double spread_s);
/* The device reasons from what the store holds, for a camera resumed after a restart. */
void fleet_onvif_resume(struct fleet_cam *cam);
/* A camera kept by a reload: start probing it when it gained an onvif_url, stop (and forget
 * its reasons) when it lost it. */
void fleet_onvif_reloaded(struct fleet_cam *cam, double spread_s);
/* Log device fact changes, once their record landed in the store (the batch's hook). */
void fleet_onvif_log_changes(const struct store_device_change *c, size_t n);

#endif
