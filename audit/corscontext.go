package audit

import (
	"fmt"
	"path/filepath"
)

// django-cors-headers' allow-all rated as scan rates the same exposure (README, "How severity
// is rated"). audit cannot see the data, so it assumes personal data; what it can see is
// whether the project authenticates clients with certificates: an nginx config of the same
// project that asks for one (ssl_verify_client), or code that reads the certificate's
// identity header. With it, Access-Control-Allow-Origin: * lets any page read the victim's
// certificate-authenticated content in Chromium (which presents the certificate on
// non-credentialed requests): high, as scan's cors-wildcard-on-mtls. Without it, * reads
// only what anyone can fetch: medium, as scan's cors-wildcard on a public endpoint serving
// personal data. Allow-all with credentials reflects every origin with cookies or
// certificates: critical either way, as cors-reflect-origin-credentials.

// clientCertEvidence is a place showing that a file's project authenticates clients with
// certificates.
type clientCertEvidence struct {
	file  string // absolute, for matching to a project
	where string // for the reader
}

// rateCORSAllowAll sets the severity and its reason of the allow-all findings.
func (pa *pathAudit) rateCORSAllowAll() {
	for i := range pa.out {
		f := &pa.out[i]
		if f.Rule != "django-cors-allow-all" && f.Rule != "django-cors-allow-all-credentials" {
			continue
		}
		ev := pa.clientCertIn(filepath.Join(pa.root, filepath.FromSlash(f.File)))
		var reason string
		switch {
		case f.Rule == "django-cors-allow-all-credentials" && ev != nil:
			reason = fmt.Sprintf("Any page reads the victim's authenticated responses in every browser: the project authenticates clients with certificates (%s) and credentials are allowed, as scan rates cors-reflect-origin-credentials.", ev.where)
		case f.Rule == "django-cors-allow-all-credentials":
			reason = "Any page reads the victim's authenticated responses in every browser: every origin is reflected with credentials allowed (session cookies), as scan rates cors-reflect-origin-credentials."
		case ev != nil:
			reason = fmt.Sprintf("The project authenticates clients with certificates (%s): Chromium presents the certificate on non-credentialed requests, so any page reads the victim's content there (Firefox sends none), as scan rates cors-wildcard-on-mtls.", ev.where)
		default:
			// one step below the same settings on a client-certificate API, after any other
			// adjustment (a development settings module)
			f.Severity = f.Severity.Raise(-1)
			reason = "No client-certificate authentication in this project (no nginx ssl_verify_client, no code reading a certificate header): Access-Control-Allow-Origin: * lets any page read only what anyone can fetch, assumed to hold personal data; one step higher where the API authenticates with client certificates."
		}
		if f.SeverityReason != "" {
			reason = f.SeverityReason + "; " + reason
		}
		f.SeverityReason = reason
	}
}

// clientCertIn returns evidence that the project of file authenticates clients with
// certificates, or nil.
func (pa *pathAudit) clientCertIn(file string) *clientCertEvidence {
	for i, e := range pa.clientCerts {
		if sameProject(e.file, file, pa.projects) {
			return &pa.clientCerts[i]
		}
	}
	for _, h := range pa.appIdentityHeaders() {
		if sameProject(h.file, file, pa.projects) {
			return &clientCertEvidence{file: h.file, where: "code reads " + h.Name + " at " + h.Where}
		}
	}
	return nil
}
