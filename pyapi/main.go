// Command pyapi is theanogo's C ABI: the one cgo package, built as the shared
// library the Python package loads with ctypes.
//
//	go build -buildmode=c-shared -o python/theanogo/libtheanogo.so ./pyapi
//
// The rules every export follows:
//
//   - Python holds integer handles, never Go pointers. A handle names a graph
//     variable, a concrete array or a compiled function in the session's
//     handle table; tg_release drops it.
//   - numpy buffers are passed by pointer and copied during the call; Go keeps
//     no pointer to them afterwards.
//   - Errors come back through a `char **err` out-parameter as
//     "ExceptionClass: message" (see errors.go); Python frees the string with
//     tg_free. Every export recovers panics, so nothing crashes the process.
//   - Strings returned by Go are malloc'ed C strings, also freed with tg_free.
package main

func main() {}
