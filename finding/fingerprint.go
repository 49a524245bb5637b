package finding

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
)

// A fingerprint names a finding across runs, for baselines (--baseline, crossgate diff) and
// for code scanning's alert tracking. It must survive what changes between two runs of the
// same check against the same thing:
//
//   - the port: test stacks and preview deployments listen on ephemeral ports, so the
//     location is scheme, host and path, without the port;
//   - the order of findings and targets: the hash covers one finding's own fields only;
//   - redaction: masked values carry a hash under a key drawn once per process
//     (exposure.Mask, exposure.Digest) and their length, which a rotated token changes, so
//     every mask stand-in is replaced by one constant before hashing, and query values and
//     userinfo (where tokens live in URLs) are left out altogether.
//
// It changes with the rule, the host, the path, the file and line, and the discriminator a
// check passes (a probe origin, a cookie name).

// Seal computes the fingerprint from rule and location (and an optional discriminator such
// as the probe origin). Call it once the location fields are set.
func (f *Finding) Seal(discriminator string) {
	f.Fingerprint = Fingerprint(f.Rule, f.URL, f.File, f.Line, discriminator)
}

// Fingerprint is the 16-hex-digit hash Seal stores.
func Fingerprint(rule, rawURL, file string, line int, discriminator string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%d\x00%s", rule, CanonicalLocation(rawURL), path.Clean("/"+strings.ReplaceAll(file, `\`, "/")), line, unmask(discriminator))
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// CanonicalLocation is the part of a finding's URL a fingerprint covers:
// scheme://host/path?names, the host lower-cased and without port or userinfo, the query
// reduced to its sorted parameter names. An empty URL stays empty.
func CanonicalLocation(rawURL string) string {
	if rawURL == "" {
		return ""
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return unmask(rawURL)
	}
	var b strings.Builder
	b.WriteString(strings.ToLower(u.Scheme))
	b.WriteString("://")
	b.WriteString(strings.ToLower(strings.TrimSuffix(u.Hostname(), ".")))
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	b.WriteString(unmask(p))
	if u.RawQuery != "" {
		var names []string
		for name := range u.Query() {
			names = append(names, name)
		}
		slices.Sort(names)
		b.WriteString("?" + strings.Join(names, "&"))
	}
	return b.String()
}

// maskStandIns match what the redactors print in place of a value: exposure.Mask's
// "…(N chars, hmac:HEX)", exposure.Digest inside "REDACTED-HEX", probe's "MASKED-N-CHARS"
// (formerly "[masked, N chars]", which baselines may still hold) and their URL-escaped forms. The hash and length vary with the per-process key and the
// value; none of it says where the finding is.
var maskStandIns = regexp.MustCompile(`…\(\d+ chars, hmac:[0-9a-f]+\)|%E2%80%A6%28\d+\+chars%2C\+hmac%3A[0-9a-f]+%29|REDACTED-[0-9a-f]+|MASKED-\d+-CHARS|\[masked, \d+ chars\]|%5Bmasked%2C\+\d+\+chars%5D|hmac:[0-9a-f]+`)

func unmask(s string) string {
	return maskStandIns.ReplaceAllString(s, "MASKED")
}
