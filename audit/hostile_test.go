package audit

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/crossgate/crossgate/audit/source"
	"github.com/crossgate/crossgate/report"
)

// maxAuditRSS is the memory an audit may use on any tree.
const maxAuditRSS = 300 << 20

const hostileChildEnv = "CROSSGATE_HOSTILE_TREE"

// buildHostileTree lays out what an attacker controlling a repository can put in it.
func buildHostileTree(t *testing.T) string {
	dir := t.TempDir()
	w := func(rel, content string) { write(t, dir, rel, content) }
	link := func(target, rel string) {
		p := filepath.Join(dir, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	fifo := func(rel string) {
		p := filepath.Join(dir, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := syscall.Mkfifo(p, 0o644); err != nil {
			t.Skipf("cannot make a FIFO here: %v", err)
		}
	}
	// Endless devices behind names the audit reads first.
	link("/dev/zero", "evil.py")
	link("/dev/zero", "site/.env")
	link("/dev/urandom", "site/mysite/local_settings.py")
	// FIFOs where discovery, the dotenv reader and the ignore file look.
	fifo("manage.py")
	fifo(".env")
	fifo(".crossgateignore")
	fifo("site/manage.py")
	// Links out of the tree: a file and a directory.
	link("/etc/passwd", "passwd.py")
	link("/etc", "etc")
	// nginx including the machine's own configuration.
	w("nginx/nginx.conf", "events {}\nhttp {\n  include /etc/nginx/conf.d/*.conf;\n  include /etc/passwd;\n  server { listen 443 ssl; ssl_protocols TLSv1 TLSv1.2; }\n}\n")
	// Python over every parse budget, shaped as settings modules so that they are parsed.
	settings := "DEBUG = False\nALLOWED_HOSTS = []\nINSTALLED_APPS = []\n"
	w("gen/giant/settings.py", settings+"X = ["+strings.Repeat("1,", 2<<20)+"]\n")
	w("gen/wide/settings.py", settings+"X = ["+strings.Repeat("1,", 120<<10)+"]\n")
	w("gen/deep/settings.py", settings+"X = "+strings.Repeat("(", 20000)+"1"+strings.Repeat(")", 20000)+"\n")
	w("gen/deeplist/settings.py", settings+"X = "+strings.Repeat("[", 100000)+strings.Repeat("]", 100000)+"\n")
	// Too large, binary, UTF-16.
	w("big/dump.sql", "password = 'ghp_BigFileQ7XQ7XQ7XQ7XQ7XQ7XQ7XQ7XQ7XQ7'\n"+strings.Repeat("-- filler\n", 600<<10))
	w("bin/settings.py", "\x00\x01\x02SECRET_KEY = 'x'\nDEBUG = True\nALLOWED_HOSTS = ['*']\nINSTALLED_APPS = []\n")
	u := utf16.Encode([]rune("DJANGO_SETTINGS_MODULE=mysite.settings\nGITHUB_TOKEN=ghp_8fK2mQ9xL4vR7tZ1pW3nB6cH0jD5sY2eA9uG\n"))
	b := []byte{0xff, 0xfe}
	for _, c := range u {
		b = append(b, byte(c), byte(c>>8))
	}
	w("site/.env.production", string(b))
	// A real project next to it all, still audited.
	w("site/mysite/__init__.py", "")
	w("site/mysite/settings.py", "SECRET_KEY = 'django-insecure-q7x'\nDEBUG = True\nALLOWED_HOSTS = ['*']\nINSTALLED_APPS = []\nMIDDLEWARE = []\n")
	return dir
}

// TestHostileTree audits a hostile tree in a child process and checks that it ends, stays
// under maxAuditRSS (the child's peak resident memory, from rusage), reads nothing outside
// the tree, still audits what it can, and lists every file it did not read with why.
func TestHostileTree(t *testing.T) {
	if dir := os.Getenv(hostileChildEnv); dir != "" {
		r, err := Run(context.Background(), []string{dir}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := report.WriteJSON(os.Stdout, r); err != nil {
			t.Fatal(err)
		}
		return
	}
	dir := buildHostileTree(t)
	// The deadline only turns a hang into a failure; nothing here measures speed.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHostileTree$", "-test.count=1")
	cmd.Env = append(os.Environ(), hostileChildEnv+"="+dir, "GOMAXPROCS=4")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("audit of the hostile tree failed: %v\n%s", err, out)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	rss := ru.Maxrss << 10 // kilobytes on Linux
	t.Logf("peak RSS %d MB", rss>>20)
	if rss > maxAuditRSS {
		t.Errorf("peak RSS %d MB, over the %d MB budget", rss>>20, maxAuditRSS>>20)
	}
	js := string(out[:strings.LastIndex(string(out), "}")+1])
	js = js[strings.Index(js, "{"):]
	var r report.Report
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if strings.Contains(js, "root:x:0:0") || strings.Contains(js, "/etc/nginx/conf.d/") && !strings.Contains(js, "not audited") {
		t.Errorf("the report holds what lies outside the tree:\n%s", js)
	}
	got := map[string]string{}
	for _, n := range r.Targets[0].NotAudited {
		got[n.Path] = n.Reason
	}
	for path, reason := range map[string]string{
		"evil.py":                       source.ReasonOutside,
		"site/.env":                     source.ReasonOutside,
		"site/mysite/local_settings.py": source.ReasonOutside,
		"manage.py":                     source.ReasonSpecial,
		".env":                          source.ReasonSpecial,
		".crossgateignore":              source.ReasonSpecial,
		"site/manage.py":                source.ReasonSpecial,
		"passwd.py":                     source.ReasonOutside,
		"etc":                           source.ReasonOutside,
		"big/dump.sql":                  source.ReasonTooLarge,
		"bin/settings.py":               source.ReasonBinary,
		"gen/giant/settings.py":         "not analysed as Python: larger than 256 KiB",
		"gen/deep/settings.py":          "not analysed as Python: brackets nested deeper than 100 levels",
		"gen/deeplist/settings.py":      "not analysed as Python: brackets nested deeper than 100 levels",
	} {
		if got[path] != reason {
			t.Errorf("%s: not-audited reason %q, want %q", path, got[path], reason)
		}
	}
	rules := map[string]int{}
	for _, f := range r.Findings {
		rules[f.Rule+"@"+f.File]++
	}
	for _, want := range []string{"secret-in-source@site/.env.production", "django-debug-enabled@site/mysite/settings.py", "nginx-weak-tls@nginx/nginx.conf"} {
		if rules[want] == 0 {
			t.Errorf("no %s: the audit stopped auditing what it could (%v)", want, rules)
		}
	}
	notes := strings.Join(r.Targets[0].Notes, "\n")
	if !strings.Contains(notes, `include "/etc/passwd" not audited: outside the audited tree`) {
		t.Errorf("notes do not say the absolute include was not audited:\n%s", notes)
	}
}

// TestCancelReachesReads: with a FIFO in every place the audit reads and the context
// cancelled, the audit returns.
func TestCancelReachesReads(t *testing.T) {
	dir := buildHostileTree(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := Run(ctx, []string{dir}, Options{}); done <- err }()
	cancel()
	select {
	case <-done:
	case <-time.After(2 * time.Minute): // a hang guard, not a speed assertion
		t.Fatal("audit did not return after cancellation")
	}
}
