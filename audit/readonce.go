package audit

import (
	"path/filepath"
	"strings"
	"sync"

	"github.com/crossgate/crossgate/audit/django"
)

// Each file is read once. The visit reads every file for the secret scan; the Django side
// then parses the Python files and dotenv files, the nginx side parses the configs and looks
// for the identity headers the Python names. Rather than reading those again, the visit keeps their text,
// up to maxKept bytes in all: a project's own Python is a few megabytes, and a tree with
// more is read again file by file instead of held in memory (the audit stays under its
// memory budget on any tree).
const maxKept = 32 << 20

// kept is the text of files read while visiting, by absolute path.
type kept struct {
	mu    sync.Mutex
	files map[string][]byte
	size  int
}

// keeps reports whether the Django or nginx side reads p again: Python small enough to be
// analysed, the dotenv files discovery reads DJANGO_SETTINGS_MODULE from, nginx configs.
func keeps(p string, size int, nginx bool) bool {
	name := filepath.Base(p)
	return strings.HasSuffix(name, ".py") && size <= django.MaxSourceBytes ||
		(nginx || name == ".env" || strings.HasPrefix(name, ".env.")) && size <= 1<<20
}

func (k *kept) keep(p string, data []byte, nginx bool) {
	if keeps(p, len(data), nginx) {
		k.put(p, data)
	}
}

func (k *kept) put(p string, data []byte) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.size+len(data) > maxKept {
		return
	}
	if k.files == nil {
		k.files = map[string][]byte{}
	}
	k.files[abs] = data
	k.size += len(data)
}

func (k *kept) get(p string) ([]byte, bool) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	data, ok := k.files[abs]
	return data, ok
}

// readQuiet reads p again, from what the visit kept when it can, without recording a skip:
// the file was recorded when first visited. Callers do not modify the bytes.
func (pa *pathAudit) readQuiet(p string) ([]byte, error) {
	if data, ok := pa.kept.get(p); ok {
		return data, nil
	}
	return pa.readDisk(p)
}

// onDiskRead, when set (by tests), hears of every file read from disk.
var onDiskRead func(p string)

func (pa *pathAudit) readDisk(p string) ([]byte, error) {
	if onDiskRead != nil {
		onDiskRead(p)
	}
	return pa.src.Read(pa.ctx, p)
}
