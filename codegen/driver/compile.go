package driver

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// CompileError is a failed compile: the compiler's output and where the
// source was kept for the user to look at.
type CompileError struct {
	Name       string // the module's name
	SourcePath string // the kept source ("" when it could not be kept)
	Command    string // the command that failed
	Output     string // the compiler's messages
	Err        error  // how the command ended
}

func (e *CompileError) Error() string {
	kept := "the source could not be kept"
	if e.SourcePath != "" {
		kept = "source kept at " + e.SourcePath
	}
	return fmt.Sprintf("compiling %s failed (%v); %s\ncommand: %s\n%s", e.Name, e.Err, kept, e.Command, e.Output)
}

// Compile compiles one C++ translation unit into a shared library and
// returns its path. name is the module's file name (letters, digits and
// '_'). The result is cached by content: the same source, compiler, flags
// and CPU give the same library without running the compiler. The source
// includes the runtime headers by name (#include "tg_rt.h").
func (c Config) Compile(source, name string) (string, error) {
	return c.CompileParts([]string{source}, name)
}

// CompileParts compiles a module made of several translation units, one
// per part, at the same time (up to Threads compilers), and links them
// into one shared library: a large function compiles in a fraction of the
// time on several cores. The parts share nothing but what they declare; a
// symbol one part defines for another should have hidden visibility. One
// part is Compile. The path is returned unleased: a process that loads it
// should use CompileLease, which keeps eviction away until it is loaded.
func (c Config) CompileParts(parts []string, name string) (string, error) {
	l, err := c.CompileLease(parts, name)
	if err != nil {
		return "", err
	}
	l.Release()
	return l.Path, nil
}

// publishRetries is how many times CompileLease builds an entry that
// another process's eviction removes between its publication and its lease.
const publishRetries = 3

// CompileLease is CompileParts holding the entry (Lease): no process
// evicts it until the caller, having loaded the module, releases the
// lease. A new entry may make the cache evict others (Config.MaxBytes).
func (c Config) CompileLease(parts []string, name string) (*Lease, error) {
	if !validName(name) {
		return nil, fmt.Errorf("compile: invalid module name %q (letters, digits and '_' only)", name)
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("compile: module %s has no source", name)
	}
	flags := c.allFlags()
	k, err := c.identity(flags)
	if err != nil {
		return nil, err
	}
	headers, hkey, err := c.headers()
	if err != nil {
		return nil, err
	}
	key := k.add("module", name, hkey).add(parts...).sum()
	libs, err := c.root(libDir)
	if err != nil {
		return nil, err
	}
	entry := filepath.Join(libs, key)
	so := filepath.Join(entry, name+".so")
	for attempt := 0; ; attempt++ {
		if l, err := c.acquire(entry, so, attempt == 0); err == nil {
			if attempt > 0 {
				c.maybeEvict() // a new entry: the cache grew (ours is leased)
			}
			return l, nil
		}
		if attempt == publishRetries {
			return nil, fmt.Errorf("compile cache: %s was removed as soon as it was built, %d times (is the cache's size limit smaller than one module?)", entry, attempt)
		}
		if err := c.build(parts, name, key, flags, headers, hkey, entry, so); err != nil {
			return nil, err
		}
	}
}

// build compiles the module of key and publishes it as the entry.
func (c Config) build(parts []string, name, key string, flags []string, headers map[string][]byte, hkey, entry, so string) error {
	inc, err := c.includeDir(headers, hkey)
	if err != nil {
		return err
	}
	pchDir, err := c.pchDir(flags, headers, hkey)
	if err != nil {
		return err
	}
	build, err := c.newBuild(key[:16] + "-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(build)
	out := filepath.Join(build, name+".so")
	if len(parts) == 1 {
		src := filepath.Join(build, name+".cpp")
		if err := os.WriteFile(src, []byte(parts[0]), 0o600); err != nil {
			return fmt.Errorf("compile cache: %v", err)
		}
		args := append(append([]string{}, flags...), "-I"+inc, "-o", out, src)
		err = c.compileModule(name, args, parts[0], key, pchDir)
	} else {
		err = c.compileParts(parts, name, build, inc, flags, key, pchDir)
	}
	if err != nil {
		return err
	}
	return c.finishEntry(out, build, entry, so)
}

// compileParts compiles each part to an object file in build, Threads at
// a time, and links them into build/<name>.so.
func (c Config) compileParts(parts []string, name, build, inc string, flags []string, key, pchDir string) error {
	objFlags := append(pchFlags(flags), "-c", "-I"+inc)
	objs := make([]string, len(parts))
	errs := make([]error, len(parts))
	slots := make(chan struct{}, max(c.Threads, 1))
	var wg sync.WaitGroup
	for i, part := range parts {
		src := filepath.Join(build, fmt.Sprintf("%s_%d.cpp", name, i))
		objs[i] = strings.TrimSuffix(src, ".cpp") + ".o"
		if err := os.WriteFile(src, []byte(part), 0o600); err != nil {
			return fmt.Errorf("compile cache: %v", err)
		}
		args := append(append([]string{}, objFlags...), "-o", objs[i], src)
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			errs[i] = c.compileModule(fmt.Sprintf("%s (part %d)", name, i), args, part, key, pchDir)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	args := append(append([]string{}, flags...), "-o", filepath.Join(build, name+".so"))
	return c.run(name, append(args, objs...), "", key)
}

// compileModule runs the compiler with args, with the precompiled header
// of pchDir when it is usable. A compile that fails with it runs again
// without: the header is checksummed and the compiler checks its own
// compatibility, so what is left is a source at odds with a header it did
// not include itself (a name tg_loops.h defines, say), which compiles
// without the header as the user wrote it.
func (c Config) compileModule(name string, args []string, source, key, pchDir string) error {
	if pch := c.usablePCH(pchDir); pch != "" {
		if c.run(name, append([]string{"-include", pch}, args...), "", key) == nil { // "": keep no source yet
			return nil
		}
	}
	return c.run(name, args, source, key)
}

// newBuild creates a private directory under tmp/ for a build (after
// sweeping away what crashed builds left there).
func (c Config) newBuild(prefix string) (string, error) {
	tmp, err := c.root(tmpDir)
	if err != nil {
		return "", err
	}
	sweepTmp(tmp)
	build, err := os.MkdirTemp(tmp, prefix)
	if err != nil {
		return "", fmt.Errorf("compile cache: %v", err)
	}
	return build, nil
}

// run runs the compiler with args; on failure it keeps source under
// failed/ and returns a *CompileError.
func (c Config) run(name string, args []string, source, key string) error {
	cmd := exec.Command(c.CXX, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	output, err := cmd.CombinedOutput()
	if err == nil {
		return nil
	}
	if _, statErr := os.Stat(c.CXX); statErr != nil && strings.ContainsRune(c.CXX, os.PathSeparator) {
		return fmt.Errorf("no C++ compiler found: %v", statErr)
	}
	ce := &CompileError{Name: name, Command: c.CXX + " " + strings.Join(args, " "), Output: clip(string(output)), Err: err}
	if dir, derr := c.root(failedDir); derr == nil && source != "" {
		kept := filepath.Join(dir, fileStem(name)+"-"+key[:16]+".cpp")
		if writeFileAtomic(kept, []byte(source)) == nil {
			ce.SourcePath = kept
		}
	}
	return ce
}

// headers returns the runtime's headers (name -> content) and their hash.
func (c Config) headers() (map[string][]byte, string, error) {
	files, err := c.runtimeFiles(".h")
	if err != nil {
		return nil, "", err
	}
	k := newKeyer()
	for _, name := range sortedNames(files) {
		k.add(name, string(files[name]))
	}
	return files, k.sum(), nil
}

// runtimeFiles reads the runtime's files whose names end with suffix.
func (c Config) runtimeFiles(suffix string) (map[string][]byte, error) {
	if c.Runtime == nil {
		return nil, fmt.Errorf("compile: no runtime sources configured (Config.Runtime)")
	}
	entries, err := fs.ReadDir(c.Runtime, ".")
	if err != nil {
		return nil, fmt.Errorf("compile: runtime sources: %v", err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), suffix) {
			continue
		}
		data, err := fs.ReadFile(c.Runtime, e.Name())
		if err != nil {
			return nil, fmt.Errorf("compile: runtime sources: %v", err)
		}
		files[e.Name()] = data
	}
	return files, nil
}

// includeDir writes the headers once into include/<hkey> and returns that
// directory. An existing directory whose headers differ (edited or
// truncated by hand) is replaced.
func (c Config) includeDir(headers map[string][]byte, hkey string) (string, error) {
	incs, err := c.root(includeDir)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(incs, hkey)
	valid := func() bool {
		for name, data := range headers {
			got, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil || !bytes.Equal(got, data) {
				return false
			}
		}
		return true
	}
	if valid() {
		return dir, nil
	}
	tmp, err := c.root(tmpDir)
	if err != nil {
		return "", err
	}
	build, err := os.MkdirTemp(tmp, "include-")
	if err != nil {
		return "", fmt.Errorf("compile cache: %v", err)
	}
	for name, data := range headers {
		if err := os.WriteFile(filepath.Join(build, name), data, 0o600); err != nil {
			os.RemoveAll(build)
			return "", fmt.Errorf("compile cache: %v", err)
		}
	}
	return dir, publish(build, dir, valid)
}

// writeFileAtomic writes data to path through a temporary file and a rename.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

func sortedNames(files map[string][]byte) []string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// validName reports whether name is a plain module name: it becomes a file
// name and must not reach outside the entry's directory.
func validName(name string) bool {
	if name == "" || len(name) > 128 {
		return false
	}
	for _, r := range name {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// fileStem is name with every character but letters, digits and '_'
// replaced by '_'.
func fileStem(name string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, name)
}

// maxOutput is the most compiler output an error keeps: the first errors
// say what went wrong; a template cascade can run to megabytes.
const maxOutput = 32 << 10

func clip(out string) string {
	if len(out) <= maxOutput {
		return out
	}
	return out[:maxOutput] + fmt.Sprintf("\n[... %d more bytes of compiler output]", len(out)-maxOutput)
}
