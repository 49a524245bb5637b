package exposurecheck

import (
	"regexp"

	"github.com/crossgate/crossgate/exposure"
)

// A served log holds other people's sessions: Django and gunicorn log request headers and
// META dictionaries, access logs carry query strings. The detectors recognise secrets by
// shape, and a session ID has none (32 random characters), so log evidence masks the value
// of every key or header that names a session, a cookie or a credential.
var (
	// reLogKeyValue: sessionid=..., 'csrftoken': '...', JSESSIONID=..., token=... in a query.
	reLogKeyValue = regexp.MustCompile(`(?i)(\b(?:[a-z0-9_.-]*sess(?:ion)?[a-z0-9_.-]*|connect\.sid|[a-z0-9_-]*csrf[a-z0-9_-]*|[a-z0-9_-]*token|api[_-]?key|secret|password|passwd|pwd|auth|code|ticket|signature|sig|jwt)['"]?\s*[=:]\s*['"]?)([^\s'"&;,)}\]]{4,})`)
	// reLogHeader: the whole value of a header that is a credential (Cookie: a=b; c=d,
	// 'HTTP_AUTHORIZATION': 'Bearer ...').
	reLogHeader = regexp.MustCompile(`(?i)(\b(?:http_)?(?:cookie|authorization|proxy[_-]authorization|x[_-]api[_-]key)['"]?\s*[:=]\s*['"]?)([^'"\r\n]{4,})`)
)

// maskLogCredentials returns body with the values of session, cookie and credential keys
// masked.
func maskLogCredentials(body []byte) []byte {
	mask := func(re *regexp.Regexp) func([]byte) []byte {
		return func(m []byte) []byte {
			sub := re.FindSubmatchIndex(m)
			if sub == nil || sub[4] < 0 {
				return m
			}
			out := append([]byte{}, m[:sub[4]]...)
			out = append(out, exposure.Mask(string(m[sub[4]:sub[5]]))...)
			return append(out, m[sub[5]:]...)
		}
	}
	body = reLogHeader.ReplaceAllFunc(body, mask(reLogHeader))
	return reLogKeyValue.ReplaceAllFunc(body, mask(reLogKeyValue))
}
