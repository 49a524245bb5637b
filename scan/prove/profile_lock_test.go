package prove

import "testing"

func TestLockRootIsTheTopDirectory(t *testing.T) {
	for in, want := range map[string]string{
		"/etc/chromium/policies/managed": "/etc", "/etc": "/etc", "/tmp/x/y/": "/tmp",
	} {
		if got := lockRoot(in); got != want {
			t.Errorf("lockRoot(%q) = %q, want %q", in, got, want)
		}
	}
}
