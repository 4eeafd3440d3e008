/* verdict.c - the one place that decides a camera's state (verdict.h draws
 * the flow). Owns per camera its struct health, the reasons the other probes
 * left, and the --once hold; for the fleet, how many cameras' --once rounds
 * are still open. Writes through the write batch: the probe row, then the
 * transition, which the store refuses when the CLI moved the camera meanwhile
 * (then the store's state is adopted). Loop thread only.
 *
 * A --once round of one camera:
 *   open (waits = its queued probes) -> DESCRIBE result
 *     -> failed: verdict written at once          (judged)
 *     -> answered: sample queued, result held     verdict_liveness()
 *          -> sample and ONVIF over: verdict written   verdict_probe_over()
 *   judged and no waits -> complete; the last one fires once_done. */
#include "verdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/cwtime.h"
#include "../util/log.h"
#include "../util/text.h"
#include "fleet_cam.h"

struct verdict {
    const struct fleet_env *env;
    size_t once_left; /* cameras whose --once round is open */
    void (*once_done)(void *data);
    void *data;
};

int verdict_new(const struct fleet_env *env, void (*once_done)(void *data), void *data,
                struct verdict **out, struct cw_err *err)
{
    struct verdict *v = calloc(1, sizeof(*v));

    if (v == NULL)
        return cw_err_set(err, NULL, 0, NULL, "out of memory");
    v->env = env;
    v->once_done = once_done;
    v->data = data;
    *out = v;
    return 0;
}

void verdict_free(struct verdict *v)
{
    free(v);
}

void verdict_cam_init(struct verdict_cam *vc, int64_t now_ms)
{
    memset(vc, 0, sizeof(*vc));
    health_init(&vc->h, CW_UNKNOWN, now_ms, "");
}

void verdict_cam_free(struct verdict_cam *vc)
{
    health_free(&vc->h);
    for (int i = 0; i < VERDICT_INPUT_COUNT; i++) {
        free(vc->in[i].reasons);
        vc->in[i].reasons = NULL;
    }
    free(vc->held_result);
    vc->held_result = NULL;
}

/* Health's verdict kinds as the store keeps them, in enum health_verdict order. */
static const enum store_streak streak_of[] = {STORE_STREAK_OK, STORE_STREAK_DEGRADED,
                                              STORE_STREAK_FAIL};

void verdict_resume(struct fleet_cam *cam, const struct store_status *st)
{
    struct health *h = &cam->v.h;

    health_free(h);
    health_init(h, st->state, st->since_ms, st->reason);
    /* The run of verdicts the last run left: a restart or the next --once run goes on
     * counting it, as a daemon that never stopped would. */
    for (int k = HEALTH_OK; k <= HEALTH_FAIL && st->streak > 0; k++)
        if (streak_of[k] == st->streak_kind) {
            h->streak_kind = (enum health_verdict)k;
            h->streak = st->streak;
        }
}

void verdict_adopt(struct fleet_cam *cam, const struct store_status *st)
{
    /* Our own writes are visible to our connection, so a difference is another's doing. */
    if (cam->v.h.state == st->state)
        return;
    log_info("health: camera=%s %s->%s by staff (%s)", cam->id, cw_state_name(cam->v.h.state),
             cw_state_name(st->state), st->reason);
    /* Into or out of maintenance: the picture it showed before the work is no evidence after
     * it (no sample is taken meanwhile). Staff hand a camera back as unknown, and the daemon
     * may see only that, both changes made between two of its writes. */
    if (cam->v.h.state == CW_MAINTENANCE || st->state == CW_MAINTENANCE || st->state == CW_UNKNOWN)
        verdict_set_input(cam, VERDICT_PICTURE, 0, "");
    health_free(&cam->v.h);
    health_init(&cam->v.h, st->state, st->since_ms, st->reason);
}

enum cw_state verdict_state(const struct fleet_cam *cam)
{
    return cam->v.h.state;
}

void verdict_set_input(struct fleet_cam *cam, enum verdict_input in, int faulty,
                       const char *reasons)
{
    char **kept = &cam->v.in[in].reasons;

    cam->v.in[in].faulty = faulty != 0;
    free(*kept);
    *kept = NULL;
    if (reasons != NULL && reasons[0] != '\0' &&
        (*kept = strndup(reasons, VERDICT_REASONS_MAX - 1)) == NULL)
        log_warnx("verdict: camera=%s reasons not kept: out of memory", cam->id);
}

/* ---- the verdict ---- */

/* The reason of a failed DESCRIBE: "timeout (after 5000 ms)". */
static void verdict_liveness_reason(const struct rtsp_result *r, char *buf, size_t len)
{
    const char *what = rtsp_outcome_reason(r->outcome);

    int n;

    /* A reason longer than the buffer is cut; the outcome word comes first so it survives. */
    if (r->detail[0] != '\0' && strstr(r->detail, what) == NULL)
        n = snprintf(buf, len, "%s (%s)", what, r->detail);
    else if (r->detail[0] != '\0')
        n = snprintf(buf, len, "%s", r->detail);
    else
        n = snprintf(buf, len, "%s", what);
    if (n < 0)
        buf[0] = '\0';
}

static void verdict_log_transition(const struct fleet_cam *cam, const struct health_transition *t)
{
    if (t->to == CW_DOWN)
        log_warnx("health: camera=%s %s->%s %s", cam->id, cw_state_name(t->from),
                  cw_state_name(t->to), t->reason);
    else
        log_info("health: camera=%s %s->%s%s%s", cam->id, cw_state_name(t->from),
                 cw_state_name(t->to), t->reason[0] ? " " : "", t->reason);
}

static void verdict_write(const struct verdict *v, struct fleet_cam *cam,
                          const struct rtsp_result *r, enum health_verdict hv, const char *reason,
                          int64_t now)
{
    const struct cfg *cfg = v->env->cfg;
    struct health_params hp = {cfg->rtsp.down_after, cfg->rtsp.up_after};
    struct health_transition t;
    enum cw_state before;
    int changed;
    struct store_probe p;

    /* Opening the batch first adopts what the CLI changed, so health starts from it. */
    batch_open(v->env->batch);
    before = cam->v.h.state;
    changed = health_record_probe(&cam->v.h, &hp, hv, reason, now, &t);
    p = (struct store_probe){
        .camera_id = cam->id,
        .at_ms = now,
        .ok = r->outcome == RTSP_OK,
        .latency_ms = r->latency_ms,
        .rtsp_status = r->status,
        .codec = r->video.codec,
        .width = r->video.width,
        .height = r->video.height,
        .fps = r->video.fps,
        /* Within DOWN or DEGRADED the cause may change without a transition. */
        .reason = changed ? NULL : health_reason(&cam->v.h),
        .state = before,
        .streak_kind = cam->v.h.streak > 0 ? streak_of[cam->v.h.streak_kind] : STORE_STREAK_NONE,
        .streak = cam->v.h.streak,
    };
    batch_record_probe(v->env->batch, &p);
    if (!changed)
        return;
    /* No sample is taken while it is down: by the time it answers again, the picture it last
     * showed (or the sample that failed as it went) says nothing about it. */
    if (t.to == CW_DOWN)
        verdict_set_input(cam, VERDICT_PICTURE, 0, "");
    /* Written with the batch; refused there when the CLI moved the camera meanwhile, and then
     * the store's row comes back through the adopt hook. */
    batch_record_transition(v->env->batch, cam->id, t.from, t.to, t.at_ms, t.reason);
    verdict_log_transition(cam, &t);
}

/* The liveness verdict of a DESCRIBE result, weighed with what the other probes said last. */
static void verdict_apply(const struct verdict *v, struct fleet_cam *cam,
                          const struct rtsp_result *r)
{
    char reason[HEALTH_REASON_MAX] = "";
    enum health_verdict hv = HEALTH_OK;

    /* What the CLI changed is adopted before the inputs are weighed: staff handing a camera
     * back clears the picture from before the work (verdict_adopt). */
    batch_open(v->env->batch);
    if (r->outcome != RTSP_OK) {
        hv = HEALTH_FAIL;
        verdict_liveness_reason(r, reason, sizeof(reason));
    } else {
        int slow = r->latency_ms > v->env->cfg->rtsp.slow_ms, faulty = slow;

        if (slow)
            cw_text_addf(reason, sizeof(reason), "slow answer: %d ms (limit %lld ms)",
                         r->latency_ms, (long long)v->env->cfg->rtsp.slow_ms);
        /* Broken parameter sets in the SDP: the camera answers and its stream usually plays
         * (encoders repeat them in-band), so the stream sample says whether a picture
         * decodes; a client that trusts the SDP may not play it. */
        if (r->video.problem[0] != '\0') {
            faulty = 1;
            cw_text_addf(reason, sizeof(reason), "bad SDP (%s)", r->video.problem);
        }
        /* Longer reasons are cut: the state's reason has room for the first ones, the sample
         * and device rows keep them all. */
        for (int i = 0; i < VERDICT_INPUT_COUNT; i++) {
            if (!cam->v.in[i].faulty)
                continue;
            faulty = 1;
            cw_text_addf(reason, sizeof(reason), "%s",
                         cam->v.in[i].reasons ? cam->v.in[i].reasons : "");
        }
        if (faulty)
            hv = HEALTH_DEGRADED;
    }
    if (hv != HEALTH_OK)
        log_debug("probe: camera=%s %s", cam->id, reason);
    verdict_write(v, cam, r, hv, reason, cw_now_ms());
}

/* ---- --once ---- */

/* cam's round is complete when its verdict is written and none of its probes is out. */
static void verdict_once_check(struct verdict *v, struct fleet_cam *cam)
{
    struct verdict_cam *vc = &cam->v;

    if (!vc->open || !vc->judged || vc->waits != 0)
        return;
    vc->open = 0;
    if (v->once_left > 0 && --v->once_left == 0) {
        batch_commit(v->env->batch);
        if (v->once_done)
            v->once_done(v->data);
    }
}

void verdict_once_expect(struct verdict *v, struct fleet_cam *cam)
{
    struct verdict_cam *vc = &cam->v;

    vc->waits = 0;
    for (int k = 0; k < FLEET_KIND_COUNT; k++)
        if (sched_pending(&cam->run[k]))
            vc->waits |= 1u << k;
    vc->judged = 0;
    free(vc->held_result);
    vc->held_result = NULL;
    vc->open = 1;
    v->once_left++;
}

void verdict_once_wait(struct fleet_cam *cam, int k)
{
    if (cam->v.open)
        cam->v.waits |= 1u << k;
}

void verdict_liveness(struct verdict *v, struct fleet_cam *cam, const struct rtsp_result *r)
{
    struct verdict_cam *vc = &cam->v;
    const struct fleet_env *env = v->env;

    vc->waits &= ~(1u << FLEET_RTSP);
    if (env->once && r->outcome == RTSP_OK && !env->stopping) {
        /* Its one verdict weighs a sample too: taken now that it answers. */
        sched_enqueue(&cam->run[FLEET_SAMPLE]);
        if (sched_pending(&cam->run[FLEET_SAMPLE]))
            vc->waits |= 1u << FLEET_SAMPLE;
        /* Out of memory to hold it: judged now, without the others' reasons. */
        if (vc->waits != 0 && (vc->held_result = malloc(sizeof(*r))) != NULL) {
            *vc->held_result = *r;
            sched_dispatch(env->kind[FLEET_SAMPLE]);
            return;
        }
    }
    verdict_apply(v, cam, r);
    vc->judged = 1;
    verdict_once_check(v, cam);
}

void verdict_probe_over(struct verdict *v, struct fleet_cam *cam, int k)
{
    struct verdict_cam *vc = &cam->v;

    if (!v->env->once)
        return;
    vc->waits &= ~(1u << k);
    if (vc->held_result != NULL && vc->waits == 0) {
        if (!v->env->stopping)
            verdict_apply(v, cam, vc->held_result);
        free(vc->held_result);
        vc->held_result = NULL;
        vc->judged = 1;
    }
    verdict_once_check(v, cam);
}
