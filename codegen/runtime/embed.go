// Package runtime holds the C runtime library that generated kernels call
// (tg_rt.h and the area headers) and embeds its sources for the compiler
// driver, which builds libtgrt.so from them and writes the headers into the
// compile cache.
package runtime

import "embed"

// FS holds every header and C source of the runtime library.
//
// Placeholder from the cxx-driver branch: cxx-runtime's embed.go (which also
// embeds *.c) replaces this file; keep the variable's name, FS.
//
//go:embed *.h
var FS embed.FS
