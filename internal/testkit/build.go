package testkit

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// Build returns the path of the command pkg (an import path, or a directory
// relative to the test's package), built for tests that run it as a
// process: once per test binary, and without cgo or the race detector
// whatever the tests run with, so that a process a test measures (its
// memory, its speed) is the program users run. A failed build fails the
// test. Main removes what was built once the tests have ended.
func Build(t testing.TB, pkg string) string {
	t.Helper()
	b := buildOf(pkg)
	b.once.Do(func() { b.dir, b.path, b.err = build(pkg) })
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

// removeBuilds deletes every binary Build made; call it once the tests
// have ended.
func removeBuilds() {
	builds.Lock()
	defer builds.Unlock()
	for _, b := range builds.byPkg {
		if b.dir != "" {
			os.RemoveAll(b.dir)
		}
	}
	builds.byPkg = nil
}

// built is one package's build, made once, in a directory of its own.
type built struct {
	once      sync.Once
	dir, path string
	err       error
}

var builds struct {
	sync.Mutex
	byPkg map[string]*built
}

func buildOf(pkg string) *built {
	builds.Lock()
	defer builds.Unlock()
	if builds.byPkg == nil {
		builds.byPkg = map[string]*built{}
	}
	b := builds.byPkg[pkg]
	if b == nil {
		b = &built{}
		builds.byPkg[pkg] = b
	}
	return b
}

func build(pkg string) (dir, path string, err error) {
	dir, err = os.MkdirTemp("", "gosmtpd-test-build-")
	if err != nil {
		return "", "", err
	}
	path = filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", path, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return dir, "", fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
	}
	return dir, path, nil
}
