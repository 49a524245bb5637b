package source

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// FuzzRead: whatever a file holds, Read returns valid-length text or a reason, never a
// panic, and UTF-16 with a BOM comes back as UTF-8.
func FuzzRead(f *testing.F) {
	f.Add([]byte("KEY=value\n"))
	f.Add([]byte{0xff, 0xfe, 'A', 0, '=', 0, '1', 0})
	f.Add([]byte{0xfe, 0xff, 0, 'A', 0xd8, 0x00})
	f.Add([]byte("\x00binary"))
	dir := f.TempDir()
	o, err := NewOpener(dir)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "f")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := o.Read(context.Background(), p)
		if err != nil {
			if _, ok := err.(*Skip); !ok {
				t.Fatalf("error %v is not a reason", err)
			}
			return
		}
		if hasBOM16(data) && !utf8.Valid(got) {
			t.Fatalf("UTF-16 decoded to invalid UTF-8: %q", got)
		}
		if !hasBOM16(data) && !bytes.Equal(got, data) {
			t.Fatalf("plain file changed")
		}
	})
}

func TestReadRefuses(t *testing.T) {
	dir := t.TempDir()
	o, _ := NewOpener(dir)
	os.Symlink("/dev/zero", filepath.Join(dir, "zero"))
	os.WriteFile(filepath.Join(dir, "ok"), []byte("x"), 0o644)
	os.Symlink("ok", filepath.Join(dir, "alias"))
	for name, want := range map[string]string{"zero": ReasonOutside, "alias": "", "ok": ""} {
		_, err := o.Read(context.Background(), filepath.Join(dir, name))
		got := ""
		if sk, ok := err.(*Skip); ok {
			got = sk.Reason
		} else if err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}
