package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGuardHelpListsEveryFlag(t *testing.T) {
	code, out, _ := runCLI(t, "guard", "--help")
	if code != exitOK {
		t.Fatalf("guard --help exited %d", code)
	}
	for _, name := range guardFlagNames() {
		if !strings.Contains(out, "--"+name) {
			t.Errorf("guard --help does not teach --%s", name)
		}
	}
}

func TestGuardErrors(t *testing.T) {
	dir := t.TempDir()
	code, _, _ := runCLI(t, "guard", "--mint-test-pki", dir)
	if code != exitOK {
		t.Fatalf("--mint-test-pki exited %d", code)
	}
	p := func(n string) string { return filepath.Join(dir, n) }
	junk := p("junk.pem")
	os.WriteFile(junk, []byte("junk"), 0o600)
	base := []string{"guard", "--listen", "127.0.0.1:0", "--upstream", "http://127.0.0.1:1", "--cert", p("server.crt"), "--key", p("server.key"),
		"--client-ca", p("client-ca.crt"), "--identities", p("identities.yaml")}
	with := func(kv ...string) []string {
		args := append([]string{}, base...)
		for i := 0; i < len(kv); i += 2 {
			for j := 1; j < len(args); j += 2 {
				if args[j] == kv[i] {
					args[j+1] = kv[i+1]
				}
			}
			if kv[i] == "--allow-origin" || kv[i] == "--config" {
				args = append(args, kv[i], kv[i+1])
			}
		}
		return args
	}
	yamlCfg, tomlCfg, badKey := p("guard.yaml"), p("guard.toml"), p("bad.yaml")
	os.WriteFile(yamlCfg, []byte("allow-origin: ['*']\n"), 0o600)
	os.WriteFile(tomlCfg, []byte("identities = \""+junk+"\"\n"), 0o600)
	os.WriteFile(badKey, []byte("allow_origins: [x]\n"), 0o600)
	cases := []struct {
		name       string
		args       []string
		want, hint string
	}{
		{"bad cert", with("--cert", junk), "server certificate", "--cert must be a PEM"},
		{"bad key", with("--key", junk), "server certificate", "--key the PEM private key"},
		{"bad CA", with("--client-ca", junk), "client CA", "--client-ca must be a PEM"},
		{"missing identities", with("--identities", p("nope.yaml")), "identities file", "--identities"},
		{"wildcard origin", with("--allow-origin", "*"), `"*" is refused`, "exact origin"},
		{"wildcard origin from YAML config", with("--config", yamlCfg), `"*" is refused`, "exact origin"},
		{"broken identities from TOML config", []string{"guard", "--listen", "127.0.0.1:0", "--upstream", "http://127.0.0.1:1", "--cert", p("server.crt"), "--key", p("server.key"),
			"--client-ca", p("client-ca.crt"), "--config", tomlCfg}, "identities file", "each entry"},
		{"unknown config key", with("--config", badKey), `unknown key "allow_origins"`, "flag names"},
		{"existing test PKI", []string{"guard", "--mint-test-pki", dir}, "already exists", "empty or new directory"},
		{"stray argument", []string{"guard", "serve"}, "unexpected argument", "only flags"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, tc.args...)
			if code != exitUsage || !strings.Contains(errOut, "error: ") || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, "hint: ") || !strings.Contains(errOut, tc.hint) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 2 with %q and a hint with %q", code, errOut, tc.want, tc.hint)
			}
		})
	}
}

// TestGuardConfigFlagsWin: a key in the file applies unless the flag is given.
func TestGuardConfigFlagsWin(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "g.toml")
	os.WriteFile(cfgFile, []byte("upstream = \"http://127.0.0.1:9\"\nallow-origin = [\"https://a.example\"]\nmax-age = 60\n"), 0o600)
	cfg, _, err := loadGuardConfig([]string{"--config", cfgFile, "--upstream", "http://127.0.0.1:8000"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Upstream != "http://127.0.0.1:8000" || cfg.CORS.MaxAge != 60 || len(cfg.CORS.AllowOrigins) != 1 || cfg.CORS.AllowOrigins[0] != "https://a.example" {
		t.Errorf("got upstream %q, max-age %d, origins %q", cfg.Upstream, cfg.CORS.MaxAge, cfg.CORS.AllowOrigins)
	}
}
