package exposure

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The labelled corpus lives in testdata/corpus.jsonl. It is produced by
// the generator below (go test ./exposure -run TestCorpusUpToDate -update)
// so every fake credential is format-valid yet obviously fake (FAKE in
// the free-form part where the format allows), and never a real one.

var update = flag.Bool("update", false, "rewrite testdata/corpus.jsonl from the generator")

type labelled struct {
	Name   string     `json:"name"`
	Text   string     `json:"text"`
	Expect []expected `json:"expect,omitempty"`
}

type expected struct {
	Detector string `json:"detector"`
	Value    string `json:"value"`
}

type gen struct{ r *rand.Rand }

func (g gen) pick(s ...string) string { return s[g.r.IntN(len(s))] }

func (g gen) chars(n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return string(b)
}

const (
	alnum  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	upper2 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	hexl   = "0123456789abcdef"
	b64    = alnum + "+/"
	urlb64 = alnum + "-_"
)

// fake returns n random characters from alphabet with "FAKE" embedded.
func (g gen) fake(n int, alphabet string) string {
	if n < 8 || !strings.ContainsAny(alphabet, "FAKE") || !strings.Contains(alphabet, "K") {
		return g.chars(n, alphabet)
	}
	at := g.r.IntN(n - 4)
	return g.chars(at, alphabet) + "FAKE" + g.chars(n-4-at, alphabet)
}

func luhnDigit(d string) byte {
	for c := byte('0'); c <= '9'; c++ {
		if luhn(d + string(c)) {
			return c
		}
	}
	return '0'
}

func (g gen) card() string {
	var prefix string
	n := 16
	switch g.r.IntN(6) {
	case 0:
		prefix = "4" + g.chars(2, "0123456789")
	case 1:
		prefix = g.pick("51", "52", "53", "54", "55")
	case 2:
		prefix, n = g.pick("34", "37"), 15
	case 3:
		prefix = "6011"
	case 4:
		prefix = fmt.Sprint(3528 + g.r.IntN(60))
	case 5:
		prefix = fmt.Sprint(2221 + g.r.IntN(500))
	}
	d := prefix + g.chars(n-1-len(prefix), "0123456789")
	d += string(luhnDigit(d))
	if strings.Count(d, d[:1]) == len(d) || testCards[d] {
		return g.card()
	}
	return d
}

func groupCard(d, sep string) string {
	if len(d) == 15 {
		return d[:4] + sep + d[4:10] + sep + d[10:]
	}
	var parts []string
	for i := 0; i < len(d); i += 4 {
		parts = append(parts, d[i:min(len(d), i+4)])
	}
	return strings.Join(parts, sep)
}

func (g gen) ssn() string {
	for {
		area := 1 + g.r.IntN(899)
		if area == 666 {
			continue
		}
		s := fmt.Sprintf("%03d%02d%04d", area, 1+g.r.IntN(99), 1+g.r.IntN(9999))
		if validSSN(s) {
			return s
		}
	}
}

func ibanCheck(country, bban string) string {
	raw := []byte(bban + country + "00")
	rem := 0
	for _, c := range raw {
		if isDigit(c) {
			rem = (rem*10 + int(c-'0')) % 97
		} else {
			rem = (rem*100 + int(c-'A') + 10) % 97
		}
	}
	return fmt.Sprintf("%s%02d%s", country, 98-rem, bban)
}

func (g gen) iban() string {
	switch g.r.IntN(5) {
	case 0:
		return ibanCheck("DE", g.chars(18, "0123456789"))
	case 1:
		return ibanCheck("GB", "FAKE"+g.chars(14, "0123456789"))
	case 2:
		return ibanCheck("FR", g.chars(23, "0123456789"))
	case 3:
		return ibanCheck("NL", "FAKE"+g.chars(10, "0123456789"))
	default:
		return ibanCheck("ES", g.chars(20, "0123456789"))
	}
}

func spaced4(s string) string {
	var parts []string
	for i := 0; i < len(s); i += 4 {
		parts = append(parts, s[i:min(len(s), i+4)])
	}
	return strings.Join(parts, " ")
}

func b64json(v string) string { return base64.RawURLEncoding.EncodeToString([]byte(v)) }

func (g gen) jwt(alg string) string {
	h := b64json(fmt.Sprintf(`{"alg":"%s","typ":"JWT"}`, alg))
	p := b64json(fmt.Sprintf(`{"sub":"fake-%d","email":"fake%d@crossgate-fake.net","exp":%d}`, g.r.IntN(1e6), g.r.IntN(1e6), 1700000000+g.r.IntN(1e8)))
	sig := ""
	if alg != "none" {
		sig = g.chars(43, urlb64)
	}
	return h + "." + p + "." + sig
}

func (g gen) pem(kind string) string {
	var lines []string
	for i := 0; i < 8; i++ {
		lines = append(lines, g.fake(64, b64))
	}
	return "-----BEGIN " + kind + "PRIVATE KEY-----\n" + strings.Join(lines, "\n") + "\n-----END " + kind + "PRIVATE KEY-----"
}

// secretCases returns, per detector, a generator of a raw value and the
// text it is embedded in (the value is what Scan must report).
func (g gen) secret(id string) (value, text string) {
	wrap := func(key, v string) string {
		switch g.r.IntN(4) {
		case 0:
			return fmt.Sprintf(`{"id": %d, "%s": "%s", "ok": true}`, g.r.IntN(1e5), key, v)
		case 1:
			return fmt.Sprintf("%s=%s\n", strings.ToUpper(key), v)
		case 2:
			return fmt.Sprintf("<tr><td>%s</td><td>%s</td></tr>", key, v)
		default:
			return fmt.Sprintf("2026-03-01T12:00:00Z INFO worker config loaded %s=%q", key, v)
		}
	}
	switch id {
	case "aws-access-key-id":
		v := g.pick("AKIA", "ASIA") + "FAKE" + g.chars(12, upper2)
		return v, wrap("access_key_id", v)
	case "aws-secret-access-key":
		v := g.chars(10, alnum) + "FAKE" + g.chars(26, b64)
		v = v[:20] + "aZ9" + v[23:]
		return v, fmt.Sprintf(`aws_secret_access_key = %s`, v)
	case "github-token":
		if g.r.IntN(3) == 0 {
			v := "github_pat_" + g.fake(82, alnum+"_")
			return v, wrap("token", v)
		}
		v := g.pick("ghp_", "gho_", "ghu_", "ghs_", "ghr_") + g.fake(36, alnum)
		return v, wrap("gh", v)
	case "gitlab-token":
		v := "glpat-" + g.fake(20, alnum+"_-")
		return v, wrap("gl", v)
	case "slack-token":
		v := g.pick("xoxb-", "xoxp-") + fmt.Sprint(1e10+g.r.IntN(1e9)) + "-" + fmt.Sprint(1e10+g.r.IntN(1e9)) + "-" + g.fake(24, alnum)
		return v, wrap("slack", v)
	case "slack-webhook":
		v := "https://hooks.slack.com/services/T" + g.chars(8, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") + "/B" + g.chars(8, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") + "/" + g.fake(24, alnum)
		return v, wrap("webhook", v)
	case "stripe-secret-key":
		v := g.pick("sk_live_", "rk_live_") + g.fake(24, alnum)
		return v, wrap("stripe", v)
	case "google-api-key":
		v := "AIza" + g.fake(35, alnum+"_-")
		return v, wrap("maps", v)
	case "sendgrid-api-key":
		v := "SG." + g.fake(22, alnum+"_-") + "." + g.fake(43, alnum+"_-")
		return v, wrap("mail", v)
	case "npm-token":
		v := "npm_" + g.fake(36, alnum)
		return v, "//registry.npmjs.org/:_authToken=" + v + "\n"
	case "pypi-token":
		v := "pypi-AgEIcHlwaS5vcmc" + g.fake(60, alnum+"_-")
		return v, "[pypi]\n  username = __token__\n  password = " + v + "\n"
	case "openai-api-key":
		v := "sk-proj-" + g.fake(20, alnum) + "T3BlbkFJ" + g.fake(20, alnum)
		return v, wrap("openai", v)
	case "anthropic-api-key":
		v := "sk-ant-api03-" + g.fake(93, alnum+"_-") + "AA"
		return v, wrap("anthropic", v)
	case "mailgun-api-key":
		v := "key-" + g.chars(32, hexl)
		return v, wrap("mg", v)
	case "heroku-api-key":
		v := fmt.Sprintf("%s-%s-%s-%s-%s", g.chars(8, hexl), g.chars(4, hexl), g.chars(4, hexl), g.chars(4, hexl), g.chars(12, hexl))
		return v, fmt.Sprintf(`HEROKU_API_KEY=%s`, v)
	case "digitalocean-token":
		v := "dop_v1_" + g.chars(64, hexl)
		return v, wrap("do", v)
	case "shopify-token":
		v := g.pick("shpat_", "shpss_") + g.chars(32, hexl)
		return v, wrap("shop", v)
	case "square-token":
		v := "sq0atp-" + g.fake(22, alnum+"_-")
		return v, wrap("sq", v)
	case "azure-storage-key":
		v := g.fake(86, b64) + "=="
		return v, "DefaultEndpointsProtocol=https;AccountName=fakeacct;AccountKey=" + v + ";EndpointSuffix=core.windows.net"
	case "hashicorp-vault-token":
		v := "hvs." + g.fake(24, alnum+"_-")
		return v, wrap("vault", v)
	case "doppler-token":
		v := "dp.st.prd." + g.fake(40, alnum)
		return v, wrap("doppler", v)
	case "huggingface-token":
		v := "hf_" + g.fake(34, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
		return v, wrap("hf", v)
	case "sentry-auth-token":
		v := "sntryu_" + g.chars(64, hexl)
		return v, wrap("sentry", v)
	case "twilio-api-key":
		v := "SK" + g.chars(32, hexl)
		return v, fmt.Sprintf(`{"twilio": {"api_key_sid": "%s"}}`, v)
	case "discord-webhook":
		v := "https://discord.com/api/webhooks/" + fmt.Sprint(1e18+g.r.IntN(1e17)) + "/" + g.fake(68, alnum+"_-")
		return v, wrap("hook", v)
	case "telegram-bot-token":
		v := fmt.Sprint(1e9+g.r.IntN(1e8)) + ":AA" + g.fake(33, alnum+"_-")
		return v, "https://api.telegram.org/bot" + v + "/getMe"
	case "datadog-api-key":
		v := g.chars(32, hexl)
		return v, fmt.Sprintf(`DD_API_KEY=%s`, v)
	case "jwt":
		v := g.jwt(g.pick("HS256", "RS256", "none"))
		return v, wrap("session", v)
	case "pem-private-key":
		v := g.pem(g.pick("", "RSA ", "EC ", "OPENSSH "))
		return v, "key file:\n" + v + "\n"
	case "gcp-service-account":
		v := strings.ReplaceAll(g.pem(""), "\n", `\n`)
		return v, fmt.Sprintf(`{"type": "service_account", "project_id": "fake-project", "private_key_id": "%s", "private_key": "%s", "client_email": "svc@fake-project.iam.gserviceaccount.com"}`, g.chars(40, hexl), v)
	case "database-url":
		pw := "Fake" + g.chars(12, alnum)
		scheme := g.pick("postgres", "postgresql", "mysql", "mongodb+srv", "redis", "amqp")
		return pw, fmt.Sprintf(`DATABASE_URL=%s://app_user:%s@db-%d.internal:5432/app`, scheme, pw, g.r.IntN(9))
	case "basic-auth-url":
		pw := "Fake" + g.chars(10, alnum)
		return pw, fmt.Sprintf(`{"callback": "https://svc:%s@hooks.internal.fake/notify"}`, pw)
	case "sentry-dsn":
		pw := g.chars(32, hexl)
		return pw, fmt.Sprintf(`SENTRY_DSN=https://%s:%s@sentry.io/%d`, g.chars(32, hexl), pw, g.r.IntN(1e6))
	case "django-secret-key":
		if g.r.IntN(2) == 0 {
			v := "django-insecure-" + g.chars(50, "abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)")
			return v, fmt.Sprintf("SECRET_KEY = '%s'\n", v)
		}
		v := g.chars(50, "abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)")
		return v, fmt.Sprintf("DJANGO_SECRET_KEY=%s\n", v)
	case "django-password-hash":
		v := fmt.Sprintf("pbkdf2_sha256$%d$%s$%s=", 600000+g.r.IntN(300000), g.chars(22, alnum), g.chars(43, b64))
		if g.r.IntN(2) == 0 {
			v = "argon2$argon2id$v=19$m=102400,t=2,p=8$" + g.chars(22, alnum) + "$" + g.chars(43, b64)
		}
		return v, fmt.Sprintf(`{"username": "fake", "password": "%s"}`, v)
	case "password-hash":
		v := "$2b$12$" + g.chars(53, alnum+"./")
		return v, "fakeuser:" + v + "\n"
	case "terraform-cloud-token":
		v := g.chars(14, "abcdefghijklmnopqrstuvwxyz0123456789") + ".atlasv1." + g.fake(67, alnum)
		return v, "credentials \"app.terraform.io\" { token = \"" + v + "\" }"
	case "postman-api-key":
		v := "PMAK-" + g.chars(24, hexl) + "-" + g.chars(34, hexl)
		return v, wrap("postman", v)
	case "newrelic-api-key":
		v := "NRAK-" + g.fake(27, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
		return v, wrap("nr", v)
	case "linear-api-key":
		v := "lin_api_" + g.fake(40, alnum)
		return v, wrap("linear", v)
	case "grafana-token":
		v := "glsa_" + g.fake(32, alnum) + "_" + g.chars(8, hexl)
		return v, wrap("grafana", v)
	case "age-secret-key":
		v := "AGE-SECRET-KEY-1" + g.chars(58, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L")
		return v, "# created: 2026-03-01\n" + v + "\n"
	case "twilio-account-sid":
		v := "AC" + g.chars(32, hexl)
		return v, fmt.Sprintf(`TWILIO_ACCOUNT_SID=%s`, v)
	case "discord-bot-token":
		v := g.pick("M", "N") + g.fake(23, alnum) + "." + g.chars(6, alnum) + "." + g.fake(27, alnum+"_-")
		return v, fmt.Sprintf(`{"discord": {"bot_token": "%s"}}`, v)
	case "generic-secret":
		if g.r.IntN(2) == 0 {
			v := "Fk" + g.chars(14, alnum) + "!"
			return v, fmt.Sprintf(`{"db": {"user": "app", "password": "%s"}}`, v)
		}
		v := g.fake(32, alnum)
		return v, fmt.Sprintf(`{"client_secret": "%s"}`, v)
	}
	panic("no generator for " + id)
}

var generatedSecrets = []string{"aws-access-key-id", "aws-secret-access-key", "github-token", "gitlab-token", "slack-token",
	"slack-webhook", "stripe-secret-key", "google-api-key", "sendgrid-api-key", "npm-token", "pypi-token", "openai-api-key",
	"anthropic-api-key", "mailgun-api-key", "heroku-api-key", "digitalocean-token", "shopify-token", "square-token",
	"azure-storage-key", "hashicorp-vault-token", "doppler-token", "huggingface-token", "sentry-auth-token", "twilio-api-key",
	"discord-webhook", "telegram-bot-token", "datadog-api-key", "jwt", "pem-private-key", "gcp-service-account",
	"database-url", "basic-auth-url", "sentry-dsn", "django-secret-key", "django-password-hash", "password-hash", "generic-secret",
	"terraform-cloud-token", "postman-api-key", "newrelic-api-key", "linear-api-key", "grafana-token",
	"age-secret-key", "twilio-account-sid", "discord-bot-token"}

func (g gen) pii(id string) (value, text string) {
	first := g.pick("jane", "john", "ana", "li", "omar", "fake")
	switch id {
	case "email":
		v := fmt.Sprintf("%s.%s%d@%s", first, g.pick("doe", "roe", "tester"), g.r.IntN(999), g.pick("crossgate-fake.net", "mail.fake-corp.io", "fakemail.org"))
		switch g.r.IntN(3) {
		case 0:
			return v, fmt.Sprintf(`{"name": "%s", "email": "%s"}`, first, v)
		case 1:
			return v, fmt.Sprintf("<a href=\"mailto:%s\">contact</a>", v)
		default:
			return v, fmt.Sprintf("2026-03-01 12:00:01 login ok user=%s ip=10.0.0.%d", v, g.r.IntN(255))
		}
	case "phone":
		switch g.r.IntN(4) {
		case 0:
			v := fmt.Sprintf("+1 415 555 %04d", g.r.IntN(10000))
			return v, fmt.Sprintf(`{"phone": "%s"}`, v)
		case 1:
			v := fmt.Sprintf("(212) 555-%04d", g.r.IntN(10000))
			return v, fmt.Sprintf(`{"mobile_number": "%s"}`, v)
		case 2:
			v := fmt.Sprintf("+4420794%05d", g.r.IntN(100000))
			return v, fmt.Sprintf(`{"contact": "%s"}`, v)
		default:
			v := fmt.Sprintf("020 7946 %04d", g.r.IntN(10000))
			return v, fmt.Sprintf("Tel: %s (office)", v)
		}
	case "us-ssn":
		d := g.ssn()
		switch g.r.IntN(3) {
		case 0:
			v := d[:3] + "-" + d[3:5] + "-" + d[5:]
			return v, fmt.Sprintf(`{"name": "%s", "ssn": "%s"}`, first, v)
		case 1:
			return d, fmt.Sprintf(`{"social_security_number": "%s"}`, d)
		default:
			v := d[:3] + " " + d[3:5] + " " + d[5:]
			return v, fmt.Sprintf("Applicant SSN: %s", v)
		}
	case "payment-card":
		d := g.card()
		switch g.r.IntN(3) {
		case 0:
			return d, fmt.Sprintf(`{"card_number": "%s", "exp": "12/29"}`, d)
		case 1:
			v := groupCard(d, " ")
			return v, fmt.Sprintf("<p>Card on file: %s</p>", v)
		default:
			v := groupCard(d, "-")
			return v, fmt.Sprintf("payment accepted pan=%s amount=12.50", v)
		}
	case "iban":
		v := g.iban()
		if g.r.IntN(2) == 0 {
			v = spaced4(v)
			return v, fmt.Sprintf("Pay to IBAN %s before Friday.", v)
		}
		return v, fmt.Sprintf(`{"iban": "%s", "bic": "FAKEDEFF"}`, v)
	}
	panic(id)
}

// negatives are hard cases that must produce no match at all.
func (g gen) negatives() []labelled {
	var out []labelled
	add := func(name, text string) { out = append(out, labelled{Name: "neg/" + name, Text: text}) }
	for i := 0; i < 25; i++ {
		add("uuid", fmt.Sprintf(`{"id": "%s-%s-4%s-a%s-%s", "request_id": "%s"}`, g.chars(8, hexl), g.chars(4, hexl), g.chars(3, hexl), g.chars(3, hexl), g.chars(12, hexl), g.chars(32, hexl)))
		add("hash", fmt.Sprintf(`{"sha256": "%s", "commit": "%s", "etag": "W/\"%s\""}`, g.chars(64, hexl), g.chars(40, hexl), g.chars(32, hexl)))
		add("timestamp", fmt.Sprintf(`{"created_at": "2026-0%d-1%dT10:%02d:00.123456Z", "ts": %d, "ts_ms": %d}`, 1+g.r.IntN(9), g.r.IntN(9), g.r.IntN(60), 1700000000+g.r.IntN(1e8), 1700000000000+g.r.IntN(1e11)))
		add("version", fmt.Sprintf("Server: nginx/1.%d.%d (Ubuntu) X-Powered-By: Django/4.%d.%d python/3.1%d.%d build 2026.%d.%d.%d", g.r.IntN(30), g.r.IntN(10), g.r.IntN(3), g.r.IntN(20), g.r.IntN(4), g.r.IntN(10), g.r.IntN(12), g.r.IntN(30), g.r.IntN(9999)))
		ean := "40" + g.chars(10, "0123456789")
		ean += string(luhnDigit(ean)) // worst case: an EAN that also passes Luhn
		add("isbn-ean", fmt.Sprintf(`{"isbn": "978%s", "ean": "%s", "barcode": "%s"}`, g.chars(10, "0123456789"), ean, ean))
		add("order", fmt.Sprintf(`{"order_id": "%s", "invoice": "INV-%s", "tracking": "1Z%s"}`, g.card(), g.chars(10, "0123456789"), g.chars(16, "0123456789")))
		add("base64-image", fmt.Sprintf(`<img src="data:image/png;base64,iVBORw0KGgo%s==">`, g.chars(600, b64)))
		add("decimal", fmt.Sprintf(`{"lat": 0.%s, "score": 1.%se-05, "ratio": "0.%s"}`, g.card(), g.card(), g.card()))
		add("placeholder", g.pick(
			`{"password": "changeme", "api_key": "${API_KEY}", "token": "{{ token }}"}`,
			`DB_PASSWORD=********\nSECRET_KEY='********************'\nAPI_TOKEN=xxxxxxxxxxxxxxxx`,
			`{"password": "", "secret": null, "token": true, "api_key": "your_api_key_here"}`,
			`AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`,
			`github_token: ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`,
			`DATABASE_URL=postgres://user:${DB_PASSWORD}@db:5432/app`,
			`redis://:%(password)s@localhost:6379/0`,
			`SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]`,
			`-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----`,
			`"private_key": "<your private key>"`,
			`password=<PASSWORD> token=%s secret=$SECRET`))
		add("test-fixture", g.pick(
			`{"card_number": "4111111111111111"}`, `{"card": "4242 4242 4242 4242"}`, `{"pan": "5555555555554444"}`,
			`{"ssn": "078-05-1120"}`, `{"ssn": "123-45-6789"}`, `SSN: 219-09-9999`, `{"ssn": "000-12-3456"}`, `{"ssn": "666-12-3456"}`,
			`{"ssn": "912-34-5678"}`, `{"email": "alice@example.com"}`, `contact: bob@test`, `ssh git@github.com:org/repo.git`))
		add("email-like", g.pick(`<img srcset="logo@2x.png 2x">`, `@media (max-width: 600px) { a { color: red } }`,
			`npm i @scope/pkg@1.2.3`, `font: 12px/1.5 "Helvetica"; @import url(x.css);`, `user@localhost`, `handle: @fakeuser`))
		add("digits-no-context", fmt.Sprintf("part %s-%s-%s shipped; build %d; call center extension %d; ref %s", g.chars(3, "123456789"), g.chars(2, "123456789"), g.chars(4, "123456789"), g.r.IntN(1e9), g.r.IntN(1e4), g.card()[:12]))
		add("iban-bad-check", fmt.Sprintf(`{"iban": "DE00%s"}`, g.chars(18, "0123456789")))
		add("keys", g.pick(`{"token_type": "Bearer", "expires_in": 3600, "next_page_token": "CiAKGjBpNDd2Nmp2Zml2cXRuYjBpOXA"}`,
			`{"public_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyMaterialFAKE0123456789abcdef"}`,
			`{"client_id": "fake-client-0123456789", "key": "ctrl+shift+down", "keyboard": "qwerty"}`,
			`{"password_changed_at": "2025-01-01", "password_min_length": 12, "token_url": "https://auth.fake/token"}`,
			`-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAfake\n-----END PUBLIC KEY-----`,
			`{"csrf_token": "`+g.chars(64, alnum)+`"}`,
			`risk-free offer; task_id=42; ask_me; msg.send(); disk-usage`,
			`{"author": "fake", "passenger": "Jane", "bypass": true, "compass": "north"}`,
			// Publishable keys are public by design (Stripe: safe in client-side code).
			`{"stripe_pk": "pk_`+`live_`+g.fake(24, alnum)+`", "recaptcha_site_key": "6Lc`+g.fake(37, urlb64)+`"}`,
			`eyJhbGciOiJIUzI1NiJ9 is just a header, not a token`))
		add("prose", g.pick(
			`In Python, a Traceback shows where an error happened. Read the traceback from the bottom up.`,
			`The hotel telephone desk is open; our intel team will call. Lessons on social studies.`,
			`Version 3.2.25 was released on 2024-03-04. See RFC 9457 for problem details.`,
			`Use pbkdf2 or argon2 to hash passwords; never store the password itself.`))
	}
	return out
}

func generateCorpus() []labelled {
	g := gen{rand.New(rand.NewPCG(4, 2026))}
	var out []labelled
	for _, id := range []string{"email", "phone", "us-ssn", "payment-card", "iban"} {
		for i := 0; i < 30; i++ {
			v, text := g.pii(id)
			out = append(out, labelled{Name: id, Text: text, Expect: []expected{{id, v}}})
		}
	}
	for _, id := range generatedSecrets {
		n := 8
		if id == "generic-secret" || id == "jwt" || id == "database-url" {
			n = 20
		}
		for i := 0; i < n; i++ {
			v, text := g.secret(id)
			out = append(out, labelled{Name: id, Text: text, Expect: []expected{{id, v}}})
		}
	}
	// Mixed documents: several values in one response.
	for i := 0; i < 20; i++ {
		ev, et := g.pii("email")
		cv, ct := g.pii("payment-card")
		sv, st := g.secret(g.pick("github-token", "jwt", "stripe-secret-key", "database-url"))
		id := ""
		for _, cand := range []string{"github-token", "jwt", "stripe-secret-key", "database-url"} {
			if strings.Contains(st, sv) && (cand == "jwt" && strings.HasPrefix(sv, "eyJ") || cand == "github-token" && (strings.HasPrefix(sv, "gh") || strings.HasPrefix(sv, "github_pat_")) ||
				cand == "stripe-secret-key" && (strings.HasPrefix(sv, "sk_") || strings.HasPrefix(sv, "rk_")) || cand == "database-url" && strings.Contains(st, "DATABASE_URL")) {
				id = cand
			}
		}
		out = append(out, labelled{Name: "mixed", Text: et + "\n" + ct + "\n" + st,
			Expect: []expected{{"email", ev}, {"payment-card", cv}, {id, sv}}})
	}
	return append(out, g.negatives()...)
}

const corpusPath = "testdata/corpus.jsonl"

// handwrittenPath holds realistic documents written by hand (settings files,
// .env, API responses, logs), so the corpus is not only what the generator
// can imagine.
const handwrittenPath = "testdata/handwritten.jsonl"

func loadCorpus(t testing.TB) []labelled {
	return readJSONL(t, corpusPath)
}

func readJSONL(t testing.TB, path string) []labelled {
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open corpus (regenerate with -update): %v", err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l labelled
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("corpus line: %v", err)
		}
		out = append(out, l)
	}
	return out
}

func TestCorpusUpToDate(t *testing.T) {
	want := generateCorpus()
	if *update {
		if err := os.MkdirAll(filepath.Dir(corpusPath), 0o755); err != nil {
			t.Fatal(err)
		}
		var sb strings.Builder
		for _, l := range want {
			b, _ := json.Marshal(l)
			sb.Write(b)
			sb.WriteByte('\n')
		}
		if err := os.WriteFile(corpusPath, []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := loadCorpus(t)
	if len(got) != len(want) {
		t.Fatalf("corpus has %d cases, generator %d: run go test ./exposure -run TestCorpusUpToDate -update", len(got), len(want))
	}
}

type score struct{ tp, fp, fn int }

func (s score) precision() float64 {
	if s.tp+s.fp == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fp)
}

func (s score) recall() float64 {
	if s.tp+s.fn == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fn)
}

func TestPrecisionRecall(t *testing.T) {
	corpus := append(append(loadCorpus(t), readJSONL(t, handwrittenPath)...), readJSONL(t, realworldPath)...)
	per := map[string]*score{}
	fam := map[Kind]*score{PII: {}, Secret: {}}
	get := func(id string) *score {
		if per[id] == nil {
			per[id] = &score{}
		}
		return per[id]
	}
	kindOf := func(id string) Kind {
		if d := detectorByID(id); d != nil {
			return d.kind
		}
		return Secret
	}
	positives, negatives := 0, 0
	for _, c := range corpus {
		if len(c.Expect) == 0 {
			negatives++
		}
		positives += len(c.Expect)
		want := map[expected]int{}
		for _, e := range c.Expect {
			want[e]++
		}
		for _, m := range Scan([]byte(c.Text)) {
			e := expected{m.Detector, m.Value}
			if want[e] > 0 {
				if want[e]--; want[e] == 0 {
					delete(want, e)
				}
				get(m.Detector).tp++
				fam[m.Kind].tp++
				continue
			}
			get(m.Detector).fp++
			fam[m.Kind].fp++
			t.Logf("false positive in %s: %s %q (key %q) in %q", c.Name, m.Detector, m.Value, m.Key, clip(c.Text, 160))
		}
		for e, n := range want {
			get(e.Detector).fn += n
			fam[kindOf(e.Detector)].fn += n
			t.Logf("missed in %s: %s %q in %q", c.Name, e.Detector, e.Value, clip(c.Text, 200))
		}
	}
	if positives < 200 || negatives < 200 {
		t.Errorf("corpus too small: %d positives, %d hard negatives (want >= 200 each)", positives, negatives)
	}
	ids := make([]string, 0, len(per))
	for id := range per {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var tbl strings.Builder
	fmt.Fprintf(&tbl, "\n%-24s %4s %4s %4s %9s %7s\n", "detector", "tp", "fp", "fn", "precision", "recall")
	for _, id := range ids {
		s := per[id]
		fmt.Fprintf(&tbl, "%-24s %4d %4d %4d %9.3f %7.3f\n", id, s.tp, s.fp, s.fn, s.precision(), s.recall())
	}
	for _, k := range []Kind{PII, Secret} {
		s := fam[k]
		fmt.Fprintf(&tbl, "%-24s %4d %4d %4d %9.3f %7.3f\n", "family "+string(k), s.tp, s.fp, s.fn, s.precision(), s.recall())
	}
	t.Logf("%d positives, %d hard negatives%s", positives, negatives, tbl.String())
	for _, k := range []Kind{PII, Secret} {
		if s := fam[k]; s.precision() < 0.95 || s.recall() < 0.95 {
			t.Errorf("family %s: precision %.3f recall %.3f, want >= 0.95", k, s.precision(), s.recall())
		}
	}
	for _, id := range ids {
		if s := per[id]; s.tp+s.fn >= 5 && (s.precision() < 0.95 || s.recall() < 0.95) {
			t.Errorf("detector %s: precision %.3f recall %.3f, want >= 0.95", id, s.precision(), s.recall())
		}
	}
}
