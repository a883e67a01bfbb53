package driver

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// A seed is a cache root built when theanogo is installed (`pip install`
// runs codegen/driver/cmd/tgseed): it holds the runtime library and the
// precompiled header for the installing machine's compiler, flags and CPU.
// The first compile in a user's empty cache copies those entries from the
// seed instead of building them (about 3 s of compiler time), so that a
// cold compile only compiles the function itself. A seed entry is used
// only under the cache's rules: owned by the current user and matching its
// checksum; otherwise the entry is built as without a seed.

// fromSeed fills entry (a directory under c.CacheDir) from the same
// relative directory of c.Seed when that one holds a valid file named
// check (owned by the user, matching its checksum, which is verified on
// the copy as it is written); it reports whether it did.
func (c Config) fromSeed(entry, check string) bool {
	if c.Seed == "" {
		return false
	}
	rel, err := filepath.Rel(c.CacheDir, entry)
	if err != nil || !filepath.IsLocal(rel) {
		return false
	}
	src := filepath.Join(c.Seed, rel)
	want, err := os.ReadFile(filepath.Join(src, check+sumSuffix))
	if err != nil {
		return false
	}
	tmp, err := c.root(tmpDir)
	if err != nil {
		return false
	}
	build, err := os.MkdirTemp(tmp, "seed-")
	if err != nil {
		return false
	}
	defer os.RemoveAll(build)
	files, err := os.ReadDir(src)
	if err != nil {
		return false
	}
	for _, f := range files {
		if !f.Type().IsRegular() {
			return false
		}
		sum, err := c.copyOwned(filepath.Join(src, f.Name()), filepath.Join(build, f.Name()))
		if err != nil || (f.Name() == check && !bytes.Equal(bytes.TrimSpace(want), []byte(sum))) {
			return false
		}
	}
	if publish(build, entry, func() bool { return c.checkEntry(filepath.Join(entry, check)) == nil }) != nil {
		return false
	}
	if fi, err := os.Stat(filepath.Join(entry, check)); err == nil && filepath.Ext(check) == ".gch" {
		pchChecked.Store(filepath.Join(entry, check), pchStamp{fi.Size(), fi.ModTime().UnixNano()})
	}
	return true
}

// copyOwned copies src, which must be a regular file owned by the user, to
// dst (created private) and returns the SHA-256 of what it wrote.
func (c Config) copyOwned(src, dst string) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil || !fi.Mode().IsRegular() || !c.ownedByUser(fi) {
		return "", fmt.Errorf("compile cache: the seed file %s is not a regular file of yours", src)
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(out, h), in); err != nil {
		out.Close()
		return "", err
	}
	if err := out.Close(); err != nil {
		return "", fmt.Errorf("compile cache: %v", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
