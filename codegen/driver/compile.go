package driver

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
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
	if !validName(name) {
		return "", fmt.Errorf("compile: invalid module name %q (letters, digits and '_' only)", name)
	}
	flags := c.allFlags()
	k, err := c.identity(flags)
	if err != nil {
		return "", err
	}
	headers, hkey, err := c.headers()
	if err != nil {
		return "", err
	}
	key := k.add("module", name, hkey, source).sum()
	libs, err := c.root(libDir)
	if err != nil {
		return "", err
	}
	entry := filepath.Join(libs, key)
	so := filepath.Join(entry, name+".so")
	if c.checkEntry(so) == nil {
		return so, nil
	}
	inc, err := c.includeDir(headers, hkey)
	if err != nil {
		return "", err
	}
	tmp, err := c.root(tmpDir)
	if err != nil {
		return "", err
	}
	build, err := os.MkdirTemp(tmp, key[:16]+"-")
	if err != nil {
		return "", fmt.Errorf("compile cache: %v", err)
	}
	defer os.RemoveAll(build)
	src := filepath.Join(build, name+".cpp")
	if err := os.WriteFile(src, []byte(source), 0o600); err != nil {
		return "", fmt.Errorf("compile cache: %v", err)
	}
	out := filepath.Join(build, name+".so")
	args := append(append([]string{}, flags...), "-I"+inc, "-o", out, src)
	if err := c.run(name, args, source, key); err != nil {
		return "", err
	}
	if err := writeSum(out); err != nil {
		return "", fmt.Errorf("compile cache: %v", err)
	}
	if err := publish(build, entry, func() bool { return c.checkEntry(so) == nil }); err != nil {
		return "", err
	}
	return so, nil
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
	ce := &CompileError{Name: name, Command: c.CXX + " " + strings.Join(args, " "), Output: string(output), Err: err}
	if dir, derr := c.root(failedDir); derr == nil {
		kept := filepath.Join(dir, name+"-"+key[:16]+".cpp")
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
