package driver

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// The cache's layout under CacheDir (every directory 0700, every file
// owned by the user):
//
//	lib/<key>/<name>.so          a compiled module (or libtgrt.so)
//	lib/<key>/<name>.so.sha256   the hex SHA-256 of the .so: a module whose
//	                             content does not match is rebuilt, never loaded
//	lib/<key>/<name>.cpp         the source it was compiled from
//	include/<key>/*.h            the runtime headers kernels include
//	failed/<name>-<key>.cpp      the source of a compile that failed
//	tmp/                         entries being built; each is renamed into
//	                             place whole, so a reader sees a whole entry
//	                             or none
//	last-eviction                its modification time: the last eviction's
//
// A process loading a module holds a shared flock on its .so while it
// checks and loads it; eviction (evict.go: least recently used entries go
// when the cache outgrows Config.MaxBytes) takes an exclusive one without
// waiting and skips the entries it cannot lock.
//
// The key hashes everything the output depends on (source, compiler and
// its version, flags, codegen version, CPU features under -march=native).
const (
	libDir     = "lib"
	includeDir = "include"
	failedDir  = "failed"
	tmpDir     = "tmp"
	sumSuffix  = ".sha256"
)

// fileOwner is the user id owning fi (from the stat), or false where the
// system does not say.
func fileOwner(fi fs.FileInfo) (int, bool) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid), true
	}
	return 0, false
}

// ownedByUser reports whether fi belongs to the current user.
func (c Config) ownedByUser(fi fs.FileInfo) bool {
	owner := c.owner
	if owner == nil {
		owner = fileOwner
	}
	uid, ok := owner(fi)
	return ok && uid == os.Getuid()
}

// secureDir makes sure dir exists as a directory only the user can use:
// created 0700; an existing one owned by the user with group or other
// permissions is tightened to 0700; one owned by anyone else is refused
// (another user could plant code in it).
func (c Config) secureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("compile cache: %v", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("compile cache: %v", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("compile cache: %s is not a directory", dir)
	}
	if !c.ownedByUser(fi) {
		uid, _ := fileOwner(fi)
		return fmt.Errorf("compile cache: %s belongs to user id %d, not to you (%d): refusing to load code from it; set THEANOGO_CACHE_DIR to a directory of yours", dir, uid, os.Getuid())
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("compile cache: %s is open to other users (%v) and cannot be made private: %v", dir, fi.Mode().Perm(), err)
		}
	}
	return nil
}

// root checks the cache root and returns the path of sub under it, a
// private directory created when missing.
func (c Config) root(sub string) (string, error) {
	if c.CacheDir == "" {
		return "", errors.New("compile cache: no CacheDir configured")
	}
	if err := c.secureDir(c.CacheDir); err != nil {
		return "", err
	}
	dir := filepath.Join(c.CacheDir, sub)
	if err := c.secureDir(dir); err != nil {
		return "", err
	}
	return dir, nil
}

// checkEntry reports whether so is a valid cache entry: a regular file
// owned by the user whose SHA-256 matches its sidecar.
func (c Config) checkEntry(so string) error {
	f, err := os.Open(so)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	return c.checkFile(f, fi, so)
}

// checkFile is checkEntry of the open module f (at path so, with stat fi),
// read from its start.
func (c Config) checkFile(f *os.File, fi fs.FileInfo, so string) error {
	want, err := os.ReadFile(so + sumSuffix)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", so)
	}
	if !c.ownedByUser(fi) {
		return fmt.Errorf("%s is not owned by you", so)
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, fi.Size()+1)); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); !bytes.Equal(bytes.TrimSpace(want), []byte(got)) {
		return fmt.Errorf("%s does not match its checksum", so)
	}
	return nil
}

// writeSum records the SHA-256 of so in its sidecar.
func writeSum(so string) error {
	data, err := os.ReadFile(so)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	return os.WriteFile(so+sumSuffix, []byte(hex.EncodeToString(sum[:])+"\n"), 0o600)
}

// finishEntry records the checksum of the module out, built in the
// directory build, and publishes build as the cache entry entry (whose
// module is so).
func (c Config) finishEntry(out, build, entry, so string) error {
	if err := writeSum(out); err != nil {
		return fmt.Errorf("compile cache: %v", err)
	}
	return publish(build, entry, func() bool { return c.checkEntry(so) == nil })
}

// publish moves the finished directory built into its place final. When
// final already exists (another process published the same key first) and
// valid accepts it, built is dropped and final kept; an invalid final (a
// corrupt entry) is moved aside and replaced. Every step is one rename, so
// a reader sees either no entry or a whole one.
func publish(built, final string, valid func() bool) error {
	defer os.RemoveAll(built) // a no-op once renamed
	for attempt := 0; attempt < 5; attempt++ {
		err := os.Rename(built, final)
		if err == nil {
			return nil
		}
		if !exists(final) {
			return fmt.Errorf("compile cache: %v", err)
		}
		if valid() {
			return nil
		}
		stale, err := os.MkdirTemp(filepath.Dir(built), "stale-")
		if err != nil {
			return fmt.Errorf("compile cache: %v", err)
		}
		aside := filepath.Join(stale, "entry")
		if err := os.Rename(final, aside); err != nil && exists(final) {
			os.RemoveAll(stale)
			return fmt.Errorf("compile cache: cannot replace the corrupt entry %s: %v", final, err)
		}
		os.RemoveAll(stale)
	}
	return fmt.Errorf("compile cache: cannot publish %s: it keeps changing", final)
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// staleAge is how old a directory under tmp/ must be before sweepTmp takes
// it for the leftover of a crashed build (a compile never takes an hour).
const staleAge = time.Hour

// sweepTmp removes what crashed builds left under tmp/. It runs before a
// build (the cold path) and reads one directory.
func sweepTmp(tmp string) {
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return
	}
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > staleAge {
			os.RemoveAll(filepath.Join(tmp, e.Name()))
		}
	}
}
