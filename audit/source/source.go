// Package source is the one way the audit reads a file. An audited tree is not trusted: a
// file can be a link to /dev/zero or to the machine's own configuration, a FIFO that never
// answers, or gigabytes of generated code. Every read here is of a regular file inside the
// audited tree, bounded in size, cancellable between chunks, and a file that is not read in
// full says why (a *Skip error), so the report can list it instead of staying silent.
package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxFileSize is the largest file read: configuration and source files are kilobytes; a
// bigger file is data or generated code.
const MaxFileSize = 5 << 20

// sniffSize is how much of a file is looked at for a NUL byte before the rest is read.
const sniffSize = 8 << 10

// chunk is the read size between two looks at the context.
const chunk = 256 << 10

// Skip says why a file was not read (or not read in full).
type Skip struct {
	Path   string
	Reason string
}

func (s *Skip) Error() string { return s.Path + ": not audited: " + s.Reason }

// Reasons a file is skipped; they are shown to the user as they are.
const (
	ReasonTooLarge   = "larger than 5 MiB"
	ReasonBinary     = "binary (a NUL byte in the first 8 KiB)"
	ReasonSpecial    = "not a regular file (a device, FIFO or socket)"
	ReasonOutside    = "a symbolic link to a file outside the audited tree"
	ReasonBrokenLink = "a symbolic link that points nowhere"
	ReasonChanged    = "changed while it was read"
)

// Opener reads files under one root.
type Opener struct {
	root string // absolute, symbolic links resolved
}

// NewOpener returns an Opener for the tree at root (a directory).
func NewOpener(root string) (*Opener, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, err
	}
	return &Opener{root: real}, nil
}

// Root is the resolved root.
func (o *Opener) Root() string { return o.root }

// Inside reports whether p, once its symbolic links are resolved, lies in the tree; it
// returns the resolved path.
func (o *Opener) Inside(p string) (string, bool) {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", false
	}
	if !filepath.IsAbs(real) {
		if real, err = filepath.Abs(real); err != nil {
			return "", false
		}
	}
	rel, err := filepath.Rel(o.root, real)
	return real, err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// Read returns the content of p as UTF-8 text. It fails with a *Skip when p is not a
// regular file, is a link out of the tree, is larger than MaxFileSize, holds a NUL byte
// early on (binary), or changed while read; with ctx's error when ctx ends; else with the
// error of the file system. A UTF-16 file with a byte-order mark is decoded.
func (o *Opener) Read(ctx context.Context, p string) ([]byte, error) {
	data, err := o.read(ctx, p)
	if err != nil {
		return nil, err
	}
	if bytes.IndexByte(data[:min(len(data), sniffSize)], 0) >= 0 {
		return nil, &Skip{Path: p, Reason: ReasonBinary}
	}
	return data, nil
}

func (o *Opener) read(ctx context.Context, p string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st, err := os.Lstat(p)
	if err != nil {
		return nil, err
	}
	target := p
	if st.Mode()&os.ModeSymlink != 0 {
		real, inside := o.Inside(p)
		switch {
		case real == "":
			return nil, &Skip{Path: p, Reason: ReasonBrokenLink}
		case !inside:
			return nil, &Skip{Path: p, Reason: ReasonOutside}
		}
		target = real
		if st, err = os.Lstat(target); err != nil {
			return nil, err
		}
	} else if _, inside := o.Inside(filepath.Dir(p)); !inside {
		// A directory on the way is a link out of the tree.
		return nil, &Skip{Path: p, Reason: ReasonOutside}
	}
	if !st.Mode().IsRegular() {
		return nil, &Skip{Path: p, Reason: ReasonSpecial}
	}
	if st.Size() > MaxFileSize {
		return nil, &Skip{Path: p, Reason: ReasonTooLarge}
	}
	// O_NONBLOCK: if the file was swapped for a FIFO since the Lstat, opening it does not
	// wait for a writer; O_NOFOLLOW: nor for a symbolic link.
	f, err := os.OpenFile(target, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return nil, &Skip{Path: p, Reason: ReasonChanged}
		}
		return nil, err
	}
	defer f.Close()
	fst, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fst.Mode().IsRegular() || !os.SameFile(st, fst) {
		return nil, &Skip{Path: p, Reason: ReasonChanged}
	}
	if fst.Size() > MaxFileSize {
		return nil, &Skip{Path: p, Reason: ReasonTooLarge}
	}
	r := io.LimitReader(f, MaxFileSize+1)
	buf := make([]byte, 0, min(fst.Size()+1, MaxFileSize+1))
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, chunk)
		}
		n, err := r.Read(buf[len(buf):min(cap(buf), len(buf)+chunk)])
		buf = buf[:len(buf)+n]
		if len(buf) > MaxFileSize {
			return nil, &Skip{Path: p, Reason: ReasonTooLarge}
		}
		if n > 0 && len(buf)-n < sniffSize && !hasBOM16(buf) && bytes.IndexByte(buf[:min(len(buf), sniffSize)], 0) >= 0 {
			// Binary: stop at the first look instead of reading it whole.
			return nil, &Skip{Path: p, Reason: ReasonBinary}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	return decodeText(buf), nil
}

func hasBOM16(b []byte) bool {
	return len(b) >= 2 && (b[0] == 0xff && b[1] == 0xfe || b[0] == 0xfe && b[1] == 0xff)
}

// decodeText turns UTF-16 with a byte-order mark (what Windows editors save a .env or a
// settings file as) into UTF-8; anything else is returned as it is.
func decodeText(b []byte) []byte {
	if !hasBOM16(b) {
		return b
	}
	little := b[0] == 0xff
	b = b[2:]
	u := make([]uint16, len(b)/2)
	for i := range u {
		if little {
			u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		} else {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		}
	}
	out := make([]byte, 0, len(u))
	for _, r := range utf16.Decode(u) {
		out = utf8.AppendRune(out, r)
	}
	return out
}
