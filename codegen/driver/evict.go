package driver

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// The cache's size limit (Config.MaxBytes) and its locking.
//
// Readers lock: a process loading a module holds a shared flock on the
// module's .so from before it checks the entry until the dynamic loader has
// mapped it (a Lease). Eviction takes an exclusive flock without waiting
// (LOCK_NB) and skips every entry it cannot lock, so it never removes an
// entry that is being checked or loaded; once a module is mapped, removing
// its file does not disturb the process that mapped it. A reader that
// opened a module just before eviction renamed it away finds, once it has
// its lock, that the path no longer names the file it opened, and builds
// the entry again as for a miss.
//
// Least recently used first: a lease touches its entry directory's
// modification time, the entry's last use. Eviction runs after a process
// publishes a new entry (only that makes the cache grow), at most once per
// Config.EvictEvery across processes (the modification time of the file
// evictStamp at the cache root says when one last ran). It counts every
// file of lib/, include/, pch/ and failed/ against the limit and removes
// kernel entries of lib/ and kept sources of failed/, oldest first, until
// the cache is within the limit; runtime library entries (one per compiler,
// flags and CPU, loaded by every process), include/ and pch/ stay.

// DefaultMaxBytes is Default's Config.MaxBytes: 4 GiB.
const DefaultMaxBytes int64 = 4 << 30

// DefaultEvictEvery is Default's Config.EvictEvery.
const DefaultEvictEvery = time.Minute

// evictStamp is the file at the cache root whose modification time is the
// last eviction's.
const evictStamp = "last-eviction"

// Lease is a cache entry held for loading: while it is held, no process
// evicts the entry. Release it once the module is loaded.
type Lease struct {
	Path string // the module, a shared library
	f    *os.File
}

// Release drops the lease (closing the file drops its lock). Releasing
// twice, or a nil lease, is harmless.
func (l *Lease) Release() {
	if l != nil && l.f != nil {
		l.f.Close()
		l.f = nil
	}
}

// flock is flock(2) on f, retried when a signal interrupts it.
func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			return err
		}
	}
}

// errMoved is a lease on an entry that was evicted or replaced between the
// open and the lock.
var errMoved = errors.New("compile cache: the entry changed while it was being locked")

// acquire leases the module so of the cache entry directory entry: opens
// it, takes the shared lock, checks that the path still names the file it
// opened and, with verify, that the entry is valid (checkFile), and marks
// the entry used now. It fails, leaving nothing held, when the entry is
// missing, invalid or was just evicted: the caller builds it. An entry this
// process has just published (or that publish found valid) needs no
// verify.
func (c Config) acquire(entry, so string, verify bool) (*Lease, error) {
	f, err := os.Open(so)
	if err != nil {
		return nil, err
	}
	if err := flock(f, syscall.LOCK_SH); err != nil {
		f.Close()
		return nil, fmt.Errorf("compile cache: locking %s: %v", so, err)
	}
	opened, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if now, err := os.Stat(so); err != nil || !os.SameFile(opened, now) {
		f.Close()
		return nil, errMoved
	}
	if verify {
		if err := c.checkFile(f, opened, so); err != nil {
			f.Close()
			return nil, err
		}
	}
	now := time.Now()
	os.Chtimes(entry, now, now) // the LRU mark; best effort
	return &Lease{Path: so, f: f}, nil
}

// maybeEvict runs Evict when there is a limit and no eviction ran in the
// last EvictEvery (by any process using the cache).
func (c Config) maybeEvict() {
	if c.MaxBytes <= 0 || c.CacheDir == "" {
		return
	}
	stamp := filepath.Join(c.CacheDir, evictStamp)
	if c.EvictEvery > 0 {
		if fi, err := os.Stat(stamp); err == nil && time.Since(fi.ModTime()) < c.EvictEvery {
			return
		}
	}
	now := time.Now()
	if os.Chtimes(stamp, now, now) != nil {
		os.WriteFile(stamp, nil, 0o600)
	}
	c.Evict()
}

// evictable is a cache entry eviction may remove: a kernel entry directory
// of lib/ (with its module, the file to lock) or a kept source of failed/.
type evictable struct {
	path  string
	so    string // the module to lock ("" for a failed source, or an entry without one)
	used  time.Time
	bytes int64
}

// Evict removes least recently used entries until the cache holds at most
// MaxBytes (no limit when MaxBytes <= 0), skipping entries that a process
// holds (a Lease) at that moment. It returns how many entries it removed
// and the size of the cache it leaves.
func (c Config) Evict() (removed int, total int64) {
	if c.CacheDir == "" {
		return 0, 0
	}
	var cands []evictable
	for _, sub := range []string{includeDir, "pch"} {
		total += treeSize(filepath.Join(c.CacheDir, sub))
	}
	libs := filepath.Join(c.CacheDir, libDir)
	dirs, _ := os.ReadDir(libs)
	for _, d := range dirs {
		fi, err := d.Info()
		if err != nil || !fi.IsDir() {
			continue
		}
		path := filepath.Join(libs, d.Name())
		files, _ := os.ReadDir(path)
		e := evictable{path: path, used: fi.ModTime()}
		runtimeLib := false
		for _, f := range files {
			if info, err := f.Info(); err == nil && info.Mode().IsRegular() {
				e.bytes += info.Size()
			}
			switch name := f.Name(); {
			case name == RuntimeLibraryName+".so":
				runtimeLib = true
			case strings.HasSuffix(name, ".so") && e.so == "":
				e.so = filepath.Join(path, name)
			}
		}
		total += e.bytes
		if !runtimeLib {
			cands = append(cands, e)
		}
	}
	failed := filepath.Join(c.CacheDir, failedDir)
	kept, _ := os.ReadDir(failed)
	for _, f := range kept {
		if fi, err := f.Info(); err == nil && fi.Mode().IsRegular() {
			total += fi.Size()
			cands = append(cands, evictable{path: filepath.Join(failed, f.Name()), used: fi.ModTime(), bytes: fi.Size()})
		}
	}
	if c.MaxBytes <= 0 || total <= c.MaxBytes {
		return 0, total
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].used.Before(cands[j].used) })
	for _, e := range cands {
		if total <= c.MaxBytes {
			break
		}
		if c.remove(e) {
			removed++
			total -= e.bytes
		}
	}
	return removed, total
}

// remove removes one evictable entry unless a process holds it or used it
// since the scan; it reports whether it did.
func (c Config) remove(e evictable) bool {
	if e.so == "" {
		fi, err := os.Lstat(e.path)
		if err != nil || fi.ModTime().After(e.used) {
			return false
		}
		if fi.IsDir() {
			return c.removeDir(e.path)
		}
		return os.Remove(e.path) == nil
	}
	f, err := os.Open(e.so)
	if err != nil {
		return false
	}
	defer f.Close() // drops the lock, after the entry has left lib/
	if flock(f, syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		return false // leased (being loaded): it stays
	}
	if fi, err := os.Stat(e.path); err != nil || fi.ModTime().After(e.used) {
		return false // used since the scan
	}
	return c.removeDir(e.path)
}

// removeDir moves the directory dir out of the cache's tree with one rename
// (a reader sees it whole or not at all), then deletes it.
func (c Config) removeDir(dir string) bool {
	tmp, err := c.root(tmpDir)
	if err != nil {
		return false
	}
	stale, err := os.MkdirTemp(tmp, "evicted-")
	if err != nil {
		return false
	}
	defer os.RemoveAll(stale)
	return os.Rename(dir, filepath.Join(stale, "entry")) == nil
}

// treeSize is the total size of the regular files under root.
func treeSize(root string) int64 {
	var n int64
	filepath.WalkDir(root, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
