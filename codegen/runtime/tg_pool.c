//go:build ignore

/* tg_pool.c: the thread pool behind tg_parallel_for (minimal: serial). */
#include "tg_rt_internal.h"

int tg_pool_start(int n_threads, char **err)
{
    (void)n_threads;
    (void)err;
    return 0;
}

int tg_num_threads(void)
{
    return 1;
}

void tg_parallel_for(int64_t n, int64_t grain, tg_range_fn body, void *ctx)
{
    (void)grain;
    if (n > 0) {
        body(ctx, 0, n);
    }
}
