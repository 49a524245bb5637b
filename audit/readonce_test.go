package audit

import (
	"context"
	"maps"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// TestEachFileReadOnce audits Django projects with split settings, a dotenv file, nginx
// next to them and findings to check for inline ignores, and counts the reads from disk:
// the secret scan's read is the only one.
func TestEachFileReadOnce(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, "testdata/seedlike", filepath.Join(dir, "seedlike"))
	copyTree(t, "django/testdata/split", filepath.Join(dir, "split"))
	write(t, dir, "split/.env", "DJANGO_SETTINGS_MODULE=mysite.settings.production\n")
	write(t, dir, ".crossgateignore", "seedlike/ignored/\n")
	var mu sync.Mutex
	reads := map[string]int{}
	onDiskRead = func(p string) {
		abs, _ := filepath.Abs(p)
		mu.Lock()
		reads[abs]++
		mu.Unlock()
	}
	t.Cleanup(func() { onDiskRead = nil })
	r, err := Run(context.Background(), []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) < 5 || len(r.Targets[0].Settings) < 2 {
		t.Fatalf("the audit did not get far: %d findings, settings %v", len(r.Findings), r.Targets[0].Settings)
	}
	py := 0
	for _, p := range slices.Sorted(maps.Keys(reads)) {
		if filepath.Ext(p) == ".py" {
			py++
		}
		if reads[p] != 1 {
			t.Errorf("%s read %d times", p, reads[p])
		}
	}
	if py < 10 || reads[filepath.Join(dir, "split", ".env")] != 1 {
		t.Errorf("only %d Python files read, .env %d times: %v", py, reads[filepath.Join(dir, "split", ".env")], reads)
	}
	for _, p := range []string{".crossgateignore", "seedlike/nginx/nginx.conf"} {
		if n := reads[filepath.Join(dir, p)]; n != 1 {
			t.Errorf("%s read %d times", p, n)
		}
	}
}
