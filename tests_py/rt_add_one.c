/* A hand-written kernel (tg_kernel.h ABI) for the _rt tests and the
 * call-overhead measurement: result 0 = input 0 + 1.0 (float64, any shape),
 * the loop a generated kernel runs for `x + 1`. function (args->function)
 * counts the calls when it is a pointer to an int64_t, if not 0. */
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "tg_kernel.h"

int add_one(tg_args *a)
{
    const tg_buffer *in = &a->inputs[0];
    int64_t n = 1, i;
    double *__restrict out;
    const double *__restrict x = (const double *)in->data;
    int32_t d;
    for (d = 0; d < in->ndim; d++)
        n *= in->shape[d];
    out = (double *)a->alloc(a->alloc_ctx, 0, in->ndim, in->shape);
    if (out == NULL) {
        a->error = strdup("MemoryError: add_one: no memory for the result");
        return 1;
    }
    for (i = 0; i < n; i++)
        out[i] = x[i] + 1.0;
    if (a->function != 0)
        ++*(int64_t *)(intptr_t)a->function;
    return 0;
}

/* add_one_waiting: add_one that reports its work (tg_args.work) as
 * args->function points it to (a pair of int64_t: the bytes to report, then
 * a flag, cleared on entry), before it allocates its result (_rt must take
 * the GIL back for the allocation), then waits up to one second for another
 * thread to set the flag to 1: it only can when the GIL was released. */
int add_one_waiting(tg_args *a)
{
    volatile int64_t *p = (volatile int64_t *)(intptr_t)a->function;
    struct timespec t0, t;
    p[1] = 0; /* a set made before the call does not count */
    if (a->work != NULL)
        a->work(a->alloc_ctx, (double)p[0]);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (p[1] == 0) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        if ((t.tv_sec - t0.tv_sec) * 1000000000LL + (t.tv_nsec - t0.tv_nsec) > 1000000000LL) {
            a->error = strdup("RuntimeError: add_one_waiting: no other thread ran");
            return 1;
        }
    }
    p[1] = 0;
    a->function = 0;
    return add_one(a);
}
