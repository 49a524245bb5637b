package exposure

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
)

// Secret detectors. Fixed-prefix formats are regular expressions that run
// only in a small window around their prefix; formats without a prefix are
// anchored on the key name that introduces them. Shapes are written from the
// vendors' published token formats (anchors §4), not copied from other
// scanners.

func secretDetectors() []*detector {
	ds := []*detector{
		tok("aws-access-key-id", "AWS access key ID", []string{"akia", "asia", "abia", "acca"},
			`(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}`, 0.95),
		{id: "aws-secret-access-key", label: "AWS secret access key", kind: Secret, priority: 100, conf: 0.9,
			keywords: []string{"aws_secret", "aws-secret", "awssecret", "secret_access_key", "secretaccesskey", "secret-access-key"},
			re:       regexp.MustCompile(`(?i:aws_?-?secret(?:_?-?access)?_?-?key|secret_?-?access_?-?key)["']?\s*(?:=>|:=|[:=])\s*["']?([A-Za-z0-9/+]{40})`),
			after:    140, before: 4, check: all(boundedValue("/+="), mixedCase)},
		tok("github-token", "GitHub token", []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}, `gh[pousr]_[A-Za-z0-9]{36}`, 0.97),
		tok("github-token", "GitHub token", []string{"github_pat_"}, `github_pat_[A-Za-z0-9_]{82}`, 0.97),
		tok("gitlab-token", "GitLab token", []string{"glpat-", "glptt-", "gldt-", "glrt-"}, `gl(?:pat|ptt|dt|rt)-[A-Za-z0-9_\-]{20,64}`, 0.95),
		tok("slack-token", "Slack token", []string{"xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-", "xapp-"},
			`(?:xox[abeprs]|xapp)-[0-9]{1,16}-[0-9A-Za-z\-]{8,}`, 0.95),
		tok("slack-webhook", "Slack webhook URL", []string{"hooks.slack.com/"},
			`https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_\-]{20,}`, 0.95),
		tok("stripe-secret-key", "Stripe secret key", []string{"sk_live_", "rk_live_", "sk_test_", "rk_test_", "sk_prod_", "rk_prod_"},
			`[sr]k_(?:live|test|prod)_[A-Za-z0-9]{10,99}`, 0.95),
		tok("google-api-key", "Google API key", []string{"aiza"}, `AIza[0-9A-Za-z_\-]{35}`, 0.9),
		tok("sendgrid-api-key", "SendGrid API key", []string{"sg."}, `SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}`, 0.95),
		tok("npm-token", "npm access token", []string{"npm_"}, `npm_[A-Za-z0-9]{36}`, 0.95),
		tok("pypi-token", "PyPI upload token", []string{"pypi-ageichlwas5vcmc"}, `pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,}`, 0.97),
		tok("openai-api-key", "OpenAI API key", []string{"t3blbkfj"}, `sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_\-]{16,}T3BlbkFJ[A-Za-z0-9_\-]{16,}`, 0.97),
		tok("openai-api-key", "OpenAI API key", []string{"sk-proj-", "sk-svcacct-", "sk-admin-"}, `sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{40,200}`, 0.9),
		tok("anthropic-api-key", "Anthropic API key", []string{"sk-ant-"}, `sk-ant-(?:api|admin|oat|sid)\d\d-[A-Za-z0-9_\-]{32,120}`, 0.97),
		tok("mailgun-api-key", "Mailgun API key", []string{"key-"}, `key-[0-9a-f]{32}`, 0.85),
		tok("heroku-api-key", "Heroku API key", []string{"hrku-"}, `HRKU-[A-Za-z0-9_\-]{60}`, 0.95),
		{id: "heroku-api-key", label: "Heroku API key", kind: Secret, priority: 95, conf: 0.85, keywords: []string{"heroku"},
			re:    regexp.MustCompile(`(?i:heroku)[A-Za-z0-9_\-]*["']?\s*(?:=>|:=|[:=])\s*["']?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})`),
			after: 100, check: boundedValue("-")},
		tok("digitalocean-token", "DigitalOcean token", []string{"dop_v1_", "doo_v1_", "dor_v1_"}, `do[opr]_v1_[a-f0-9]{64}`, 0.97),
		tok("shopify-token", "Shopify access token", []string{"shpat_", "shpca_", "shppa_", "shpss_"}, `shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}`, 0.97),
		tok("square-token", "Square access token", []string{"sq0atp-", "sq0csp-"}, `sq0(?:atp-[A-Za-z0-9_\-]{22}|csp-[A-Za-z0-9_\-]{43})`, 0.95),
		tok("square-token", "Square access token", []string{"eaaa"}, `EAAA[A-Za-z0-9_\-]{60}`, 0.7),
		{id: "azure-storage-key", label: "Azure storage account key", kind: Secret, priority: 100, conf: 0.95,
			keywords: []string{"accountkey="},
			re:       regexp.MustCompile(`(?i:accountkey)=([A-Za-z0-9+/]{86}==)`), after: 110, check: boundedValue("+/=")},
		tok("hashicorp-vault-token", "HashiCorp Vault token", []string{"hvs.", "hvb."}, `hv[sb]\.[A-Za-z0-9_\-]{24,}`, 0.9),
		tok("terraform-cloud-token", "Terraform Cloud token", []string{".atlasv1."}, `[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=\-]{60,70}`, 0.95),
		tok("doppler-token", "Doppler token", []string{"dp.st.", "dp.ct.", "dp.sa.", "dp.scim.", "dp.audit."}, `dp\.(?:st|ct|sa|scim|audit)\.[A-Za-z0-9_.\-]{40,64}`, 0.95),
		tok("huggingface-token", "Hugging Face token", []string{"hf_"}, `hf_[A-Za-z]{34}`, 0.85),
		tok("sentry-auth-token", "Sentry auth token", []string{"sntrys_", "sntryu_"}, `sntry(?:s_[A-Za-z0-9+/=_]{50,}|u_[a-f0-9]{64})`, 0.95),
		tok("postman-api-key", "Postman API key", []string{"pmak-"}, `PMAK-[a-f0-9]{24}-[a-f0-9]{34}`, 0.95),
		tok("newrelic-api-key", "New Relic API key", []string{"nrak-"}, `NRAK-[A-Z0-9]{27}`, 0.9),
		tok("linear-api-key", "Linear API key", []string{"lin_api_"}, `lin_api_[A-Za-z0-9]{40}`, 0.95),
		tok("grafana-token", "Grafana service account token", []string{"glsa_"}, `glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}`, 0.95),
		tok("age-secret-key", "age secret key", []string{"age-secret-key-1"}, `AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}`, 0.97),
		{id: "twilio-api-key", label: "Twilio API key", kind: Secret, priority: 90, conf: 0.85, keywords: []string{"twilio"},
			re: regexp.MustCompile(`\bSK[0-9a-f]{32}\b`), before: 300, after: 300, check: boundedValue("")},
		{id: "twilio-account-sid", label: "Twilio account SID", kind: Secret, priority: 85, conf: 0.6, keywords: []string{"twilio"},
			re: regexp.MustCompile(`\bAC[0-9a-f]{32}\b`), before: 300, after: 300, check: boundedValue("")},
		{id: "discord-bot-token", label: "Discord bot token", kind: Secret, priority: 90, conf: 0.85, keywords: []string{"discord"},
			re:     regexp.MustCompile(`[MNO][A-Za-z0-9_\-]{23,25}\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27,38}`),
			before: 200, after: 300, check: boundedValue("_-.")},
		tok("discord-webhook", "Discord webhook URL", []string{"discord.com/api/webhooks/", "discordapp.com/api/webhooks/"},
			`https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d{17,20}/[A-Za-z0-9_\-]{60,68}`, 0.95),
		{id: "telegram-bot-token", label: "Telegram bot token", kind: Secret, priority: 90, conf: 0.85, keywords: []string{":aa"},
			re: regexp.MustCompile(`\d{8,10}:AA[A-Za-z0-9_\-]{33}`), before: 12, after: 40, check: telegramCheck},
		{id: "datadog-api-key", label: "Datadog API key", kind: Secret, priority: 95, conf: 0.85,
			keywords: []string{"datadog", "dd_api_key", "dd_app_key", "dd-api-key", "dd-application-key", "dd_application_key"},
			re:       regexp.MustCompile(`(?i:datadog|dd)[A-Za-z0-9_\-]*["']?\s*(?:=>|:=|[:=])\s*["']?([0-9a-f]{40}|[0-9a-f]{32})`),
			after:    120, before: 3, check: boundedValue("")},
		{id: "jwt", label: "JSON web token", kind: Secret, priority: 90, conf: 0.9, keywords: []string{"eyj"},
			re: regexp.MustCompile(`eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{2,}\.[A-Za-z0-9_\-]*`), after: 8192, check: jwtCheck},
		{id: "django-password-hash", label: "Django password hash", kind: Secret, priority: 100, conf: 0.97,
			keywords: []string{"pbkdf2_sha", "argon2$argon2", "bcrypt_sha256$", "bcrypt$$2", "scrypt$"},
			re: regexp.MustCompile(`(?:pbkdf2_sha(?:256|1)\$\d{4,7}\$[A-Za-z0-9./+]{4,64}\$[A-Za-z0-9+/]{20,88}={0,2}` +
				`|argon2\$argon2(?:id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]{8,}\$[A-Za-z0-9+/]{16,}` +
				`|bcrypt(?:_sha256)?\$\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}` +
				`|scrypt\$\d+\$[A-Za-z0-9./+]{4,64}\$\d+\$\d+\$\d+\$[A-Za-z0-9+/]{20,}={0,2})`),
			after: 200, check: boundedValue("+/=")},
		{id: "password-hash", label: "password hash", kind: Secret, priority: 80, conf: 0.9,
			keywords: []string{"$2a$", "$2b$", "$2y$", "$5$", "$6$", "$1$", "$apr1$"},
			re: regexp.MustCompile(`\$(?:2[aby]\$\d\d\$[./A-Za-z0-9]{53}|6\$(?:rounds=\d+\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{86}` +
				`|5\$(?:rounds=\d+\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{43}|(?:1|apr1)\$[./A-Za-z0-9]{1,8}\$[./A-Za-z0-9]{22})`),
			after: 150, check: boundedValue("./")},
		{id: "pem-private-key", label: "private key", kind: Secret, priority: 110, conf: 0.99,
			keywords: []string{"private key-----", "private key block-----"}, find: findPEM},
		{id: "gcp-service-account", label: "GCP service account key", kind: Secret, priority: 111, conf: 0.99},
		{id: "database-url", label: "database URL with password", plural: "database URLs with passwords", kind: Secret,
			priority: 100, conf: 0.95, keywords: []string{"@", "jdbc:"}, find: findURLCredentials},
		{id: "basic-auth-url", label: "URL with credentials", plural: "URLs with credentials", kind: Secret, priority: 99, conf: 0.9},
		{id: "sentry-dsn", label: "Sentry DSN with secret", plural: "Sentry DSNs with secrets", kind: Secret, priority: 100, conf: 0.9},
		{id: "django-secret-key", label: "Django SECRET_KEY", plural: "Django SECRET_KEYs", kind: Secret, priority: 105, conf: 0.95,
			keywords: []string{"secret_key", "django-insecure-"}, find: findDjangoSecretKey},
		{id: "generic-secret", label: "secret", kind: Secret, priority: 10, conf: 0.8, keywords: genericWords, find: findGeneric},
	}
	return ds
}

// tok builds a fixed-prefix token detector: the token must stand alone (no
// letter or digit glued to either side) and must not be a placeholder.
func tok(id, label string, kws []string, pattern string, conf float64) *detector {
	return &detector{id: id, label: label, kind: Secret, priority: 100, conf: conf, keywords: kws,
		re: regexp.MustCompile(pattern), before: 20, after: 260, check: boundedValue("_")}
}

func all(checks ...func([]byte, *Match) bool) func([]byte, *Match) bool {
	return func(data []byte, m *Match) bool {
		for _, c := range checks {
			if !c(data, m) {
				return false
			}
		}
		return true
	}
}

// boundedValue rejects a value glued to a longer token and placeholders.
func boundedValue(extra string) func([]byte, *Match) bool {
	return func(data []byte, m *Match) bool {
		if !boundaryBefore(data, m.Start, strings.ReplaceAll(extra, "=", "")) || !boundaryAfter(data, m.End, extra) {
			return false
		}
		return !placeholder(string(data[m.Start:m.End]))
	}
}

func mixedCase(data []byte, m *Match) bool {
	v := data[m.Start:m.End]
	var u, l, d bool
	for _, c := range v {
		u = u || isUpper(c)
		l = l || c >= 'a' && c <= 'z'
		d = d || isDigit(c)
	}
	return u && l && d
}

var placeholderWords = []string{"xxxx", "****", "example", "changeme", "change_me", "change-me", "placeholder", "redacted",
	"your_", "your-", "yourkey", "insert", "dummy", "<", ">", "${", "{{", "}}", "{%", "%s", "%(", "...", "…", "000000000000", "abcdefgh",
	"123456789012", "replace", "sample", "notreal", "not-a-real", "not_a_real", "secret_here", "here", "todo"}

// reference reports values that name another value: $VAR, %VAR%, @VAR@,
// {expr}, [list], (call).
func reference(v string) bool {
	return v != "" && strings.IndexByte("$%@{[(", v[0]) >= 0
}

// placeholder reports values that stand in for a secret: templates,
// environment references, masked values, documentation samples.
func placeholder(v string) bool {
	if len(v) == 0 {
		return true
	}
	lv := strings.ToLower(v)
	for _, w := range placeholderWords {
		if strings.Contains(lv, w) {
			return true
		}
	}
	if distinct(v) <= 3 {
		return true
	}
	// The repeated-letter masks that some frameworks print (anchors §1).
	if strings.Count(v, "*") >= len(v)/2 {
		return true
	}
	return false
}

func telegramCheck(data []byte, m *Match) bool {
	if m.Start > 0 && isDigit(data[m.Start-1]) || !boundaryAfter(data, m.End, "_-") {
		return false
	}
	if m.Start > 0 && isLetter(data[m.Start-1]) && !bytes.HasSuffix(data[max(0, m.Start-3):m.Start], []byte("bot")) {
		return false
	}
	return !placeholder(string(data[m.Start:m.End]))
}

func b64url(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	return base64.RawURLEncoding.DecodeString(s)
}

// jwtCheck decodes the header and the claims; a token whose parts are not
// JSON objects is not a JWT. The note names the algorithm and the claims,
// never their values.
func jwtCheck(data []byte, m *Match) bool {
	if !boundaryBefore(data, m.Start, "_-.+/") || !boundaryAfter(data, m.End, "_-.+/=") {
		return false
	}
	parts := strings.Split(string(data[m.Start:m.End]), ".")
	if len(parts) != 3 {
		return false
	}
	hb, err1 := b64url(parts[0])
	pb, err2 := b64url(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	var hdr, claims map[string]any
	if json.Unmarshal(hb, &hdr) != nil || json.Unmarshal(pb, &claims) != nil {
		return false
	}
	alg, _ := hdr["alg"].(string)
	if alg == "" {
		return false
	}
	names := make([]string, 0, len(claims))
	for k := range claims {
		names = append(names, k)
	}
	sort.Strings(names)
	var note strings.Builder
	note.WriteString("alg=" + safeWord(alg))
	if strings.EqualFold(alg, "none") {
		note.WriteString(" (unsigned: alg none)")
		m.Confidence = 0.99
	} else if parts[2] == "" {
		return false
	}
	if len(names) > 0 {
		note.WriteString(", claims: ")
		for i, n := range names {
			if i > 0 {
				note.WriteString(", ")
			}
			note.WriteString(safeWord(n))
		}
	}
	m.Note = note.String()
	return true
}

// safeWord keeps a claim name or algorithm printable and short.
func safeWord(s string) string {
	if len(s) > 32 {
		s = s[:32]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

// ---- PEM private keys

func findPEM(data []byte, hits []hit, emit func(Match)) {
	last := -1
	for _, h := range hits {
		if h.start < last {
			continue
		}
		// Back up to "-----BEGIN".
		lo := max(0, h.start-40)
		b := bytes.LastIndex(data[lo:h.start], []byte("-----BEGIN "))
		if b < 0 {
			continue
		}
		s := lo + b
		hi := min(len(data), h.end+maxMatch-256)
		endRel := bytes.Index(data[h.end:hi], []byte("-----END "))
		if endRel < 0 {
			continue
		}
		endMarker := h.end + endRel
		close := bytes.Index(data[endMarker+9:min(len(data), endMarker+80)], []byte("-----"))
		if close < 0 {
			continue
		}
		e := endMarker + 9 + close + 5
		body := data[h.end:endMarker]
		n := 0
		for _, c := range body {
			if isAlnum(c) || c == '+' || c == '/' {
				n++
			}
		}
		if n < 64 || placeholder(string(body)) && !bytes.Contains(body, []byte("\\n")) {
			continue
		}
		if bytes.Contains(body, []byte("...")) || bytes.Contains(bytes.ToLower(body), []byte("xxxx")) {
			continue
		}
		m := Match{Start: s, End: e}
		ctx := data[max(0, s-4096):min(len(data), e+4096)]
		if bytes.Contains(ctx, []byte(`"service_account"`)) {
			m.Detector = "gcp-service-account"
			m.Note = "GCP service account JSON"
		}
		emit(m)
		last = e
	}
}

// ---- credentials in URLs

var dbSchemes = map[string]bool{"postgres": true, "postgresql": true, "mysql": true, "mariadb": true, "mongodb": true,
	"mongodb+srv": true, "redis": true, "rediss": true, "amqp": true, "amqps": true, "mssql": true, "sqlserver": true,
	"oracle": true, "cockroachdb": true, "couchdb": true, "memcached": true, "nats": true, "kafka": true,
	"postgis": true, "mysql2": true, "clickhouse": true, "sqs": true}

func isUserinfo(c byte) bool {
	return c > ' ' && c < 0x7f && c != '/' && c != '@' && c != '"' && c != '\'' && c != '<' && c != '>' && c != '`' &&
		c != '\\' && c != '(' && c != ')' && c != '[' && c != ']' && c != '{' && c != '}' && c != ','
}

func findURLCredentials(data []byte, hits []hit, emit func(Match)) {
	for _, h := range hits {
		if data[h.start] != '@' {
			findJDBCPassword(data, h.start, emit)
			continue
		}
		at := h.start
		s := at
		for s > 0 && at-s < 256 && isUserinfo(data[s-1]) {
			s--
		}
		// data[s-2:s] must be "//" preceded by "scheme:".
		if s < 3 || data[s-1] != '/' || data[s-2] != '/' || data[s-3] != ':' {
			continue
		}
		se := s - 3
		ss := se
		for ss > 0 && (isAlnum(data[ss-1]) || data[ss-1] == '+' || data[ss-1] == '.' || data[ss-1] == '-') && se-ss < 20 {
			ss--
		}
		if ss == se || !isLetter(data[ss]) {
			continue
		}
		scheme := toLower(data[ss:se])
		userinfo := data[s:at]
		colon := bytes.IndexByte(userinfo, ':')
		if colon < 0 || colon == len(userinfo)-1 {
			continue
		}
		ps := s + colon + 1
		pass := string(data[ps:at])
		if placeholder(pass) || reference(pass) || commonNonSecrets[strings.ToLower(pass)] {
			continue
		}
		// Host.
		he := at + 1
		for he < len(data) && (isAlnum(data[he]) || data[he] == '.' || data[he] == '-' || data[he] == '_' || data[he] == ':' || data[he] == '[' || data[he] == ']') {
			he++
		}
		if he == at+1 {
			continue
		}
		host := toLower(data[at+1 : he])
		id := "basic-auth-url"
		switch {
		case dbSchemes[scheme] || strings.HasPrefix(scheme, "jdbc"):
			id = "database-url"
		case strings.Contains(host, "sentry"):
			id = "sentry-dsn"
		case scheme == "http" || scheme == "https" || scheme == "ftp" || scheme == "ftps" || scheme == "sftp" ||
			scheme == "smtp" || scheme == "smtps" || scheme == "ldap" || scheme == "ldaps" || scheme == "ssh" ||
			scheme == "git" || scheme == "svn" || scheme == "ws" || scheme == "wss" || scheme == "imap" || scheme == "pop3" || scheme == "socks5":
		default:
			continue
		}
		if host == "host" || host == "hostname" || host == "localhost" && (pass == "password" || pass == "pass") {
			continue
		}
		emit(Match{Detector: id, Start: ps, End: at, Key: scheme, Note: scheme + "://…:****@" + safeWord(string(data[at+1:he]))})
	}
}

// findJDBCPassword finds the password JDBC drivers take as a URL parameter rather than in the
// userinfo: jdbc:postgresql://host/db?user=u&password=p, jdbc:sqlserver://host;password=p.
func findJDBCPassword(data []byte, start int, emit func(Match)) {
	end := start
	for end < len(data) && end-start < 1024 && data[end] > ' ' && data[end] != '"' && data[end] != '\'' && data[end] != '<' && data[end] != '`' {
		end++
	}
	url := toLower(data[start:end])
	for _, name := range []string{"?password=", "&password=", ";password=", "?pwd=", "&pwd=", ";pwd="} {
		i := strings.Index(url, name)
		if i < 0 {
			continue
		}
		ps := start + i + len(name)
		pe := ps
		for pe < end && data[pe] != '&' && data[pe] != ';' {
			pe++
		}
		pass := string(data[ps:pe])
		if pe == ps || placeholder(pass) || reference(pass) || commonNonSecrets[strings.ToLower(pass)] {
			return
		}
		emit(Match{Detector: "database-url", Start: ps, End: pe, Key: "jdbc", Note: safeWord(string(data[start:min(start+24, end)])) + "…password=****"})
		return
	}
}

// ---- Django SECRET_KEY

// djangoKeyChar is the alphabet of get_random_secret_key().
func djangoKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || isDigit(c) || strings.IndexByte("!@#$%^&*(-_=+)", c) >= 0
}

func findDjangoSecretKey(data []byte, hits []hit, emit func(Match)) {
	last := -1
	for _, h := range hits {
		if h.start < last {
			continue
		}
		if lower(data[h.start]) == 'd' { // django-insecure-
			s := h.start
			e := h.end
			for e < len(data) && djangoKeyChar(data[e]) && e-s < 120 {
				e++
			}
			if e-h.end < 30 || !boundaryBefore(data, s, "_-") || placeholder(string(data[h.end:e])) {
				continue
			}
			emit(Match{Start: s, End: e, Key: "SECRET_KEY", Note: "django-insecure- key", Confidence: 0.97})
			last = e
			continue
		}
		is, ie := identAround(data, h.start, h.end)
		name := strings.ToUpper(string(data[is:ie]))
		if name != "SECRET_KEY" && name != "DJANGO_SECRET_KEY" {
			continue
		}
		vs, ve, ok := assignedValue(data, ie, true)
		if !ok {
			continue
		}
		v := string(data[vs:ve])
		if len(v) < 16 || distinct(v) < 5 || placeholder(v) && !strings.HasPrefix(v, "django-insecure-") {
			continue
		}
		// "secret_key = settings.SECRET_KEY" reads the setting, it does not set it.
		if !quotedAt(data, vs) && codeExpression(v) {
			continue
		}
		m := Match{Start: vs, End: ve, Key: string(data[is:ie])}
		if strings.HasPrefix(v, "django-insecure-") {
			m.Note = "django-insecure- key"
		}
		emit(m)
		last = ve
	}
}

// assignedValue parses `"?\s*(=|:|=>|:=)\s*value` after an identifier
// ending at i and returns the literal value's span. Values that are not
// literals (calls, references, numbers, objects) return false.
//
// loose reads an unquoted value up to whitespace only, for env files whose
// values may contain shell punctuation (Django keys do).
func assignedValue(data []byte, i int, loose bool) (int, int, bool) {
	n := len(data)
	if i < n && (data[i] == '"' || data[i] == '\'') {
		i++
	}
	for i < n && (data[i] == ' ' || data[i] == '\t') {
		i++
	}
	switch {
	case i+1 < n && (data[i] == '=' && data[i+1] == '>' || data[i] == ':' && data[i+1] == '='):
		i += 2
	case i < n && (data[i] == '=' || data[i] == ':'):
		if i+1 < n && data[i+1] == '=' { // a comparison, not an assignment
			return 0, 0, false
		}
		i++
	default:
		return 0, 0, false
	}
	for i < n && (data[i] == ' ' || data[i] == '\t') {
		i++
	}
	if i >= n {
		return 0, 0, false
	}
	// Python string prefixes.
	if (data[i] == 'r' || data[i] == 'b' || data[i] == 'u') && i+1 < n && (data[i+1] == '"' || data[i+1] == '\'') {
		i++
	}
	q := data[i]
	if q == '"' || q == '\'' || q == '`' {
		s := i + 1
		e := s
		for e < n && data[e] != q && data[e] != '\n' && e-s < 512 {
			if data[e] == '\\' {
				e++
			}
			e++
		}
		if e >= n || data[e] != q || e == s {
			return 0, 0, false
		}
		return s, e, true
	}
	s := i
	e := s
	for e < n && e-s < 512 {
		c := data[e]
		if loose {
			if c <= ' ' || c == '"' || c == '\'' || c == '<' || c == ',' || c == ';' {
				break
			}
			e++
			continue
		}
		if c <= ' ' || c == ',' || c == ';' || c == '&' || c == '"' || c == '\'' || c == '<' || c == '}' || c == ']' || c == ')' || c == '(' || c == '[' || c == '`' {
			break
		}
		e++
	}
	if e == s || !loose && e < n && (data[e] == '(' || data[e] == '[') {
		return 0, 0, false
	}
	return s, e, true
}
