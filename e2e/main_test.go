package e2e

import (
	"fmt"
	"os"
	"sort"
	"sync"
	"testing"
)

// Each configuration is started once per test binary and shared by the stack tests and
// the scan tests that use it; TestMain stops them all.
var (
	sharedMu     sync.Mutex
	sharedStacks = map[string]*Stack{}
	sharedErrs   = map[string]error{}
	sharedDirs   []string
	// configs is filled by the init functions of the test files (name -> configuration).
	configs = map[string]func() StackConfig{}
)

func register(name string, cfg func() StackConfig) {
	if _, dup := configs[name]; dup {
		panic("e2e: configuration registered twice: " + name)
	}
	configs[name] = cfg
}

// shared returns the running stack for the named configuration, starting it on first use.
func shared(t testing.TB, name string) *Stack {
	t.Helper()
	RequireStack(t)
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if s := sharedStacks[name]; s != nil {
		logOnFailure(t, s)
		return s
	}
	if err := sharedErrs[name]; err != nil {
		t.Fatalf("e2e: stack %q did not start: %v", name, err)
	}
	mk, ok := configs[name]
	if !ok {
		t.Fatalf("e2e: no configuration %q", name)
	}
	cfg := mk()
	cfg.Name = name
	dir, err := os.MkdirTemp("", "crossgate-e2e-"+name+"-")
	if err != nil {
		t.Fatal(err)
	}
	sharedDirs = append(sharedDirs, dir)
	s, err := Start(cfg, dir)
	if err != nil {
		if s != nil {
			t.Logf("stack %q logs:\n%s", name, s.Logs())
			s.Stop()
		}
		sharedErrs[name] = err
		t.Fatalf("e2e: start stack %q: %v", name, err)
	}
	sharedStacks[name] = s
	logOnFailure(t, s)
	return s
}

func logOnFailure(t testing.TB, s *Stack) {
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("stack %q (nginx config %s) logs:\n%s", s.Cfg.Name, s.NginxConf, s.Logs())
		}
	})
}

func stopShared() {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	names := make([]string, 0, len(sharedStacks))
	for n := range sharedStacks {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		sharedStacks[n].Stop()
	}
	for _, d := range sharedDirs {
		if err := os.RemoveAll(d); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: cleanup:", err)
		}
	}
}

func TestMain(m *testing.M) {
	code := func() int {
		defer stopShared()
		return m.Run()
	}()
	os.Exit(code)
}
