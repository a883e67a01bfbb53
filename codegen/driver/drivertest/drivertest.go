// Package drivertest gives the driver's and loader's tests what they
// compile: a stub runtime (the real headers plus a small tg_rt.c standing
// in for codegen/runtime's until it lands) and tiny kernels implementing
// tg_kernel.h.
package drivertest

import (
	"io/fs"
	"testing"
	"testing/fstest"

	"theanogo/codegen/driver"
	rtsrc "theanogo/codegen/runtime"
)

// StubRuntimeC implements the parts of tg_rt.h the tests use: errors,
// states and slots, and tg_rt_init (which records its arguments).
const StubRuntimeC = `
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tg_rt.h"

int tg_stub_threads = 0;

int tg_rt_init(const char *blas_library, int n_threads, char **err) {
    if (n_threads < 0) {
        return tg_set_error(err, "ValueError: negative thread count %d", n_threads);
    }
    tg_stub_threads = n_threads;
    (void)blas_library;
    return 0;
}

int tg_num_threads(void) { return tg_stub_threads; }

int tg_set_error(char **err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = malloc(n + 1);
    if (s != NULL) {
        va_start(ap, fmt);
        vsnprintf(s, n + 1, fmt, ap);
        va_end(ap);
    }
    *err = s;
    return 1;
}

tg_state *tg_state_new(int32_t n_slots, int32_t n_nodes, int32_t profile) {
    tg_state *s = calloc(1, sizeof(tg_state));
    if (s == NULL) return NULL;
    s->n_slots = n_slots;
    s->slots = calloc(n_slots > 0 ? n_slots : 1, sizeof(tg_slot));
    s->n_nodes = n_nodes;
    s->prof_ns = calloc(n_nodes > 0 ? n_nodes : 1, sizeof(int64_t));
    s->prof_calls = calloc(n_nodes > 0 ? n_nodes : 1, sizeof(int64_t));
    s->profile = profile;
    return s;
}

void tg_state_free(tg_state *s) {
    if (s == NULL) return;
    for (int32_t i = 0; i < s->n_slots; i++) free(s->slots[i].data);
    free(s->slots);
    free(s->prof_ns);
    free(s->prof_calls);
    free(s);
}

int64_t tg_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
`

// AddOneName is the module and kernel symbol of AddOneSource.
const AddOneName = "tg_fn_addone"

// AddOneSource is a kernel (tg_kernel.h) with one float64 input x and
// results x + 1 and the number of calls of its state so far (an int64
// scalar). A negative first element fails with an IndexError; a first
// element of 1000 is passed to the evaluator fallback as node 7 instead.
const AddOneSource = `
#include "tg_rt.h"
#include "tg_scalar.h"

extern "C" int tg_fn_addone(tg_args *a) {
    tg_state *st = (tg_state *)a->function;
    if (a->n_inputs != 1 || a->n_results != 2 || a->inputs[0].dtype != TG_FLOAT64) {
        return tg_set_error(&a->error, "TypeError: tg_fn_addone takes one float64 array and returns two results");
    }
    const tg_buffer *x = &a->inputs[0];
    int64_t n = 1;
    for (int32_t d = 0; d < x->ndim; d++) n *= x->shape[d];
    const double *xs = (const double *)x->data;
    if (n > 0 && xs[0] < 0) {
        return tg_set_error(&a->error, "IndexError: index %g is out of bounds", xs[0]);
    }
    if (n > 0 && xs[0] == 1000) {
        if (st == nullptr || st->eval_node == nullptr) {
            return tg_set_error(&a->error, "ValueError: no evaluator fallback");
        }
        if (st->eval_node(st->go_handle, 7, x, 1, a->alloc, a->alloc_ctx, &a->error) != 0) {
            return 1;
        }
    } else {
        double *y = (double *)a->alloc(a->alloc_ctx, 0, x->ndim, x->shape);
        if (y == nullptr) {
            return tg_set_error(&a->error, "MemoryError: cannot allocate the result");
        }
        for (int64_t i = 0; i < n; i++) y[i] = xs[i] + 1;
    }
    int64_t *calls = (int64_t *)a->alloc(a->alloc_ctx, 1, 0, nullptr);
    if (calls == nullptr) {
        return tg_set_error(&a->error, "MemoryError: cannot allocate the count");
    }
    *calls = st != nullptr && st->n_nodes > 0 ? ++st->prof_calls[0] : -1;
    return 0;
}
`

// StubRuntime is the real runtime headers plus StubRuntimeC as tg_rt.c.
func StubRuntime() fs.FS {
	m := fstest.MapFS{"tg_rt.c": {Data: []byte(StubRuntimeC)}}
	err := fs.WalkDir(rtsrc.FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(rtsrc.FS(), path)
		if err == nil && len(path) > 2 && path[len(path)-2:] == ".h" {
			m[path] = &fstest.MapFile{Data: data}
		}
		return err
	})
	if err != nil {
		panic(err) // the embedded files are always readable
	}
	return m
}

// Config is driver.Default() with a fresh cache under t.TempDir() and the
// stub runtime; it skips nothing: a machine without a compiler fails.
func Config(t testing.TB) driver.Config {
	t.Helper()
	c, err := driver.Default()
	if err != nil {
		t.Fatal(err)
	}
	c.CacheDir = t.TempDir() + "/cache"
	c.Runtime = StubRuntime()
	return c
}
