/* fleet_sample.h - the fleet's stream samples: one sched kind whose probes
 * run on the worker pool (libavformat opens and reads), at most one per
 * worker; each sample judged (quality_assess), written, and its reasons
 * handed to the verdict. With a [probe.stream] budget a pacer spreads them
 * over the fleet within that share of one core. Loop thread only. */
#ifndef CW_FLEET_SAMPLE_H
#define CW_FLEET_SAMPLE_H

#include <stddef.h>

#include "../index/store.h"
#include "sched.h"

struct fleet_cam;
struct fleet_env;

#define FLEET_SAMPLE_CPU_PRIOR_S 0.05 /* a sample's CPU until one is measured (640x360: 0.04 s) */

/* The kind's ops; their data is the struct fleet_env, their entries' owner a fleet_cam. */
extern const struct sched_ops fleet_sample_ops;

/* The last sample's verdict from the store, so a restart does not call a degraded camera up
 * until its first sample in this process. st is the camera's row. */
void fleet_sample_resume(struct fleet_cam *cam, const struct store_status *st);

/* Seconds between two samples the pacer starts: what budget_pct % of one core allows for
 * samples of cpu_s each; 0 when there is no budget. */
double fleet_sample_gap_s(double budget_pct, double cpu_s);
/* How long a round over n cameras takes at that pace: never less than the interval, since no
 * camera is sampled more often. */
double fleet_sample_round_s(double budget_pct, double cpu_s, int64_t interval_ms, size_t n);

/* The pacer (a running daemon with a budget): start it, stop it; the fleet's cameras changed
 * (a build). */
void fleet_sample_pace_start(struct fleet_env *env);
void fleet_sample_pace_stop(struct fleet_env *env);
void fleet_sample_pace_cams(struct fleet_env *env, struct fleet_cam **cams, size_t n);
/* The next camera the pacer would start now (taken off its list), or NULL: a camera with a
 * fault or just back before the round's turn, but every other pick at most while the round
 * has one due; down, in maintenance, already queued or sampled within the interval ones
 * skipped. */
struct fleet_cam *fleet_sample_pick(struct fleet_env *env, double now);
/* cam's sample found a fault: sample it again an interval after, before the round's turn. */
void fleet_sample_again(struct fleet_cam *cam);
/* cam came back (DOWN -> answering): sample it next. */
void fleet_sample_soon(struct fleet_cam *cam);
/* cam leaves the fleet: off the pacer's lists. */
void fleet_sample_forget(struct fleet_cam *cam);
/* How long a round over every camera takes at this size and budget (s), and the last one
 * measured (0: none yet); a sample's CPU (s). */
void fleet_sample_round(const struct fleet_env *env, double *expected_s, double *last_s,
                        double *cpu_s);

#endif
