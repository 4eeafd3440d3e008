/* verdict.h - the one place that decides a camera's state. A DESCRIBE result
 * (liveness) is weighed with the reasons the other probes left (device: the
 * last ONVIF probe; picture: the last stream sample), the verdict goes to
 * health_record_probe(), and the probe row (with health's run of verdicts) and
 * any transition go to the store through the write batch.
 *   DESCRIBE result -> verdict_liveness() -> reasons combined -> health -> store
 *   ONVIF, sample   -> verdict_set_input() (weighed by the next liveness verdict)
 * With --once a camera that answered holds its result until its sample and
 * its ONVIF probe are in (verdict_probe_over()), so its one verdict weighs all
 * three; the once_done hook fires when every camera's round is complete.
 * Loop thread only. */
#ifndef CW_VERDICT_H
#define CW_VERDICT_H

#include <stdint.h>

#include "../index/store.h"
#include "../probes/rtsp.h"
#include "../util/err.h"
#include "health.h"

#define VERDICT_REASONS_MAX 512 /* one input's reasons ("; "-separated) */

/* What the other probes say about a camera, in the order their reasons are joined (footage:
 * its recorder's gaps in the last day, fleet_footage.c). */
enum verdict_input { VERDICT_DEVICE, VERDICT_PICTURE, VERDICT_FOOTAGE, VERDICT_INPUT_COUNT };

struct fleet_cam;
struct fleet_env;
struct verdict;

/* A camera's part, embedded in its record; verdict.c's fields (others call verdict_state). */
struct verdict_cam {
    struct health h;
    /* Allocated, so a fleet of 30,000 cameras does not carry 30,000 empty buffers: most
     * cameras have no reasons and never hold a result. */
    struct {
        int faulty;    /* makes a good answer DEGRADED */
        char *reasons; /* "; "-separated, at most VERDICT_REASONS_MAX - 1 bytes; NULL: none */
    } in[VERDICT_INPUT_COUNT];
    /* --once */
    unsigned waits; /* kinds (1 << enum fleet_kind) whose probe of this round is still out */
    int judged;     /* its one liveness verdict is written */
    int open;       /* its round is not complete yet */
    struct rtsp_result *held_result; /* waits for the probes in waits; NULL: none */
};

/* Borrows env (its store, batch, cfg and scheduler) for its life. once_done(data) fires when
 * the --once round is complete. Caller frees with verdict_free. */
int verdict_new(const struct fleet_env *env, void (*once_done)(void *data), void *data,
                struct verdict **out, struct cw_err *err);
void verdict_free(struct verdict *v); /* accepts NULL */

/* A new camera: UNKNOWN since now_ms, nothing said by other probes. */
void verdict_cam_init(struct verdict_cam *vc, int64_t now_ms);
/* What the camera's part holds (reasons, a held result); the part itself is its owner's. */
void verdict_cam_free(struct verdict_cam *vc);
/* Take the state the store holds (a start, or a camera new to the fleet), with the run of
 * verdicts health was counting (written with each probe), so hysteresis goes on across a
 * restart or from one --once run to the next. */
void verdict_resume(struct fleet_cam *cam, const struct store_status *st);
/* Another connection moved the camera (staff, maintenance): take the store's state. */
void verdict_adopt(struct fleet_cam *cam, const struct store_status *st);
enum cw_state verdict_state(const struct fleet_cam *cam);

/* What the last probe of another kind said: faulty makes the next good answer DEGRADED with
 * reasons (copied; cut at VERDICT_REASONS_MAX). */
void verdict_set_input(struct fleet_cam *cam, enum verdict_input in, int faulty,
                       const char *reasons);

/* A DESCRIBE result of cam (borrowed): its verdict, written; or with --once, held until the
 * camera's sample (queued here) and ONVIF probe are over. */
void verdict_liveness(struct verdict *v, struct fleet_cam *cam, const struct rtsp_result *r);
/* --once: cam's probe of kind k (enum fleet_kind) is over, with or without a result. A held
 * verdict whose waits are over is written. Does nothing in a running daemon. */
void verdict_probe_over(struct verdict *v, struct fleet_cam *cam, int k);
/* --once: cam's round has begun; what its queued probes are is read from its entries. */
void verdict_once_expect(struct verdict *v, struct fleet_cam *cam);
/* --once: cam's round waits for k too (a pseudo kind beyond the sched kinds: FLEET_FOOTAGE,
 * its recorder's scan), until verdict_probe_over(v, cam, k). Only during an open round. */
void verdict_once_wait(struct fleet_cam *cam, int k);

#endif
