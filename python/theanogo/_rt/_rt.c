/*
 * theanogo._rt: the calling path of a compiled function (DESIGN.md, decision 2).
 *
 * _rt.Kernel is the base type of theanogo.Function. Calling it (vectorcall)
 * checks the arguments against the input types (exact numpy arrays of the
 * right dtype, rank, static lengths and layout go straight through; anything
 * else goes to a Python fallback that converts by Theano's rules or raises),
 * snapshots the shared values it reads from their containers (1-element
 * lists), calls the kernel (tg_kernel.h), and commits the update values into
 * the containers. One module-level lock orders the snapshots and commits of
 * all functions (decision 3): a function with updates holds it from the
 * snapshot through the kernel and the commit, so two functions updating one
 * variable from two threads lose no update. An in-place update writes into
 * the old value only when its container and the writer's snapshot are the
 * array's only references (inplace_target), so a reader holding a reference
 * (a call's snapshot, load() for get_value, pickling and copies) makes it
 * refuse; a reader must also never take its reference between that check
 * and the commit, while the kernel overwrites the array. Such writes are
 * counted (rt_inplace_inflight, from the check to the commit or failure,
 * changed and read only with the GIL held): a reader (a function without
 * updates, load()) takes its references with the GIL alone when none is in
 * flight, and otherwise under the lock, that is after the writer commits.
 * So nobody ever reads a value while it is being overwritten, and a reader
 * pays for the lock only when it has to wait. Functions without shared
 * inputs never look. store() (set_value) swaps a value in under the lock,
 * so an update in flight never commits over it.
 *
 * The GIL is released around the kernel when the inputs hold more than
 * release_gil_bytes (64 KiB by default), or, for a kernel that reports its
 * work (tg_args.work, called once its results are allocated), when the
 * inputs and the bytes it will go through hold more: below that the work takes
 * about as long as releasing and taking the GIL back (and the allocator
 * callback would have to take it once more per result), so small calls
 * keep it.
 *
 * Borrowed outputs (theanogo.Out(y, borrow=True)): the kernel keeps the
 * array it returned for such an output, and the next call writes into it
 * again when its dtype and shape fit, as Theano's borrow contract allows
 * (a borrowed output may be overwritten by the next call). It never does
 * when that memory is an input of the call, or a shared variable's value
 * (theanogo stores a borrowed array into a shared variable only after
 * release_borrowed(array), which makes every kernel forget it).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pythread.h>
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "tg_kernel.h"

_Static_assert(sizeof(npy_intp) == sizeof(int64_t), "numpy dimensions must be 64-bit");

#define SMALL 8 /* inputs and results handled without heap allocation */

typedef struct Kernel Kernel;

struct Kernel {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    int ready;
    tg_kernel_fn kernel;
    int64_t function;
    Py_ssize_t n_args;        /* explicit arguments */
    Py_ssize_t n_inputs;      /* arguments, then shared values */
    int *typenum;             /* per input: numpy type number */
    int *tgdtype;             /* per input: enum tg_dtype */
    int *ndim;                /* per input */
    Py_ssize_t *shape_at;     /* per input: offset into static_shape */
    int64_t *static_shape;    /* static lengths, -1 unknown */
    PyObject *containers;     /* tuple of 1-element lists, one per shared input */
    Py_ssize_t n_results;     /* outputs, then update values */
    Py_ssize_t n_outputs;
    int *result_typenum;
    Py_ssize_t n_updates;
    Py_ssize_t *update_target; /* per update value: index into containers */
    int *update_inplace;      /* per update value: the optimizer allows writing it into the old value */
    int single;               /* return the one output, not a list */
    PyObject *fallback;       /* fallback(self, index, value) -> ndarray, or raises */
    PyObject *raise_error;    /* raise_error(text): raises the kernel's error */
    PyObject *keywords;       /* keywords(self, args, kwargs) -> positional tuple */
    Py_ssize_t release_gil_bytes; /* release the GIL when the inputs hold more bytes; < 0 never */
    int *output_borrow;       /* per output: the previous call's array may be written again, or NULL */
    PyObject **kept;          /* per output: the previous call's array of a borrowed output, or NULL */
    Kernel *borrow_prev, *borrow_next; /* the list of kernels with borrowed outputs (under the GIL) */
};

static PyThread_type_lock rt_mutex;

/* In-place updates between their inplace_target check and their commit (or
 * failure), over all calls. Changed and read only with the GIL held. */
static Py_ssize_t rt_inplace_inflight;

/* Takes the module lock, letting other threads run while it waits. */
static void rt_lock(void);

/* A reader's lock: taken (returns 1) only while an in-place update is in
 * flight, so that the reader's references are taken after its commit. */
static int rt_lock_for_reading(void)
{
    if (rt_inplace_inflight == 0)
        return 0;
    rt_lock();
    return 1;
}

/* Kernels with borrowed outputs, so that release_borrowed finds every kept
 * array. Changed only with the GIL held. */
static Kernel *borrow_list;

/* Takes the module lock, letting other threads run while it waits. */
static void rt_lock(void)
{
    if (!PyThread_acquire_lock(rt_mutex, NOWAIT_LOCK)) {
        Py_BEGIN_ALLOW_THREADS
        PyThread_acquire_lock(rt_mutex, WAIT_LOCK);
        Py_END_ALLOW_THREADS
    }
}

/* The tg_dtype of an integer C type of size n, signed or not. */
static int tg_int(size_t n, int is_signed)
{
    switch (n) {
    case 1: return is_signed ? TG_INT8 : TG_UINT8;
    case 2: return is_signed ? TG_INT16 : TG_UINT16;
    case 4: return is_signed ? TG_INT32 : TG_UINT32;
    case 8: return is_signed ? TG_INT64 : TG_UINT64;
    }
    return 0;
}

/* The tg_dtype of a numpy type number, or 0 when the kernel ABI has none. */
static int tg_dtype_of(int typenum)
{
    switch (typenum) {
    case NPY_BOOL: return TG_BOOL;
    case NPY_BYTE: return TG_INT8;
    case NPY_UBYTE: return TG_UINT8;
    case NPY_SHORT: return tg_int(sizeof(short), 1);
    case NPY_USHORT: return tg_int(sizeof(short), 0);
    case NPY_INT: return tg_int(sizeof(int), 1);
    case NPY_UINT: return tg_int(sizeof(int), 0);
    case NPY_LONG: return tg_int(sizeof(long), 1);
    case NPY_ULONG: return tg_int(sizeof(long), 0);
    case NPY_LONGLONG: return tg_int(sizeof(long long), 1);
    case NPY_ULONGLONG: return tg_int(sizeof(long long), 0);
    case NPY_HALF: return TG_FLOAT16;
    case NPY_FLOAT: return TG_FLOAT32;
    case NPY_DOUBLE: return TG_FLOAT64;
    case NPY_CFLOAT: return TG_COMPLEX64;
    case NPY_CDOUBLE: return TG_COMPLEX128;
    }
    return 0;
}

/* Whether o can be passed as input i as it is: an exact ndarray of the
 * input's dtype and rank, its static lengths, C-contiguous, aligned and in
 * native byte order. */
static int fits(const Kernel *k, Py_ssize_t i, PyObject *o)
{
    PyArrayObject *a = (PyArrayObject *)o;
    const npy_intp *dims;
    const int64_t *want;
    int d;
    if (!PyArray_CheckExact(o) || PyArray_NDIM(a) != k->ndim[i])
        return 0;
    if (PyArray_TYPE(a) != k->typenum[i] && !PyArray_EquivTypenums(PyArray_TYPE(a), k->typenum[i]))
        return 0;
    if (!PyArray_IS_C_CONTIGUOUS(a) || !PyArray_ISALIGNED(a) || !PyArray_ISNOTSWAPPED(a))
        return 0;
    dims = PyArray_DIMS(a);
    want = k->static_shape + k->shape_at[i];
    for (d = 0; d < k->ndim[i]; d++)
        if (want[d] >= 0 && dims[d] != want[d])
            return 0;
    return 1;
}

/* One call's state, shared with the alloc and work callbacks. */
typedef struct {
    Kernel *k;
    PyObject **items;   /* the inputs: arguments, then the shared values snapshot */
    PyObject **results; /* n_results new references, NULL until allocated */
    int gil_held;       /* the calling thread holds the GIL in the kernel (not released yet) */
    unsigned long thread; /* the calling thread's ident */
    Py_ssize_t bytes;   /* the inputs' bytes */
    PyThreadState *released; /* the GIL released by rt_work: taken back after the kernel */
    Py_ssize_t inplace; /* in-place targets handed out, counted in rt_inplace_inflight */
} Call;

/* Whether the bytes [lo, hi) meet the C-contiguous array a's. */
static int overlaps(const char *lo, const char *hi, PyArrayObject *a)
{
    const char *alo = PyArray_BYTES(a), *ahi = alo + PyArray_NBYTES(a);
    return lo < ahi && alo < hi;
}

/* The byte range [lo, hi) an array of any layout touches (numpy's byte_bounds). */
static void byte_bounds(PyArrayObject *a, const char **lo, const char **hi)
{
    const char *low = PyArray_BYTES(a), *high = low;
    int d;
    for (d = 0; d < PyArray_NDIM(a); d++) {
        npy_intp n = PyArray_DIMS(a)[d], st = PyArray_STRIDES(a)[d];
        if (n == 0) {
            *lo = *hi = low;
            return;
        }
        if (st < 0)
            low += (n - 1) * st;
        else
            high += (n - 1) * st;
    }
    *lo = low;
    *hi = high + PyArray_ITEMSIZE(a);
}

/* Borrowed output: the previous call's array for output index, taken from
 * the kernel (so that a concurrent call cannot take it too), when the
 * kernel may write into it again: same dtype and shape, writeable,
 * C-contiguous, owning its data, and no input of this call in its memory.
 * Returns a new reference or NULL. Runs with the GIL. */
static PyArrayObject *borrowed_target(const Call *c, int32_t index, int32_t ndim, const int64_t *shape)
{
    Kernel *k = c->k;
    PyArrayObject *old;
    const char *lo, *hi;
    Py_ssize_t i;
    int d;
    if (k->kept == NULL || index >= k->n_outputs || (old = (PyArrayObject *)k->kept[index]) == NULL)
        return NULL;
    k->kept[index] = NULL;
    if (PyArray_TYPE(old) != k->result_typenum[index] || PyArray_NDIM(old) != ndim || PyArray_BASE(old) != NULL ||
        !PyArray_ISWRITEABLE(old) || !PyArray_IS_C_CONTIGUOUS(old) || !(PyArray_FLAGS(old) & NPY_ARRAY_OWNDATA))
        goto refuse;
    for (d = 0; d < ndim; d++)
        if (PyArray_DIMS(old)[d] != shape[d])
            goto refuse;
    lo = PyArray_BYTES(old);
    hi = lo + PyArray_NBYTES(old);
    for (i = 0; i < k->n_inputs; i++)
        if (overlaps(lo, hi, (PyArrayObject *)c->items[i]))
            goto refuse;
    return old;
refuse:
    Py_DECREF(old);
    return NULL;
}

/* In-place update: the old value of the update target when the new value
 * may be written into it, or NULL. The optimizer allows it per update; at
 * run time it is taken only when nothing outside this call holds the old
 * array (its container and this call's snapshot are its only references:
 * no user reference from get_value(borrow=True), no view of it, no other
 * thread's snapshot), and it has the new value's dtype, shape and a
 * writeable, C-contiguous buffer of its own. Callers hold the lock (a
 * function with updates keeps it through the commit), and the caller
 * counts the target in rt_inplace_inflight until its commit, so readers
 * (snapshots, load()) wait for the lock meanwhile: no reference can be
 * taken between this check and the commit. */
static PyArrayObject *inplace_target(const Call *c, int32_t index, int32_t ndim, const int64_t *shape)
{
    const Kernel *k = c->k;
    Py_ssize_t u = (Py_ssize_t)index - k->n_outputs;
    PyArrayObject *old;
    int d;
    if (k->update_inplace == NULL || u < 0 || u >= k->n_updates || !k->update_inplace[u])
        return NULL;
    old = (PyArrayObject *)c->items[k->n_args + k->update_target[u]];
    if (Py_REFCNT(old) != 2 || PyArray_BASE(old) != NULL || !PyArray_ISWRITEABLE(old) ||
        !PyArray_IS_C_CONTIGUOUS(old) || PyArray_TYPE(old) != k->result_typenum[index] || PyArray_NDIM(old) != ndim)
        return NULL;
    for (d = 0; d < ndim; d++)
        if (PyArray_DIMS(old)[d] != shape[d])
            return NULL;
    return old;
}

/* tg_alloc_fn: the memory of result index: the old value of an in-place
 * update, the previous array of a borrowed output, or a new C-contiguous
 * array. When the kernel runs without the GIL, takes it; when the calling
 * thread kept the GIL through the call (a small call), it is held already. */
static void *rt_alloc(void *ctx, int32_t index, int32_t ndim, const int64_t *shape)
{
    Call *c = (Call *)ctx;
    void *data = NULL;
    PyArrayObject *a = NULL;
    int take = !(c->gil_held && PyThread_get_thread_ident() == c->thread);
    PyGILState_STATE g = PyGILState_UNLOCKED;
    if (take)
        g = PyGILState_Ensure();
    if (index >= 0 && index < c->k->n_results && c->results[index] == NULL && ndim >= 0 && ndim <= NPY_MAXDIMS) {
        if ((a = inplace_target(c, index, ndim, shape)) != NULL) {
            Py_INCREF(a);
            c->inplace++;
            rt_inplace_inflight++;
        } else if ((a = borrowed_target(c, index, ndim, shape)) == NULL) {
            PyArray_Descr *descr = PyArray_DescrFromType(c->k->result_typenum[index]);
            a = descr ? (PyArrayObject *)PyArray_Empty(ndim, (npy_intp *)shape, descr, 0) : NULL; /* steals descr */
            if (a == NULL)
                PyErr_Clear();
        }
        if (a != NULL) {
            c->results[index] = (PyObject *)a;
            data = PyArray_DATA(a);
        }
    }
    if (take)
        PyGILState_Release(g);
    return data;
}

/* tg_work_fn: the kernel will go through `bytes` bytes now (its results are
 * allocated). When the call kept the GIL for its small inputs and the
 * inputs and this work together exceed release_gil_bytes, the GIL is
 * released for the rest of the kernel (kernel_call takes it back). Only
 * from the calling thread, once. */
static void rt_work(void *ctx, double bytes)
{
    Call *c = (Call *)ctx;
    if (!c->gil_held || c->released != NULL || c->k->release_gil_bytes < 0 ||
        (double)c->bytes + bytes <= (double)c->k->release_gil_bytes || PyThread_get_thread_ident() != c->thread)
        return;
    c->gil_held = 0; /* rt_alloc takes the GIL from here on */
    c->released = PyEval_SaveThread();
}

/* After a successful call: the kernel keeps each borrowed output's array
 * for the next call (dropping one a concurrent call kept meanwhile). */
static void keep_borrowed(Kernel *k, PyObject **results)
{
    Py_ssize_t i;
    if (k->kept == NULL)
        return;
    for (i = 0; i < k->n_outputs; i++)
        if (k->output_borrow[i]) {
            PyObject *prev = k->kept[i];
            Py_INCREF(results[i]);
            k->kept[i] = results[i];
            Py_XDECREF(prev);
        }
}

/* Raises the kernel's "Class: message" error through the Python helper. */
static void raise_kernel_error(const Kernel *k, char *text)
{
    PyObject *s, *r;
    if (text == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "theanogo: the kernel failed without an error message");
        return;
    }
    s = PyUnicode_DecodeUTF8(text, (Py_ssize_t)strlen(text), "replace");
    free(text);
    if (s == NULL)
        return;
    r = PyObject_CallOneArg(k->raise_error, s);
    Py_DECREF(s);
    Py_XDECREF(r);
    if (!PyErr_Occurred())
        PyErr_SetString(PyExc_RuntimeError, "theanogo: the kernel failed");
}

static PyObject *kernel_call(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames);

/* A call with keyword arguments: the Python helper maps them to positions. */
static PyObject *call_with_keywords(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    Kernel *k = (Kernel *)self;
    Py_ssize_t nkw = PyTuple_GET_SIZE(kwnames), i;
    PyObject *pos = NULL, *kw = NULL, *mapped = NULL, *result = NULL;
    if ((pos = PyTuple_New(nargs)) == NULL || (kw = PyDict_New()) == NULL)
        goto done;
    for (i = 0; i < nargs; i++) {
        Py_INCREF(args[i]);
        PyTuple_SET_ITEM(pos, i, args[i]);
    }
    for (i = 0; i < nkw; i++)
        if (PyDict_SetItem(kw, PyTuple_GET_ITEM(kwnames, i), args[nargs + i]) < 0)
            goto done;
    mapped = PyObject_CallFunctionObjArgs(k->keywords, self, pos, kw, NULL);
    if (mapped == NULL)
        goto done;
    if (!PyTuple_Check(mapped)) {
        PyErr_SetString(PyExc_TypeError, "theanogo: the keyword helper must return a tuple");
        goto done;
    }
    result = kernel_call(self, &PyTuple_GET_ITEM(mapped, 0), (size_t)PyTuple_GET_SIZE(mapped), NULL);
done:
    Py_XDECREF(pos);
    Py_XDECREF(kw);
    Py_XDECREF(mapped);
    return result;
}

static PyObject *kernel_call(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    Kernel *k = (Kernel *)self;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf), n = k->n_inputs, i, bytes = 0;
    PyObject *items_small[SMALL], *results_small[SMALL], *olds_small[SMALL];
    tg_buffer bufs_small[SMALL];
    PyObject **items = items_small, **results = results_small, **olds = olds_small;
    tg_buffer *bufs = bufs_small;
    PyObject *out = NULL;
    int locked = 0, rc;
    Call call;
    tg_args ta;

    if (!k->ready) {
        PyErr_SetString(PyExc_RuntimeError, "theanogo: Kernel object not initialized");
        return NULL;
    }
    if (kwnames != NULL && PyTuple_GET_SIZE(kwnames) > 0)
        return call_with_keywords(self, args, nargs, kwnames);
    if (nargs != k->n_args) {
        PyErr_Format(PyExc_TypeError, "theanogo function takes %zd argument(s), got %zd", k->n_args, nargs);
        return NULL;
    }
    if (n > SMALL) {
        items = PyMem_Calloc((size_t)n, sizeof(PyObject *));
        bufs = PyMem_Calloc((size_t)n, sizeof(tg_buffer));
    }
    if (k->n_results > SMALL)
        results = PyMem_Calloc((size_t)k->n_results, sizeof(PyObject *));
    if (k->n_updates > SMALL)
        olds = PyMem_Calloc((size_t)k->n_updates, sizeof(PyObject *));
    if (items == NULL || bufs == NULL || results == NULL || olds == NULL) {
        PyErr_NoMemory();
        goto free_scratch;
    }
    memset(items, 0, (size_t)n * sizeof(PyObject *));
    memset(results, 0, (size_t)k->n_results * sizeof(PyObject *));
    memset(olds, 0, (size_t)k->n_updates * sizeof(PyObject *));

    call.inplace = 0; /* read at fail */

    /* Explicit arguments: as they are, or through the fallback. */
    for (i = 0; i < nargs; i++) {
        PyObject *a = args[i];
        if (fits(k, i, a)) {
            Py_INCREF(a);
        } else {
            PyObject *idx = PyLong_FromSsize_t(i);
            if (idx == NULL)
                goto fail;
            a = PyObject_CallFunctionObjArgs(k->fallback, self, idx, a, NULL);
            Py_DECREF(idx);
            if (a == NULL)
                goto fail;
            if (!fits(k, i, a)) {
                Py_DECREF(a);
                PyErr_Format(PyExc_TypeError, "theanogo: argument %zd could not be converted to the input's type", i);
                goto fail;
            }
        }
        items[i] = a;
    }

    /* Shared values: a consistent snapshot (see the top of the file: no
     * snapshot may be taken between a writer's in-place check and its
     * commit). A function with updates takes the lock and holds it through
     * the commit; others take it only while an in-place update is in flight,
     * and let it go once they hold their references. No shared input, no
     * lock. */
    if (n > nargs) {
        if (k->n_updates > 0) {
            rt_lock();
            locked = 1;
        } else
            locked = rt_lock_for_reading();
        for (i = nargs; i < n; i++) {
            PyObject *c = PyTuple_GET_ITEM(k->containers, i - nargs);
            items[i] = PyList_GET_ITEM(c, 0);
            Py_INCREF(items[i]);
        }
        if (k->n_updates == 0 && locked) {
            PyThread_release_lock(rt_mutex);
            locked = 0;
        }
        for (i = nargs; i < n; i++)
            if (!fits(k, i, items[i])) {
                PyErr_Format(PyExc_TypeError, "theanogo: the value of shared input %zd has lost its dtype, rank or layout", i - nargs);
                goto fail;
            }
    }

    for (i = 0; i < n; i++) {
        PyArrayObject *a = (PyArrayObject *)items[i];
        bufs[i].data = PyArray_DATA(a);
        bufs[i].shape = (const int64_t *)PyArray_DIMS(a);
        bufs[i].ndim = PyArray_NDIM(a);
        bufs[i].dtype = k->tgdtype[i];
        bytes += PyArray_NBYTES(a);
    }
    call.k = k;
    call.items = items;
    call.results = results;
    call.gil_held = k->release_gil_bytes < 0 || bytes <= k->release_gil_bytes;
    call.thread = PyThread_get_thread_ident();
    call.bytes = bytes;
    call.released = NULL;
    ta.function = k->function;
    ta.n_inputs = (int32_t)n;
    ta.inputs = bufs;
    ta.n_results = (int32_t)k->n_results;
    ta.alloc = rt_alloc;
    ta.alloc_ctx = &call;
    ta.error = NULL;
    ta.work = rt_work;
    if (call.gil_held) {
        rc = k->kernel(&ta);
        if (call.released != NULL)
            PyEval_RestoreThread(call.released);
    } else {
        Py_BEGIN_ALLOW_THREADS
        rc = k->kernel(&ta);
        Py_END_ALLOW_THREADS
    }
    if (rc != 0) {
        rt_inplace_inflight -= call.inplace; /* nothing was written: a failing kernel checks before it writes */
        call.inplace = 0;
        if (locked) {
            PyThread_release_lock(rt_mutex);
            locked = 0;
        }
        raise_kernel_error(k, ta.error);
        goto fail;
    }
    free(ta.error);
    for (i = 0; i < k->n_results; i++)
        if (results[i] == NULL) {
            PyErr_Format(PyExc_RuntimeError, "theanogo: the kernel returned without result %zd", i);
            goto fail;
        }

    /* Commit: swap the update values in; drop the old ones after unlocking
     * (their destructors may run Python code). */
    for (i = 0; i < k->n_updates; i++) {
        PyObject *c = PyTuple_GET_ITEM(k->containers, k->update_target[i]);
        PyObject *v = results[k->n_outputs + i];
        olds[i] = PyList_GET_ITEM(c, 0);
        Py_INCREF(v);
        PyList_SET_ITEM(c, 0, v);
    }
    rt_inplace_inflight -= call.inplace;
    call.inplace = 0;
    if (locked) {
        PyThread_release_lock(rt_mutex);
        locked = 0;
    }
    keep_borrowed(k, results);

    if (k->single) {
        out = results[0];
        Py_INCREF(out);
    } else if ((out = PyList_New(k->n_outputs)) != NULL) {
        for (i = 0; i < k->n_outputs; i++) {
            Py_INCREF(results[i]);
            PyList_SET_ITEM(out, i, results[i]);
        }
    }

fail:
    rt_inplace_inflight -= call.inplace; /* a call that failed after its kernel (a missing result) */
    if (locked)
        PyThread_release_lock(rt_mutex);
    for (i = 0; i < n; i++)
        Py_XDECREF(items[i]);
    for (i = 0; i < k->n_results; i++)
        Py_XDECREF(results[i]);
    for (i = 0; i < k->n_updates; i++)
        Py_XDECREF(olds[i]);
free_scratch:
    if (items != items_small)
        PyMem_Free(items);
    if (bufs != bufs_small)
        PyMem_Free(bufs);
    if (results != results_small)
        PyMem_Free(results);
    if (olds != olds_small)
        PyMem_Free(olds);
    return out;
}

/* Unlinks k from the borrowed-output kernels and drops its kept arrays. */
static void forget_borrowed(Kernel *k)
{
    Py_ssize_t i;
    if (k->kept != NULL) {
        for (i = 0; i < k->n_outputs; i++)
            Py_CLEAR(k->kept[i]);
        PyMem_Free(k->kept);
        k->kept = NULL;
        if (k->borrow_prev != NULL)
            k->borrow_prev->borrow_next = k->borrow_next;
        else if (borrow_list == k)
            borrow_list = k->borrow_next;
        if (k->borrow_next != NULL)
            k->borrow_next->borrow_prev = k->borrow_prev;
        k->borrow_prev = k->borrow_next = NULL;
    }
    PyMem_Free(k->output_borrow);
    k->output_borrow = NULL;
}

static void kernel_free_state(Kernel *k)
{
    k->ready = 0;
    forget_borrowed(k);
    PyMem_Free(k->typenum);
    PyMem_Free(k->tgdtype);
    PyMem_Free(k->ndim);
    PyMem_Free(k->shape_at);
    PyMem_Free(k->static_shape);
    PyMem_Free(k->result_typenum);
    PyMem_Free(k->update_target);
    PyMem_Free(k->update_inplace);
    k->update_inplace = NULL;
    k->typenum = k->tgdtype = k->ndim = k->result_typenum = NULL;
    k->shape_at = k->update_target = NULL;
    k->static_shape = NULL;
    k->n_args = k->n_inputs = k->n_results = k->n_outputs = k->n_updates = 0;
    Py_CLEAR(k->containers);
    Py_CLEAR(k->fallback);
    Py_CLEAR(k->raise_error);
    Py_CLEAR(k->keywords);
}

/* Reads a sequence of Python ints into a new PyMem array of C ints (or
 * Py_ssize_t when wide). Returns the length, or -1 with an exception. */
static Py_ssize_t read_ints(PyObject *seq, void **out, int wide, const char *what)
{
    PyObject *fast = PySequence_Fast(seq, what);
    Py_ssize_t n, i;
    if (fast == NULL)
        return -1;
    n = PySequence_Fast_GET_SIZE(fast);
    *out = PyMem_Calloc((size_t)(n > 0 ? n : 1), wide ? sizeof(Py_ssize_t) : sizeof(int));
    if (*out == NULL) {
        Py_DECREF(fast);
        PyErr_NoMemory();
        return -1;
    }
    for (i = 0; i < n; i++) {
        Py_ssize_t v = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(fast, i));
        if (v == -1 && PyErr_Occurred()) {
            Py_DECREF(fast);
            return -1;
        }
        if (wide)
            ((Py_ssize_t *)*out)[i] = v;
        else
            ((int *)*out)[i] = (int)v;
    }
    Py_DECREF(fast);
    return n;
}

/* Kernel(kernel_address, function, input_types, n_args, containers,
 *        result_typenums, update_targets, n_outputs, single,
 *        fallback, raise_error, keywords, update_inplace=())
 * input_types: one (typenum, static_shape) per input, arguments then shared
 * values; containers: one 1-element list per shared input. */
static int kernel_init(PyObject *self, PyObject *args, PyObject *kwds)
{
    Kernel *k = (Kernel *)self;
    PyObject *address, *types, *containers, *results, *updates, *fallback, *raise_error, *keywords, *inplace = NULL;
    PyObject *borrow = NULL;
    Py_ssize_t release_gil_bytes = 65536;
    PyObject *fast = NULL;
    long long function;
    Py_ssize_t n_args, n_outputs, i, total = 0;
    int single;
    void *fn;
    static char *names[] = {"kernel_address", "function", "input_types", "n_args", "containers", "result_typenums",
                            "update_targets", "n_outputs", "single", "fallback", "raise_error", "keywords",
                            "update_inplace", "output_borrow", "release_gil_bytes", NULL};

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OLOnOOOnpOOO|OOn:Kernel", names, &address, &function, &types,
                                     &n_args, &containers, &results, &updates, &n_outputs, &single, &fallback,
                                     &raise_error, &keywords, &inplace, &borrow, &release_gil_bytes))
        return -1;
    if (k->ready) { /* a call may be running without the GIL: never swap the state under it */
        PyErr_SetString(PyExc_RuntimeError, "Kernel: already initialized");
        return -1;
    }
    kernel_free_state(k);
    fn = PyLong_AsVoidPtr(address);
    if (fn == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "Kernel: null kernel address");
        return -1;
    }
    if (!PyCallable_Check(fallback) || !PyCallable_Check(raise_error) || !PyCallable_Check(keywords)) {
        PyErr_SetString(PyExc_TypeError, "Kernel: fallback, raise_error and keywords must be callable");
        return -1;
    }
    k->kernel = (tg_kernel_fn)fn;
    k->function = (int64_t)function;

    if ((fast = PySequence_Fast(types, "Kernel: input_types must be a sequence")) == NULL)
        goto fail;
    k->n_inputs = PySequence_Fast_GET_SIZE(fast);
    if (n_args < 0 || n_args > k->n_inputs) {
        PyErr_SetString(PyExc_ValueError, "Kernel: n_args out of range");
        goto fail;
    }
    k->n_args = n_args;
    k->typenum = PyMem_Calloc((size_t)k->n_inputs + 1, sizeof(int));
    k->tgdtype = PyMem_Calloc((size_t)k->n_inputs + 1, sizeof(int));
    k->ndim = PyMem_Calloc((size_t)k->n_inputs + 1, sizeof(int));
    k->shape_at = PyMem_Calloc((size_t)k->n_inputs + 1, sizeof(Py_ssize_t));
    if (!k->typenum || !k->tgdtype || !k->ndim || !k->shape_at) {
        PyErr_NoMemory();
        goto fail;
    }
    for (i = 0; i < k->n_inputs; i++) {
        PyObject *t = PySequence_Fast_GET_ITEM(fast, i), *shape;
        int typenum;
        Py_ssize_t nd;
        if (!PyArg_ParseTuple(t, "iO:input type", &typenum, &shape))
            goto fail;
        if ((k->tgdtype[i] = tg_dtype_of(typenum)) == 0) {
            PyErr_Format(PyExc_TypeError, "Kernel: numpy type %d has no kernel dtype", typenum);
            goto fail;
        }
        if ((nd = PySequence_Size(shape)) < 0)
            goto fail;
        if (nd > NPY_MAXDIMS) {
            PyErr_SetString(PyExc_ValueError, "Kernel: rank too large");
            goto fail;
        }
        k->typenum[i] = typenum;
        k->ndim[i] = (int)nd;
        k->shape_at[i] = total;
        total += nd;
    }
    k->static_shape = PyMem_Calloc((size_t)total + 1, sizeof(int64_t));
    if (k->static_shape == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    for (i = 0; i < k->n_inputs; i++) {
        PyObject *shape = PyTuple_GET_ITEM(PySequence_Fast_GET_ITEM(fast, i), 1);
        int d;
        for (d = 0; d < k->ndim[i]; d++) {
            PyObject *item = PySequence_GetItem(shape, d);
            long long v;
            if (item == NULL)
                goto fail;
            v = PyLong_AsLongLong(item);
            Py_DECREF(item);
            if (v == -1 && PyErr_Occurred())
                goto fail;
            k->static_shape[k->shape_at[i] + d] = v;
        }
    }
    Py_CLEAR(fast);

    if (!PyTuple_Check(containers) || PyTuple_GET_SIZE(containers) != k->n_inputs - n_args) {
        PyErr_SetString(PyExc_TypeError, "Kernel: containers must be a tuple with one list per shared input");
        goto fail;
    }
    for (i = 0; i < PyTuple_GET_SIZE(containers); i++) {
        PyObject *c = PyTuple_GET_ITEM(containers, i);
        if (!PyList_CheckExact(c) || PyList_GET_SIZE(c) != 1) {
            PyErr_SetString(PyExc_TypeError, "Kernel: each container must be a list of one array");
            goto fail;
        }
    }
    Py_INCREF(containers);
    k->containers = containers;

    if ((k->n_results = read_ints(results, (void **)&k->result_typenum, 0, "Kernel: result_typenums")) < 0)
        goto fail;
    if ((k->n_updates = read_ints(updates, (void **)&k->update_target, 1, "Kernel: update_targets")) < 0)
        goto fail;
    if (n_outputs < 0 || n_outputs + k->n_updates > k->n_results || (single && n_outputs != 1)) {
        PyErr_SetString(PyExc_ValueError, "Kernel: inconsistent output, update and result counts");
        goto fail;
    }
    for (i = 0; i < k->n_updates; i++)
        if (k->update_target[i] < 0 || k->update_target[i] >= PyTuple_GET_SIZE(containers)) {
            PyErr_SetString(PyExc_ValueError, "Kernel: update target out of range");
            goto fail;
        }
    if (inplace != NULL && inplace != Py_None) {
        Py_ssize_t n = read_ints(inplace, (void **)&k->update_inplace, 0, "Kernel: update_inplace");
        if (n < 0)
            goto fail;
        if (n != k->n_updates) {
            PyErr_SetString(PyExc_ValueError, "Kernel: one update_inplace flag per update");
            goto fail;
        }
    }
    for (i = 0; i < k->n_results; i++) {
        PyArray_Descr *d = PyArray_DescrFromType(k->result_typenum[i]);
        if (d == NULL)
            goto fail;
        Py_DECREF(d);
    }
    k->n_outputs = n_outputs;
    k->single = single;
    k->release_gil_bytes = release_gil_bytes;
    if (borrow != NULL && borrow != Py_None) {
        Py_ssize_t n = read_ints(borrow, (void **)&k->output_borrow, 0, "Kernel: output_borrow"), any = 0;
        if (n < 0)
            goto fail;
        if (n != n_outputs) {
            PyErr_SetString(PyExc_ValueError, "Kernel: one output_borrow flag per output");
            goto fail;
        }
        for (i = 0; i < n; i++)
            any |= k->output_borrow[i] != 0;
        if (any) {
            if ((k->kept = PyMem_Calloc((size_t)n, sizeof(PyObject *))) == NULL) {
                PyErr_NoMemory();
                goto fail;
            }
            k->borrow_next = borrow_list;
            if (borrow_list != NULL)
                borrow_list->borrow_prev = k;
            borrow_list = k;
        }
    }
    Py_INCREF(fallback);
    k->fallback = fallback;
    Py_INCREF(raise_error);
    k->raise_error = raise_error;
    Py_INCREF(keywords);
    k->keywords = keywords;
    k->ready = 1;
    return 0;

fail:
    Py_XDECREF(fast);
    kernel_free_state(k);
    return -1;
}

static PyObject *kernel_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    Kernel *k = (Kernel *)type->tp_alloc(type, 0);
    if (k != NULL)
        k->vectorcall = kernel_call;
    return (PyObject *)k;
}

static int kernel_traverse(PyObject *self, visitproc visit, void *arg)
{
    Kernel *k = (Kernel *)self;
    Py_VISIT(k->containers);
    Py_VISIT(k->fallback);
    Py_VISIT(k->raise_error);
    Py_VISIT(k->keywords);
    return 0;
}

static int kernel_clear(PyObject *self)
{
    kernel_free_state((Kernel *)self);
    return 0;
}

static void kernel_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    kernel_free_state((Kernel *)self);
    tp->tp_free(self);
}

static PyObject *kernel_get_containers(PyObject *self, void *closure)
{
    Kernel *k = (Kernel *)self;
    PyObject *c = k->containers ? k->containers : Py_None;
    Py_INCREF(c);
    return c;
}

static PyGetSetDef kernel_getset[] = {
    {"containers", kernel_get_containers, NULL, "The containers of the shared values this kernel reads.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject KernelType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "theanogo._rt.Kernel",
    .tp_doc = "A compiled function's call path (the base of theanogo.Function).",
    .tp_basicsize = sizeof(Kernel),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_vectorcall_offset = offsetof(Kernel, vectorcall),
    .tp_call = PyVectorcall_Call,
    .tp_new = kernel_new,
    .tp_init = kernel_init,
    .tp_traverse = kernel_traverse,
    .tp_clear = kernel_clear,
    .tp_dealloc = kernel_dealloc,
    .tp_getset = kernel_getset,
};

/* enable_vectorcall(cls): lets a Python subclass of Kernel that does not
 * override __call__ be called through vectorcall (CPython < 3.12 does not
 * pass the flag on to heap types; 3.12 does the same thing itself). */
static PyObject *enable_vectorcall(PyObject *module, PyObject *cls)
{
    PyTypeObject *tp = (PyTypeObject *)cls;
    if (!PyType_Check(cls) || !PyType_IsSubtype(tp, &KernelType)) {
        PyErr_SetString(PyExc_TypeError, "enable_vectorcall: expected a subclass of Kernel");
        return NULL;
    }
    if (tp->tp_call == PyVectorcall_Call && tp->tp_vectorcall_offset == KernelType.tp_vectorcall_offset)
        tp->tp_flags |= Py_TPFLAGS_HAVE_VECTORCALL;
    Py_RETURN_NONE;
}

/* release_borrowed(array): every kernel forgets the borrowed outputs it
 * kept that share memory with array, so no later call writes into it.
 * theanogo calls it before storing an array the user gave with
 * borrow=True into a shared variable. */
static PyObject *release_borrowed(PyObject *module, PyObject *arg)
{
    const char *lo, *hi;
    Kernel *k;
    Py_ssize_t i;
    if (!PyArray_Check(arg))
        Py_RETURN_NONE;
    byte_bounds((PyArrayObject *)arg, &lo, &hi);
    for (k = borrow_list; k != NULL; k = k->borrow_next)
        for (i = 0; i < k->n_outputs; i++)
            if (k->kept[i] != NULL && overlaps(lo, hi, (PyArrayObject *)k->kept[i])) {
                PyObject *old = k->kept[i];
                k->kept[i] = NULL;
                Py_DECREF(old); /* an ndarray's deallocation runs no Python code that could change the list */
            }
    Py_RETURN_NONE;
}

/* The container (a 1-element list) of a shared value, or NULL with TypeError. */
static PyObject *container_arg(PyObject *c)
{
    if (!PyList_CheckExact(c) || PyList_GET_SIZE(c) != 1) {
        PyErr_SetString(PyExc_TypeError, "theanogo._rt: a shared value's container must be a list of one item");
        return NULL;
    }
    return c;
}

/* load(container): the shared value it holds, taken as a call's snapshot
 * is: an in-place update in flight commits first, and no later update
 * writes into the array while the caller holds it (inplace_target refuses
 * an array with a reference outside its container and the writer's
 * snapshot). */
static PyObject *rt_load(PyObject *module, PyObject *arg)
{
    PyObject *c = container_arg(arg), *v;
    int locked;
    if (c == NULL)
        return NULL;
    locked = rt_lock_for_reading();
    v = PyList_GET_ITEM(c, 0);
    Py_INCREF(v);
    if (locked)
        PyThread_release_lock(rt_mutex);
    return v;
}

/* store(container, value): swaps value in under the module lock, so that
 * an update in flight commits first (it never commits over the new value);
 * the old value is dropped after unlocking (its destructor may run Python). */
static PyObject *rt_store(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *c, *old;
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "store(container, value) takes 2 arguments");
        return NULL;
    }
    if ((c = container_arg(args[0])) == NULL)
        return NULL;
    Py_INCREF(args[1]);
    rt_lock();
    old = PyList_GET_ITEM(c, 0);
    PyList_SET_ITEM(c, 0, args[1]);
    PyThread_release_lock(rt_mutex);
    Py_DECREF(old);
    Py_RETURN_NONE;
}

static PyMethodDef rt_methods[] = {
    {"enable_vectorcall", enable_vectorcall, METH_O, "Let a Kernel subclass be called through vectorcall."},
    {"load", rt_load, METH_O,
     "load(container): a shared value's array, taken as a call's snapshot is (after an in-place update in flight)."},
    {"store", (PyCFunction)(void (*)(void))rt_store, METH_FASTCALL,
     "store(container, value): replace a shared value under the lock that orders calls' snapshots and commits."},
    {"release_borrowed", release_borrowed, METH_O,
     "Make every kernel forget the borrowed outputs it kept that share memory with the array."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef rt_module = {
    PyModuleDef_HEAD_INIT, "_rt", "theanogo's calling path: compiled functions called from C.", -1, rt_methods,
};

PyMODINIT_FUNC PyInit__rt(void)
{
    PyObject *m;
    import_array();
    if (rt_mutex == NULL && (rt_mutex = PyThread_allocate_lock()) == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "theanogo._rt: cannot allocate the shared-value lock");
        return NULL;
    }
    if (PyType_Ready(&KernelType) < 0)
        return NULL;
    if ((m = PyModule_Create(&rt_module)) == NULL)
        return NULL;
    Py_INCREF(&KernelType);
    if (PyModule_AddObject(m, "Kernel", (PyObject *)&KernelType) < 0) {
        Py_DECREF(&KernelType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
