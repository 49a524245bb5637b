package exposure

import (
	"bytes"
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestMask(t *testing.T) {
	for _, c := range []struct{ in, prefix string }{
		{"AKIAFAKE2345ABCD7QRS", "AKIA"},
		{"512-44-7781", "51"},
		{"hunter2", ""},
		{"", ""},
		{"jané.doe@crossgate-fake.net", "jan"}, // never cuts the é in half
	} {
		got := Mask(c.in)
		if !strings.HasPrefix(got, c.prefix+"…(") {
			t.Errorf("Mask(%q) = %q, want prefix %q", c.in, got, c.prefix)
		}
		if len(c.in) >= 8 && strings.Contains(got, c.in) {
			t.Errorf("Mask(%q) reveals the value", c.in)
		}
		if want := "(" + itoa(len(c.in)) + " chars, hmac:"; !strings.Contains(got, want) {
			t.Errorf("Mask(%q) = %q, want length and hash", c.in, got)
		}
	}
	if Mask("a-secret-value-1") == Mask("a-secret-value-2") {
		t.Error("different values must mask differently")
	}
}

func itoa(n int) string {
	return strings.TrimSpace(strings.Repeat(" ", 0) + func() string {
		b := []byte{}
		if n == 0 {
			return "0"
		}
		for n > 0 {
			b = append([]byte{byte('0' + n%10)}, b...)
			n /= 10
		}
		return string(b)
	}())
}

func TestLabels(t *testing.T) {
	in := `{"a": "jane.doe@crossgate-fake.net", "b": "li.roe@crossgate-fake.net", "card_number": "4929123456789015",
"token": "ghp_FAKEa1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6", "password": "Fk-9x!pQz7Lm"}`
	pii, secrets := Labels(Scan([]byte(in)))
	if want := []string{"email addresses", "payment card number"}; !reflect.DeepEqual(pii, want) {
		t.Errorf("pii labels %q, want %q", pii, want)
	}
	if want := []string{"GitHub token", "password"}; !reflect.DeepEqual(secrets, want) {
		t.Errorf("secret labels %q, want %q", secrets, want)
	}
	if got := pluralWord("IBAN"); got != "IBANs" {
		t.Errorf("plural IBAN = %q", got)
	}
}

func TestRedact(t *testing.T) {
	in := []byte(`{"email": "jane.doe@crossgate-fake.net", "db": "postgres://app:FakePassw0rd99@db.internal:5432/app"}`)
	out := string(Redact(in))
	for _, leak := range []string{"jane.doe@crossgate-fake.net", "FakePassw0rd99"} {
		if strings.Contains(out, leak) {
			t.Errorf("Redact leaks %q: %s", leak, out)
		}
	}
	if !strings.Contains(out, "postgres://app:") || !strings.Contains(out, "@db.internal:5432/app") {
		t.Errorf("Redact should keep the non-secret parts: %s", out)
	}
}

// TestDetectors pins behaviour the issue asks for, one row per rule.
func TestDetectors(t *testing.T) {
	cases := []struct {
		name, in, detector, value string // detector "" = nothing may match
	}{
		{"ssn with key", `{"ssn": "512-44-7781"}`, "us-ssn", "512-44-7781"},
		{"ssn hotword", `Social Security: 512 44 7781`, "us-ssn", "512 44 7781"},
		{"ssn without context", `ref 512-44-7781`, "", ""},
		{"ssn area 9xx", `{"ssn": "912-44-7781"}`, "", ""},
		{"ssn group 00", `{"ssn": "512-00-7781"}`, "", ""},
		{"ssn serial 0000", `{"ssn": "512-44-0000"}`, "", ""},
		{"ssn mixed delimiters", `{"ssn": "512-44 7781"}`, "", ""},
		{"ssn in a longer run", `{"ssn": "5124477812"}`, "", ""},
		{"card luhn", `{"pan": "4929123456789015"}`, "payment-card", "4929123456789015"},
		{"card spaced", `card 4929 1234 5678 9015 on file`, "payment-card", "4929 1234 5678 9015"},
		{"card bad luhn", `{"pan": "4929123456789016"}`, "", ""},
		{"card inside digits", `x=14929123456789015`, "", ""},
		{"card decimal", `{"v": 0.4929123456789015}`, "", ""},
		{"card decimal prefix", `{"v": 4929123456789015.5}`, "", ""},
		{"card in uuid-ish hex", `a4929123456789015b`, "", ""},
		{"card key id", `{"id": "4929123456789015"}`, "", ""},
		{"card key isbn", `{"isbn": "4929123456789015"}`, "", ""},
		{"card mixed groups", `4929 12345 678 9015`, "", ""},
		{"iban compact", `{"iban": "DE89370400440532013000"}`, "iban", "DE89370400440532013000"},
		{"iban spaced", `IBAN GB82 WEST 1234 5698 7654 32.`, "iban", "GB82 WEST 1234 5698 7654 32"},
		{"iban bad check", `{"iban": "DE88370400440532013000"}`, "", ""},
		{"iban wrong length", `{"iban": "DE8937040044053201300"}`, "", ""},
		{"phone json key", `{"mobilePhone": "+44 20 7946 0958"}`, "phone", "+44 20 7946 0958"},
		{"phone e164", `{"contact": "+14155550132"}`, "phone", "+14155550132"},
		{"phone no context", `call 020 7946 0958 now`, "", ""},
		{"phone hotel", `hotel 020 7946 0958`, "", ""},
		{"phone date", `{"phone_verified": "2026-03-01"}`, "", ""},
		{"email", `contact: li.roe@crossgate-fake.net`, "email", "li.roe@crossgate-fake.net"},
		{"email retina image", `logo@2x.png`, "", ""},
		{"email example.com", `a@example.com`, "", ""},
		{"aws key", `AKIAFAKE2345ABCD7QRS`, "aws-access-key-id", "AKIAFAKE2345ABCD7QRS"},
		{"aws doc example", `AKIAIOSFODNN7EXAMPLE`, "", ""},
		{"aws secret", `aws_secret_access_key = Fk3/Xy9+Qw2Er5Ty8Ui1Op4As7Df0Gh3Jk6Lz9Xc`, "aws-secret-access-key", "Fk3/Xy9+Qw2Er5Ty8Ui1Op4As7Df0Gh3Jk6Lz9Xc"},
		{"github", `"t": "ghp_FAKEa1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6"`, "github-token", "ghp_FAKEa1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6"},
		{"github glued", `xghp_FAKEa1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6`, "", ""},
		{"django insecure", "SECRET_KEY = 'django-insecure-9f@k3#x0p!r2q(z5)w8-v+e&y^t1u*o$i7n=m4b6c_l3k2j9h0'", "django-secret-key", "django-insecure-9f@k3#x0p!r2q(z5)w8-v+e&y^t1u*o$i7n=m4b6c_l3k2j9h0"},
		{"django key masked", "SECRET_KEY = '********************'", "", ""},
		{"django key from env", `SECRET_KEY = os.environ["SECRET_KEY"]`, "", ""},
		{"django hash", `{"password": "pbkdf2_sha256$600000$FAKEsaltFAKEsalt1234$Fk9xQ2Lm7Rt4Yw1Pz8Nc3Vb6Hd0Js5Ga2Ke9Uo4Xi1M="}`, "django-password-hash", "pbkdf2_sha256$600000$FAKEsaltFAKEsalt1234$Fk9xQ2Lm7Rt4Yw1Pz8Nc3Vb6Hd0Js5Ga2Ke9Uo4Xi1M="},
		{"db url", `redis://:Fk9xQ2Lm7Rt4@cache.internal:6379/0`, "database-url", "Fk9xQ2Lm7Rt4"},
		{"db url no password", `postgres://app@db.internal/app`, "", ""},
		{"db url env placeholder", `postgres://app:${DB_PASSWORD}@db/app`, "", ""},
		{"generic password", `{"password": "Fk-9x!pQz7Lm"}`, "generic-secret", "Fk-9x!pQz7Lm"},
		{"generic bearer", `Authorization: Bearer Fk9xQ2Lm7Rt4Yw1Pz8Nc3Vb6`, "generic-secret", "Fk9xQ2Lm7Rt4Yw1Pz8Nc3Vb6"},
		{"generic placeholder", `{"password": "changeme", "token": "xxxxxxxxxxxx", "api_key": "{{ api_key }}"}`, "", ""},
		{"generic token_type", `{"token_type": "Bearer", "next_page_token": "Fk9xQ2Lm7Rt4Yw1Pz8Nc3Vb6"}`, "", ""},
		{"generic csrf", `{"csrf_token": "Fk9xQ2Lm7Rt4Yw1Pz8Nc3Vb6Hd0Js5Ga"}`, "", ""},
		{"pem", "-----BEGIN EC PRIVATE KEY-----\n" + strings.Repeat("FAKEa1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3x4Y5z6\n", 3) + "-----END EC PRIVATE KEY-----",
			"pem-private-key", "-----BEGIN EC PRIVATE KEY-----\n" + strings.Repeat("FAKEa1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3x4Y5z6\n", 3) + "-----END EC PRIVATE KEY-----"},
		{"public key", "-----BEGIN PUBLIC KEY-----\n" + strings.Repeat("FAKEa1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3x4Y5z6\n", 3) + "-----END PUBLIC KEY-----", "", ""},
	}
	for _, c := range cases {
		ms := Scan([]byte(c.in))
		if c.detector == "" {
			if len(ms) != 0 {
				t.Errorf("%s: want no match, got %s %q", c.name, ms[0].Detector, ms[0].Value)
			}
			continue
		}
		if len(ms) != 1 || ms[0].Detector != c.detector || ms[0].Value != c.value {
			var got []string
			for _, m := range ms {
				got = append(got, m.Detector+"="+m.Value)
			}
			t.Errorf("%s: want %s %q, got %q", c.name, c.detector, c.value, got)
		}
	}
}

func TestJWTNote(t *testing.T) {
	tok := b64json(`{"alg":"none","typ":"JWT"}`) + "." + b64json(`{"sub":"fake","email":"fake@crossgate-fake.net","role":"admin"}`) + "."
	ms := Scan([]byte(`{"session": "` + tok + `"}`))
	if len(ms) != 1 || ms[0].Detector != "jwt" {
		t.Fatalf("got %+v", ms)
	}
	if want := "alg=none (unsigned: alg none), claims: email, role, sub"; ms[0].Note != want {
		t.Errorf("note %q, want %q", ms[0].Note, want)
	}
	if strings.Contains(ms[0].Note, "crossgate-fake.net") {
		t.Error("the note must not carry claim values")
	}
	// Signed tokens need a signature; a header alone is not a token.
	unsigned := b64json(`{"alg":"HS256"}`) + "." + b64json(`{"sub":"fake"}`) + "."
	if ms := Scan([]byte(unsigned)); len(ms) != 0 {
		t.Errorf("HS256 without signature: %+v", ms)
	}
}

func TestOverlapResolution(t *testing.T) {
	// The JWT sits under a "token" key: the specific detector wins over the
	// generic key-name one, and the claim's email is inside the token.
	tok := b64json(`{"alg":"HS256"}`) + "." + b64json(`{"sub":"fake"}`) + ".Fk9xQ2Lm7Rt4Yw1Pz8Nc3Vb6Hd0Js5Ga2Ke9Uo4Xi1M"
	ms := Scan([]byte(`{"access_token": "` + tok + `"}`))
	if len(ms) != 1 || ms[0].Detector != "jwt" {
		t.Errorf("got %+v", ms)
	}
	for i := 1; i < len(ms); i++ {
		if ms[i].Start < ms[i-1].End {
			t.Errorf("overlap: %+v %+v", ms[i-1], ms[i])
		}
	}
}

// TestScanReaderMatchesScan checks that streaming in small chunks finds
// exactly what one Scan over the whole input finds, with absolute offsets.
func TestScanReaderMatchesScan(t *testing.T) {
	var buf bytes.Buffer
	ds := newDocStream(9, -1)
	for i, c := range loadCorpus(t) {
		buf.WriteString(c.Text)
		buf.WriteString("\n")
		if i%4 == 0 {
			ds.doc(&buf)
		}
	}
	data := buf.Bytes()
	want := Scan(data)
	var got []Match
	if err := scanStream(bytes.NewReader(data), func(m Match) { got = append(got, m) }, 64<<10); err != nil {
		t.Fatal(err)
	}
	if len(want) < 20 {
		t.Fatalf("only %d matches in the sample; the generator should plant more", len(want))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stream found %d matches, Scan %d", len(got), len(want))
		for i := 0; i < min(len(got), len(want)); i++ {
			if got[i] != want[i] {
				t.Errorf("first difference at %d: stream %+v, scan %+v", i, got[i], want[i])
				break
			}
		}
	}
	for _, m := range got {
		if string(data[m.Start:m.End]) != m.Value {
			t.Fatalf("offsets do not address the value: %+v", m)
		}
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

func TestScanReaderError(t *testing.T) {
	if err := ScanReader(errReader{}, func(Match) {}); err == nil {
		t.Error("want the reader's error")
	}
}

func checkMatches(t *testing.T, data []byte, ms []Match) {
	t.Helper()
	for i, m := range ms {
		if m.Start < 0 || m.End > len(data) || m.Start >= m.End {
			t.Fatalf("offsets out of bounds: %d..%d of %d", m.Start, m.End, len(data))
		}
		if string(data[m.Start:m.End]) != m.Value {
			t.Fatalf("Value is not data[Start:End]")
		}
		if i > 0 && m.Start < ms[i-1].End {
			t.Fatalf("overlapping matches %+v %+v", ms[i-1], m)
		}
		if m.Confidence < minConfidence || m.Confidence > 1 || m.Label == "" || (m.Kind != PII && m.Kind != Secret) {
			t.Fatalf("bad match metadata %+v", m)
		}
	}
	red := Redact(data)
	for _, m := range ms {
		// Only a value that occurs once, counting overlapping occurrences
		// ("000000 0" is twice in "000000 000000 0"), must be gone.
		if len(m.Value) >= 8 && occurrences(data, []byte(m.Value)) == 1 && bytes.Contains(red, []byte(m.Value)) {
			t.Fatalf("Redact output still contains %q", m.Value)
		}
	}
}

func FuzzScan(f *testing.F) {
	for _, c := range loadCorpus(f)[:120] {
		f.Add([]byte(c.Text))
	}
	f.Add([]byte("-----BEGIN RSA PRIVATE KEY-----\n-----END"))
	f.Add([]byte("x://a:b@\xff"))
	f.Add([]byte("SECRET_KEY='"))
	f.Add([]byte("GB82 WEST 1234 5698 7654 32"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkMatches(t, data, Scan(data))
	})
}

func FuzzDetectErrorPages(f *testing.F) {
	for _, name := range []string{"django-500.html", "django-500.txt", "django-404.html", "werkzeug.html", "express-trace.html", "neg-blog.html"} {
		b, err := readFixture(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "text/html")
	}
	f.Add([]byte("<title>"), "")
	f.Add([]byte("Traceback (most recent call last)\n  File \"/a\", line 1, in x\n"), "text/plain")
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		for _, p := range DetectErrorPages(body, ct) {
			if p.Type != DebugPage && p.Type != StackTrace || p.Format != "html" && p.Format != "text" || len(p.Excerpt) > 260 {
				t.Fatalf("bad result %+v", p)
			}
		}
	})
}

func occurrences(data, v []byte) int {
	n := 0
	for i := 0; ; i++ {
		j := bytes.Index(data[i:], v)
		if j < 0 {
			return n
		}
		n++
		i += j
	}
}
