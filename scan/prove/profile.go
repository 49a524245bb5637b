package prove

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// toolTimeout bounds each certutil / pk12util run; they touch a fresh local database only.
const toolTimeout = 20 * time.Second

// policyLockWait is how long a session waits for another crossgate run to release the policy
// directory: two auto-selection policies in one directory override each other.
const policyLockWait = 2 * time.Minute

// profile is the browser's throwaway state: a HOME holding the NSS database Chromium reads
// client certificates and trusted CAs from, the user-data-dir, and the policy file it wrote.
type profile struct {
	root, home, data, nssdb string

	policyFile  string
	createdDirs []string // policy directories this session created, innermost first
	lock        *os.File
}

func newProfile(ctx context.Context) (*profile, error) {
	// The process id in the name tells concurrent runs' profiles apart.
	root, err := os.MkdirTemp("", fmt.Sprintf("crossgate-prove-%d-", os.Getpid()))
	if err != nil {
		return nil, fmt.Errorf("cannot create the browser's temporary profile: %v", err)
	}
	p := &profile{root: root, home: filepath.Join(root, "home"), data: filepath.Join(root, "profile")}
	// Chromium (M146 and later) reads $HOME/.local/share/pki/nssdb.
	p.nssdb = filepath.Join(p.home, ".local", "share", "pki", "nssdb")
	for _, d := range []string{p.nssdb, p.data} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			p.remove()
			return nil, fmt.Errorf("cannot create the browser's temporary profile: %v", err)
		}
	}
	if err := p.tool(ctx, "certutil", "-N", "-d", "sql:"+p.nssdb, "--empty-password"); err != nil {
		p.remove()
		return nil, err
	}
	return p, nil
}

// FindTools checks for the NSS tools that load certificates into the browser's store.
func FindTools() error {
	for _, t := range []string{"certutil", "pk12util"} {
		if _, err := exec.LookPath(t); err != nil {
			return &Error{Msg: t + " not found: it loads your client certificate into the browser's certificate store",
				Hint: "install the NSS tools (Debian/Ubuntu: apt-get install libnss3-tools), or run without --prove"}
		}
	}
	return nil
}

func (p *profile) tool(ctx context.Context, name string, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, toolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "HOME="+p.home)
	cmd.Stdin = nil
	out, err := cmd.CombinedOutput()
	if err != nil {
		msg := strings.TrimSpace(string(out))
		if len(msg) > 300 {
			msg = msg[:300]
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s did not finish within %s", name, toolTimeout)
		}
		return fmt.Errorf("%s failed: %v: %s", name, err, cleanText(msg, 300))
	}
	return nil
}

// trust adds CAs the browser accepts server certificates from: crossgate's own, which signs
// the attacker pages, and the user's --cacert.
func (p *profile) trust(ctx context.Context, cas []*x509.Certificate) error {
	for i, c := range cas {
		f := filepath.Join(p.root, fmt.Sprintf("ca-%d.pem", i))
		if err := os.WriteFile(f, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}), 0o600); err != nil {
			return err
		}
		err := p.tool(ctx, "certutil", "-A", "-d", "sql:"+p.nssdb, "-t", "C,,", "-n", fmt.Sprintf("crossgate-ca-%d", i), "-i", f)
		os.Remove(f)
		if err != nil {
			return fmt.Errorf("cannot make the browser trust a CA: %v", err)
		}
	}
	return nil
}

// importIdentity puts the user's certificate and key into the NSS database, as a user who
// imported it in the browser would have.
func (p *profile) importIdentity(ctx context.Context, id *tls.Certificate) error {
	if id == nil || len(id.Certificate) == 0 {
		return errors.New("no client certificate to import")
	}
	leaf, err := x509.ParseCertificate(id.Certificate[0])
	if err != nil {
		return fmt.Errorf("cannot read the client certificate: %v", err)
	}
	var chain []*x509.Certificate
	for _, der := range id.Certificate[1:] {
		if c, err := x509.ParseCertificate(der); err == nil {
			chain = append(chain, c)
		}
	}
	pass := randHex(12)
	data, err := pkcs12.Modern.Encode(id.PrivateKey, leaf, chain, pass)
	if err != nil {
		return fmt.Errorf("cannot bundle the client certificate for the browser: %v", err)
	}
	f := filepath.Join(p.root, "client.p12")
	if err := os.WriteFile(f, data, 0o600); err != nil {
		return err
	}
	err = p.tool(ctx, "pk12util", "-d", "sql:"+p.nssdb, "-i", f, "-W", pass, "-K", "")
	os.Remove(f)
	if err != nil {
		return fmt.Errorf("cannot import the client certificate into the browser's store: %v", err)
	}
	return nil
}

// writePolicy makes Chromium pick the certificate silently for the targets, filtered by the
// issuer's CN as an administrator would. It holds a lock on the policy directory for the
// whole session, because policy files in one directory override each other.
func (p *profile) writePolicy(ctx context.Context, dir string, claims []Claim, id *tls.Certificate) error {
	// The lock is taken on the top directory of the path (/etc), which no session creates or
	// removes: a lock on the policy directory itself would be lost when the session before
	// removes that directory, and the next one would write into a deleted directory.
	lock, err := os.Open(lockRoot(dir))
	if err != nil {
		return err
	}
	if err := lockWait(ctx, lock); err != nil {
		lock.Close()
		return err
	}
	p.lock = lock
	if err := p.mkdirs(dir); err != nil {
		return err
	}
	body, err := policyJSON(claims, id)
	if err != nil {
		return err
	}
	f := filepath.Join(dir, fmt.Sprintf("crossgate-prove-%d-%s.json", os.Getpid(), randHex(4)))
	if err := os.WriteFile(f, body, 0o644); err != nil {
		return err
	}
	p.policyFile = f
	return nil
}

// lockRoot is the first directory of an absolute path ("/etc" for /etc/chromium/...).
func lockRoot(dir string) string {
	dir = filepath.Clean(dir)
	for filepath.Dir(dir) != filepath.Dir(filepath.Dir(dir)) {
		dir = filepath.Dir(dir)
	}
	return dir
}

// mkdirs creates dir and records which of its parents it created, to remove them later.
func (p *profile) mkdirs(dir string) error {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		}
		missing = append(missing, d)
		if d == filepath.Dir(d) {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	p.createdDirs = missing
	return nil
}

func lockWait(ctx context.Context, f *os.File) error {
	deadline := time.Now().Add(policyLockWait)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("another crossgate --prove held the policy directory for %s", policyLockWait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// policyJSON is the AutoSelectCertificateForUrls policy: a list of strings, each a JSON
// object with a content-settings pattern (the target's scheme, host and port) and a filter.
func policyJSON(claims []Claim, id *tls.Certificate) ([]byte, error) {
	filter := map[string]any{}
	if leaf, err := x509.ParseCertificate(id.Certificate[0]); err == nil && leaf.Issuer.CommonName != "" {
		filter["ISSUER"] = map[string]string{"CN": leaf.Issuer.CommonName}
	}
	var entries []string
	for _, c := range claims {
		if c.URL == nil || c.URL.Scheme != "https" {
			continue
		}
		pattern := "https://" + hostPort(c.URL)
		e, err := json.Marshal(map[string]any{"pattern": pattern, "filter": filter})
		if err != nil {
			return nil, err
		}
		if !slices.Contains(entries, string(e)) {
			entries = append(entries, string(e))
		}
	}
	return json.MarshalIndent(map[string]any{"AutoSelectCertificateForUrls": entries}, "", "  ")
}

// hostPort is the URL's host with its port made explicit.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "443"
		if u.Scheme == "http" {
			port = "80"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// remove deletes everything the session wrote; it is safe to call more than once.
func (p *profile) remove() error {
	var errs []error
	if p.policyFile != "" {
		if err := os.Remove(p.policyFile); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("cannot remove the policy file %s: %v", p.policyFile, err))
		}
		p.policyFile = ""
	}
	for _, d := range p.createdDirs {
		os.Remove(d) // only when empty: another program may have put files there since
	}
	p.createdDirs = nil
	if p.lock != nil {
		p.lock.Close()
		p.lock = nil
	}
	if p.root != "" {
		if err := removeAllRetry(p.root); err != nil {
			errs = append(errs, fmt.Errorf("cannot remove the browser's temporary profile %s: %v", p.root, err))
		}
		p.root = ""
	}
	return errors.Join(errs...)
}

// removeAllRetry retries because a browser child process can still be writing its profile
// for a moment after the browser exits.
func removeAllRetry(dir string) error {
	var err error
	for range 10 {
		if err = os.RemoveAll(dir); err == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return err
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Error is a problem the user can fix, with a hint; the CLI prints both.
type Error struct{ Msg, Hint string }

func (e *Error) Error() string { return e.Msg }
