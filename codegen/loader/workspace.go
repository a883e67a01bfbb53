package loader

/*
#cgo CFLAGS: -I${SRCDIR}/../runtime
#include "tg_rt.h"

// tgl_workspace_bytes sums the bytes of s's workspace slots and of its
// regions' child states, recursively.
static int64_t tgl_workspace_bytes(uintptr_t p) {
    const tg_state *s = (const tg_state *)p;
    if (s == NULL) return 0;
    int64_t total = 0;
    for (int32_t i = 0; i < s->n_slots; i++) total += (int64_t)s->slots[i].bytes;
    for (int32_t i = 0; i < s->n_children; i++) total += tgl_workspace_bytes((uintptr_t)s->children[i]);
    return total;
}
*/
import "C"

// WorkspaceBytes is the memory a state's workspace holds now: every slot's
// buffer (intermediates, the view table, matrix products' arenas) and its
// regions' child states. A kernel grows its slots on its first call and
// keeps them, so after a call this is the function's steady workspace;
// tests and benchmarks report it (the memory planner's effect), nothing
// depends on it. The state must not be in use by a call.
func WorkspaceBytes(state uintptr) int64 {
	return int64(C.tgl_workspace_bytes(C.uintptr_t(state)))
}
