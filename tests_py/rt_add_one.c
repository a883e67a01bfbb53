/* A hand-written kernel (tg_kernel.h ABI) for the _rt tests and the
 * call-overhead measurement: result 0 = input 0 + 1.0 (float64, any shape),
 * the loop a generated kernel runs for `x + 1`. function (args->function)
 * counts the calls when it is a pointer to an int64_t, if not 0. */
#include <stdlib.h>
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
