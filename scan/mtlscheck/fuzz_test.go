package mtlscheck

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"math"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/internal/similar"
)

func TestSimilarity(t *testing.T) {
	base := []byte(`{"user":"alice","email":"alice@example.com","note":"private profile of alice, account settings, billing address and recent orders","ts":"2026-12-02T02:00:00Z"}`)
	cases := []struct {
		a, b    string
		similar bool
	}{
		{string(base), string(base), true},
		{string(base), strings.Replace(string(base), "02:00:00", "02:00:07", 1), true},
		{string(base), `{"user":"anonymous","message":"welcome to the public landing page, please present your certificate"}`, false},
		{string(base), "forbidden", false},
		{"", "", true},
		{"", "x", false},
		{"{}", "[]", false},
	}
	for _, c := range cases {
		if got := similar.Bodies([]byte(c.a), []byte(c.b)) >= similarThreshold; got != c.similar {
			t.Errorf("similar.Bodies(%.30q, %.30q) = %.2f, want similar=%v", c.a, c.b, similar.Bodies([]byte(c.a), []byte(c.b)), c.similar)
		}
	}
}

func TestContainsToken(t *testing.T) {
	cases := []struct {
		body, marker string
		want         bool
	}{
		{`{"user":"alice"}`, "alice", true},
		{`{"user":"alice2"}`, "alice", false},
		{`{"user":"malice"}`, "alice", false},
		{`CN=alice,O=Example`, "alice", true},
		{`hello ALICE.`, "alice", true},
		{`alice-admin`, "alice", false},
		{`x alice2 and alice`, "alice", true},
		{`alice`, "", false},
	}
	for _, c := range cases {
		if got := ContainsToken([]byte(c.body), c.marker); got != c.want {
			t.Errorf("ContainsToken(%q, %q) = %v, want %v", c.body, c.marker, got, c.want)
		}
	}
}

func TestLegacyDN(t *testing.T) {
	n := pkix.Name{CommonName: "alice", Organization: []string{"Example"}, OrganizationalUnit: []string{"Dev"}, Country: []string{"DE"}}
	der, err := asn1.Marshal(n.ToRDNSequence())
	if err != nil {
		t.Fatal(err)
	}
	got, err := LegacyDN(der)
	if err != nil || got != "/C=DE/O=Example/OU=Dev/CN=alice" {
		t.Fatalf("LegacyDN = %q, %v", got, err)
	}
	if _, err := LegacyDN([]byte("garbage")); err == nil {
		t.Fatal("garbage parsed")
	}
	if _, err := LegacyDN(append(der, 0)); err == nil {
		t.Fatal("trailing data accepted")
	}
}

func FuzzSimilarity(f *testing.F) {
	f.Add([]byte(`{"user":"alice"}`), []byte(`{"user":"bob"}`))
	f.Add([]byte(""), []byte("\xff\xfe"))
	f.Add([]byte("a b c d e"), []byte("a b c d e"))
	f.Add([]byte(`{"user":"alice","name":"Alice Liddell","at":"2026-12-02T03:12:33.1Z"}`), []byte(`{"name":"Alice Liddell","at":"2026-12-02T03:12:34.9Z"}`))
	f.Add([]byte("3f2a9c1e-4b7d 0xDEAD sha256 aGVsbG8gd29ybGQ9PQ00"), []byte("٣٤ ２０２６ x9"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		s := similar.Bodies(a, b)
		if s < 0 || s > 1 || math.IsNaN(s) {
			t.Fatalf("Similarity out of range: %v", s)
		}
		if r := similar.Bodies(b, a); r != s {
			t.Fatalf("not symmetric: %v vs %v", s, r)
		}
		if similar.Bodies(a, a) != 1 {
			t.Fatalf("similar.Bodies(a, a) = %v", similar.Bodies(a, a))
		}
		name := string(a[:min(len(a), 8)])
		for _, n := range []string{"alice", name} {
			w := SimilarityWithout(a, b, n)
			if w < 0 || w > 1 || math.IsNaN(w) {
				t.Fatalf("SimilarityWithout out of range: %v", w)
			}
			if r := SimilarityWithout(b, a, n); r != w {
				t.Fatalf("SimilarityWithout not symmetric: %v vs %v", w, r)
			}
		}
	})
}

func FuzzContainsToken(f *testing.F) {
	f.Add("CN=alice2,O=Example", "alice")
	f.Add("\xffalice\xff", "alice")
	f.Add("ÄLICE", "älice")
	f.Fuzz(func(t *testing.T, body, marker string) {
		got := ContainsToken([]byte(body), marker)
		if got && indexFold(body, marker) < 0 {
			t.Fatalf("ContainsToken(%q, %q) without an occurrence", body, marker)
		}
		if marker != "" && !ContainsToken([]byte(marker), marker) {
			t.Fatalf("a marker does not contain itself: %q", marker)
		}
	})
}

func FuzzLegacyDN(f *testing.F) {
	der, _ := asn1.Marshal(pkix.Name{CommonName: "alice", Organization: []string{"Example"}}.ToRDNSequence())
	f.Add(der)
	f.Add([]byte{0x30, 0x00})
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := LegacyDN(b)
		if err == nil && len(b) > 2 && s == "" {
			var seq pkix.RDNSequence
			if _, err := asn1.Unmarshal(b, &seq); err == nil && len(seq) > 0 && len(seq[0]) > 0 {
				t.Fatalf("non-empty name rendered empty")
			}
		}
	})
}
