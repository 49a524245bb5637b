package nginx

import (
	"strings"
	"testing"
)

// BenchmarkParseAndCheck measures a large generated config: 500 servers with 4 locations each.
func BenchmarkParseAndCheck(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("http {\n")
	for range 500 {
		sb.WriteString("server {\n listen 443 ssl;\n ssl_verify_client optional;\n root /srv/app;\n add_header Access-Control-Allow-Origin *;\n proxy_set_header X-SSL-Client-S-DN $ssl_client_s_dn;\n")
		for range 4 {
			sb.WriteString(" location /api/ {\n  proxy_set_header Host $host;\n  proxy_pass http://127.0.0.1:8000;\n }\n")
		}
		sb.WriteString("}\n")
	}
	sb.WriteString("}\n")
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		cfg, err := Parse("bench.conf", data)
		if err != nil {
			b.Fatal(err)
		}
		if len(Check(cfg, Options{})) == 0 {
			b.Fatal("no findings")
		}
	}
}
