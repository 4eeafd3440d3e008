/* fleet_footage.h - the recorders at run time: each scanned every [footage] scan_interval on
 * a worker pool of its own, the result written through the write batch a slice at a time (the
 * loop is never held long), and each of its cameras' recording gaps of the last day handed to
 * the verdict (VERDICT_FOOTAGE: "no recording 02:10–04:35"). With --once every recorder is
 * scanned once and each camera's round waits for its recorder's scan. Loop thread only. */
#ifndef CW_FLEET_FOOTAGE_H
#define CW_FLEET_FOOTAGE_H

#include "../config/cfg.h"
#include "../util/err.h"

struct fleet_env;
struct fleet_cam;
struct fleet_footage;

/* A camera of the fleet by id, or NULL (the fleet's own lookup). */
typedef struct fleet_cam *(*fleet_footage_find_fn)(void *data, const char *id);

/* Start the recorders of env->cfg (none: nothing runs). Borrows env for its life. Caller frees
 * with fleet_footage_free. */
int fleet_footage_new(struct fleet_env *env, fleet_footage_find_fn find, void *find_data,
                      struct fleet_footage **out, struct cw_err *err);

/* --once: make cam's round wait for its recorder's scan, when it has one. */
void fleet_footage_once_expect(struct fleet_footage *ff, struct fleet_cam *cam);

/* A new inventory (SIGHUP), in two steps so that a reload is all or nothing. First the
 * recorders of cfg are made beside the running ones (their sources; the pool when none ran):
 * 0, or -1 with err and nothing kept (out of memory, a worker that cannot start). Then
 * fleet_footage_reload takes them (cannot fail): a scan in flight is dropped when it returns
 * and every recorder is scanned again soon; env->cfg must be cfg by then. Or
 * fleet_footage_cancel drops them (none prepared: nothing done). */
int fleet_footage_prepare(struct fleet_footage *ff, const struct cfg *cfg, struct cw_err *err);
void fleet_footage_reload(struct fleet_footage *ff);
void fleet_footage_cancel(struct fleet_footage *ff);

/* Stop scanning: timers stopped, scans on the workers told to give up, nothing more written.
 * Joins the workers. */
void fleet_footage_stop(struct fleet_footage *ff);
void fleet_footage_free(struct fleet_footage *ff); /* accepts NULL; stops first */

#endif
