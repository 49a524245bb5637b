package guard

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/goccy/go-yaml"
)

// Config is everything the proxy needs. Paths are read (and re-read on reload) by the Server.
type Config struct {
	Listen   string // host:port for HTTPS
	Upstream string // http(s)://host:port of the application
	Cert     string // server certificate chain (PEM)
	Key      string // its private key (PEM)
	ClientCA string // CAs that issue client certificates (PEM bundle)
	// AdvertiseCA is the PEM bundle of CA names sent in the CertificateRequest: "" sends the
	// ClientCA names, "none" sends an empty list (the client picks any certificate).
	AdvertiseCA string
	Identities  string // identities file (YAML)
	CORS        CORSConfig

	IdentityHeader string
	ForwardCert    ForwardCert

	Metrics   string // host:port of the metrics listener, "" for none
	AccessLog string // file, "-" for stderr, "" for none

	HandshakeTimeout time.Duration
	HeaderTimeout    time.Duration
	IdleTimeout      time.Duration
	UpstreamTimeout  time.Duration
	ShutdownTimeout  time.Duration
	MaxHeaderBytes   int
	MaxConns         int

	// ConfigFile is the file the rest came from, if any; it is watched like the others.
	ConfigFile string
}

// Defaults are the limits used when a Config leaves them zero.
var Defaults = Config{
	IdentityHeader:   DefaultIdentityHeader,
	ForwardCert:      ForwardNone,
	HandshakeTimeout: 10 * time.Second,
	HeaderTimeout:    10 * time.Second,
	IdleTimeout:      120 * time.Second,
	UpstreamTimeout:  60 * time.Second,
	ShutdownTimeout:  30 * time.Second,
	MaxHeaderBytes:   64 << 10,
	MaxConns:         4096,
}

func (c *Config) fillDefaults() {
	d := Defaults
	set := func(v *time.Duration, def time.Duration) {
		if *v == 0 {
			*v = def
		}
	}
	set(&c.HandshakeTimeout, d.HandshakeTimeout)
	set(&c.HeaderTimeout, d.HeaderTimeout)
	set(&c.IdleTimeout, d.IdleTimeout)
	set(&c.UpstreamTimeout, d.UpstreamTimeout)
	set(&c.ShutdownTimeout, d.ShutdownTimeout)
	if c.MaxHeaderBytes == 0 {
		c.MaxHeaderBytes = d.MaxHeaderBytes
	}
	if c.MaxConns == 0 {
		c.MaxConns = d.MaxConns
	}
	if c.IdentityHeader == "" {
		c.IdentityHeader = d.IdentityHeader
	}
	if c.ForwardCert == "" {
		c.ForwardCert = d.ForwardCert
	}
}

// maxConfigFile bounds the configuration file read into memory.
const maxConfigFile = 1 << 20

// ReadConfigFile reads a YAML (.yaml, .yml) or TOML (.toml) file of top-level keys named like
// the command-line flags (listen, upstream, allow-origin, ...) and returns, per key, its
// values as strings in the order given, ready to be applied as if they were flags. Lists
// become one value per element; maps and nested tables are refused.
func ReadConfigFile(path string) (map[string][]string, []string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	if len(data) > maxConfigFile {
		return nil, nil, fmt.Errorf("%s is larger than 1 MiB", path)
	}
	raw := map[string]any{}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		if len(bytes.TrimSpace(data)) > 0 {
			if err := yaml.Unmarshal(data, &raw); err != nil {
				return nil, nil, fmt.Errorf("%s is not valid YAML: %s", path, firstLine(err.Error()))
			}
		}
	case ".toml":
		if _, err := toml.Decode(string(data), &raw); err != nil {
			return nil, nil, fmt.Errorf("%s is not valid TOML: %s", path, firstLine(err.Error()))
		}
	default:
		return nil, nil, fmt.Errorf("%s: the configuration file must end in .yaml, .yml or .toml", path)
	}
	out := map[string][]string{}
	keys := make([]string, 0, len(raw))
	for k, v := range raw {
		vals, err := scalarStrings(v)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: key %q: %v", path, k, err)
		}
		out[k] = vals
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return out, keys, nil
}

func scalarStrings(v any) ([]string, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{x}, nil
	case bool:
		return []string{strconv.FormatBool(x)}, nil
	case int64, int, uint64, int32, float64:
		return []string{fmt.Sprint(x)}, nil
	case []any:
		var out []string
		for _, e := range x {
			s, err := scalarStrings(e)
			if err != nil || len(s) != 1 {
				return nil, fmt.Errorf("a list may hold only strings, numbers or booleans")
			}
			out = append(out, s[0])
		}
		return out, nil
	}
	return nil, fmt.Errorf("expected a string, number, boolean or list, not %T", v)
}
