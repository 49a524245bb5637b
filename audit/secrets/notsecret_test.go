package secrets

import (
	"strings"
	"testing"
)

func TestNotASecret(t *testing.T) {
	long := "var a=" + strings.Repeat("x", 1200)
	rows := []struct {
		name string
		in   notSecretInput
		want string // substring of the reason; "" means it may be a secret
	}{
		// placeholders
		{"fixme", notSecretInput{rel: "docker/app.env", detector: "generic-secret", value: "fixme-postgres-password"}, "placeholder value (contains fixme)"},
		{"changeme", notSecretInput{rel: "settings.py", detector: "generic-secret", value: "changeme123"}, "contains changeme"},
		{"your-password", notSecretInput{rel: "deploy.yml", detector: "generic-secret", value: "your-password-here"}, "contains your"},
		{"xxx", notSecretInput{rel: "config.yml", detector: "generic-secret", value: "sk-xxxxxxxxxxxx"}, "contains xxx"},
		{"angle brackets", notSecretInput{rel: "config.yml", detector: "generic-secret", value: "<db password>"}, "template or shell reference"},
		{"shell variable", notSecretInput{rel: "compose.yml", detector: "generic-secret", value: "${POSTGRES_PASSWORD}"}, "template or shell reference"},
		{"command substitution", notSecretInput{rel: "run.sh", detector: "django-secret-key", value: "$(openssl rand -hex 32)"}, "template or shell reference"},
		{"jinja", notSecretInput{rel: "roles/app/vars.yml", detector: "generic-secret", value: "{{ vault_db_password }}"}, "template or shell reference"},
		{"repeated letter", notSecretInput{rel: "smoke.py", detector: "django-secret-key", value: strings.Repeat("b", 50)}, "three distinct characters"},
		{"names itself", notSecretInput{rel: "config.yml", detector: "generic-secret", value: "adminpassword"}, "names what it stands for"},
		// template files
		{".env.example", notSecretInput{rel: "docker/.env.example", detector: "generic-secret", value: "Hk3s9QpL2mX8vR4t"}, "template file (.env.example)"},
		{".env.sample", notSecretInput{rel: ".env.sample", detector: "generic-secret", value: "Hk3s9QpL2mX8vR4t"}, "template file"},
		{"*.template", notSecretInput{rel: "conf/local_settings.py.template", detector: "generic-secret", value: "Hk3s9QpL2mX8vR4t"}, "template file"},
		{"*.dist", notSecretInput{rel: "phpunit.xml.dist", detector: "generic-secret", value: "Hk3s9QpL2mX8vR4t"}, "template file"},
		{"prod.example", notSecretInput{rel: "settings/config.py.prod.example", detector: "database-url", value: "rabbitmqpassword", line: `"url": "amqp://rabbitmquser:rabbitmqpassword@rabbitmqhost:5672/taiga"`, at: 27}, "template file"},
		{"real-format key in a template stays", notSecretInput{rel: ".env.example", detector: "aws-access-key-id", value: "AKIAQ4K3J2H1G0F9E8D7"}, ""},
		// generated, vendored, translated
		{"min.js word list", notSecretInput{rel: "static/js/zxcvbn.min.js", detector: "generic-secret", value: "Hk3s9QpL2mX8vR4t"}, "minified file"},
		{"source map", notSecretInput{rel: "static/app.js.map", detector: "generic-secret", value: "Hk3s9QpL2mX8vR4t"}, "source map"},
		{"long line", notSecretInput{rel: "static/bundle.js", detector: "generic-secret", value: "Hk3s9QpL2mX8vR4t", line: long}, "more than 1000 characters"},
		{"static/vendor", notSecretInput{rel: "static/vendor/lib.js", detector: "generic-secret", value: "Hk3s9QpL2mX8vR4t"}, "vendored library (vendor/)"},
		{"static/lib", notSecretInput{rel: "app/static/lib/chart.js", detector: "generic-secret", value: "Hk3s9QpL2mX8vR4t"}, "vendored library (lib/)"},
		{"locales", notSecretInput{rel: "vue3/src/locales/de.json", detector: "generic-secret", value: "Zugangsschl1"}, "translation catalogue"},
		{"po file", notSecretInput{rel: "locale/de/LC_MESSAGES/django.po", detector: "generic-secret", value: "Zugangsschl1"}, "translation catalogue"},
		{"AWS key in a bundle stays", notSecretInput{rel: "static/js/app.min.js", detector: "aws-access-key-id", value: "AKIAQ4K3J2H1G0F9E8D7"}, ""},
		// shapes that are no credential
		{"rate limit", notSecretInput{rel: "recipes/settings.py", detector: "generic-secret", value: "1/m/ip,1/m/key"}, "rate limit"},
		{"graphql type", notSecretInput{rel: "schema.graphql", detector: "generic-secret", value: "String!"}, "GraphQL type"},
		{"file path", notSecretInput{rel: "docs/k8s.md", detector: "generic-secret", value: "./db-password.txt"}, "file path"},
		{"a word", notSecretInput{rel: "saleor/doc_category.py", detector: "generic-secret", value: "Authentication"}, "single word"},
		{"a translated word", notSecretInput{rel: "app/strings.json", detector: "generic-secret", value: "Пароль"}, "single word"},
		// test inputs and doc examples
		{"test input", notSecretInput{rel: "app/tests/test_api.py", detector: "generic-secret", value: "Foo1234567"}, "test input"},
		{"test settings key", notSecretInput{rel: "tests/config.py", detector: "django-secret-key", value: "Kq8v2Lm9Xr4Tz7Wp1Ns6"}, "test input"},
		{"PEM in a test stays", notSecretInput{rel: "tests/conftest.py", detector: "pem-private-key", value: "-----BEGIN RSA PRIVATE KEY-----"}, ""},
		{"doc example", notSecretInput{rel: "docs/install.md", detector: "generic-secret", value: "J5brHrAXFLQSif0K"}, "documentation example"},
		{"yaml under docs", notSecretInput{rel: "docs/install/k8s/secrets.yaml", detector: "generic-secret", value: "ZGItcGFzc3dvcmQ="}, "documentation example"},
		// local stock credentials
		{"user equals password", notSecretInput{rel: "saleor/settings.py", detector: "database-url", value: "saleor", line: `default="postgres://saleor:saleor@localhost:5432/saleor",`, at: 28}, "stock credential of a local service (localhost)"},
		{"compose service host", notSecretInput{rel: ".github/workflows/ci.yml", detector: "database-url", value: "saleor", line: `DATABASE_URL: "postgres://saleor:saleor@postgres:5432/saleor"`, at: 33}, "local service (postgres)"},
		{"guest broker", notSecretInput{rel: "settings/common.py", detector: "database-url", value: "guest", line: `BROKER = 'amqp://guest:guest@localhost:5672//'`, at: 24}, "stock credential"},
		// what stays a secret
		{"real password to a remote host", notSecretInput{rel: "settings.py", detector: "database-url", value: "Qm7vL2xR9k", line: `DB = "postgres://app:Qm7vL2xR9k@db.example.net/app"`, at: 21}, ""},
		{"stock password to a remote host", notSecretInput{rel: "settings.py", detector: "database-url", value: "shop", line: `DB = "postgres://shop:shop@db.prod.internal/shop"`, at: 22}, ""},
		{"generated token in code", notSecretInput{rel: "app/settings.py", detector: "generic-secret", value: "Hk3s9QpL2mX8vR4t"}, ""},
		{"password with digits", notSecretInput{rel: "deploy/prod.yml", detector: "generic-secret", value: "Sunshine2024"}, ""},
		{"django key in settings", notSecretInput{rel: "mysite/settings.py", detector: "django-secret-key", value: "django-insecure-k3@9!x2m#q7v$p1z&r5w*t8y(u0o)i4e"}, ""},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			got := notASecret(r.in)
			if r.want == "" && got != "" || r.want != "" && !strings.Contains(got, r.want) {
				t.Errorf("notASecret(%+v) = %q, want %q", r.in, got, r.want)
			}
		})
	}
}
