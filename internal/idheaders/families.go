package idheaders

// Value is what an identity header carries, in the form the proxy that sets it writes.
type Value int

const (
	// SubjectDN is the subject in RFC 2253 order, as nginx's $ssl_client_s_dn writes it.
	SubjectDN Value = iota
	// SubjectDNLegacy is the subject in OpenSSL's one-line form, /O=Example/CN=alice.
	SubjectDNLegacy
	// Verified is the verification result, "SUCCESS".
	Verified
	// EscapedPEM is the certificate as URI-escaped PEM ($ssl_client_escaped_cert, AWS ALB).
	EscapedPEM
	// XFCC is Envoy's X-Forwarded-Client-Cert element: Hash, Cert and Subject.
	XFCC
	// ByteSequence is the DER certificate as an RFC 8941 byte sequence (RFC 9440).
	ByteSequence
)

// Field is one header of a Family, spelled exactly as sent.
type Field struct {
	Name  string
	Value Value
}

// Family is a set of identity headers one kind of proxy sets together. crossgate scan forges
// each family in a request of its own (scan/mtlscheck), so a family here is a probe there,
// a header guard strips and one the nginx fix overwrites (Overwritten).
type Family struct {
	Name   string
	Fields []Field
}

// Families are the header sets crossgate scan forges, one request each.
var Families = []Family{
	{"X-SSL-Client-S-DN (RFC 2253) with X-SSL-Client-Verify", []Field{{"X-SSL-Client-S-DN", SubjectDN}, {"X-SSL-Client-Verify", Verified}}},
	{"X-SSL-Client-S-DN (legacy one-line form) with X-SSL-Client-Verify", []Field{{"X-SSL-Client-S-DN", SubjectDNLegacy}, {"X-SSL-Client-Verify", Verified}}},
	{"X-SSL-Client-Cert with X-SSL-Client-Verify", []Field{{"X-SSL-Client-Cert", EscapedPEM}, {"X-SSL-Client-Verify", Verified}}},
	{"X-Client-Cert", []Field{{"X-Client-Cert", EscapedPEM}, {"X-Client-Cert-Dn", SubjectDNLegacy},
		{"X-Client-Cert-Subject-DN", SubjectDN}, {"X-Client-Cert-Valid", Verified}}},
	{"X-Forwarded-Client-Cert (Envoy XFCC)", []Field{{"X-Forwarded-Client-Cert", XFCC}}},
	{"Client-Cert (RFC 9440)", []Field{{"Client-Cert", ByteSequence}}},
	{"X-Amzn-Mtls-Clientcert (AWS ALB)", []Field{{"X-Amzn-Mtls-Clientcert", EscapedPEM},
		{"X-Amzn-Mtls-Clientcert-Leaf", EscapedPEM}, {"X-Amzn-Mtls-Clientcert-Subject", SubjectDN}}},
	// WSGI gives the application X_SSL_Client_S_DN as HTTP_X_SSL_CLIENT_S_DN, the same
	// variable as the dashed name, unless the proxy drops headers with underscores.
	{"X_SSL_Client_S_DN and X_SSL_Client_Verify (underscore variants)", []Field{{"X_SSL_Client_S_DN", SubjectDN},
		{"X_SSL_Client_Verify", Verified}, {"X_SSL_Client_Cert", EscapedPEM}}},
}

// Stems are short pieces of which every identity header name holds at least one once folded
// (Fold), for a quick look over a whole file before reading it properly: a file without
// any stem (in '-' or '_' spelling) names no identity header. A test checks every name and
// prefix against them.
var Stems = []string{
	"ssl-client", "client-cert", "clientcert", "client-dn", "client-s-dn", "client-subject",
	"client-verify", "x-ssl-cert", "x-ssl-subject", "x-ssl-authenticated", "x-ssl-user-dn",
	"viewer-cert", "amzn-mtls",
}
