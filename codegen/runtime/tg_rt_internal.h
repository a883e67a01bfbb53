/*
 * tg_rt_internal.h: what the runtime's own .c files share and kernels never
 * see (tg_rt_init wiring the pool and the BLAS loader together).
 */
#ifndef TG_RT_INTERNAL_H
#define TG_RT_INTERNAL_H

#include <pthread.h>
#include <unistd.h>

#include "tg_rt.h"

/* The most threads a pool runs (the caller included). */
#define TG_POOL_MAX_THREADS 256

/* Starts the pool's n_threads-1 workers (tg_pool.c). 0 or 1 with *err. */
int tg_pool_start(int n_threads, char **err);

/* Loads the CBLAS library at path (NULL or "": none) and sets its thread
 * count (tg_blas.c). 0 or 1 with *err. */
int tg_blas_load(const char *path, int n_threads, char **err);

#endif /* TG_RT_INTERNAL_H */
