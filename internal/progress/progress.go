// Package progress draws the one status line a long scan shows on stderr: origins and
// endpoints done of their totals, requests sent, findings by severity, elapsed time and an
// estimate of what is left. On a terminal the line is redrawn in place; elsewhere (a log, a
// CI job) it is written as plain lines, and only when the user asked for it. It never writes
// to stdout: reports go there.
package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/crossgate/crossgate/finding"
)

// Meter counts a scan's progress. A nil *Meter does nothing, so callers need no checks.
type Meter struct {
	mu        sync.Mutex
	w         io.Writer
	inPlace   bool // a terminal: redraw with \r; otherwise one line per tick
	now       func() time.Time
	start     time.Time
	requests  func() int64
	origins   [2]int // done, total
	endpoints [2]int
	severity  [finding.Critical + 1]int
	width     int // of the last line drawn in place, to blank it
	stop      chan struct{}
	done      chan struct{}
}

// New returns a meter writing to w; inPlace redraws one line (for a terminal). requests
// reports how many requests were sent so far. now may be nil (time.Now).
func New(w io.Writer, inPlace bool, requests func() int64, now func() time.Time) *Meter {
	if now == nil {
		now = time.Now
	}
	if requests == nil {
		requests = func() int64 { return 0 }
	}
	return &Meter{w: w, inPlace: inPlace, now: now, start: now(), requests: requests}
}

// AddOrigins and AddEndpoints grow the totals (discovery may add endpoints as it goes).
func (m *Meter) AddOrigins(n int) {
	if m != nil {
		m.mu.Lock()
		m.origins[1] += n
		m.mu.Unlock()
	}
}

func (m *Meter) AddEndpoints(n int) {
	if m != nil {
		m.mu.Lock()
		m.endpoints[1] += n
		m.mu.Unlock()
	}
}

// OriginDone counts one origin finished.
func (m *Meter) OriginDone() {
	if m != nil {
		m.mu.Lock()
		m.origins[0]++
		m.mu.Unlock()
	}
}

// EndpointDone counts one endpoint finished and its findings.
func (m *Meter) EndpointDone(fs []finding.Finding) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.endpoints[0]++
	for _, f := range fs {
		if f.Severity >= finding.Info && f.Severity <= finding.Critical {
			m.severity[f.Severity]++
		}
	}
}

// Line is the status as one line of text, without control characters.
func (m *Meter) Line() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	elapsed := m.now().Sub(m.start)
	var b strings.Builder
	fmt.Fprintf(&b, "crossgate: origins %d/%d, endpoints %d/%d, %d requests", m.origins[0], m.origins[1],
		m.endpoints[0], m.endpoints[1], m.requests())
	var sev []string
	for s := finding.Critical; s >= finding.Info; s-- {
		if n := m.severity[s]; n > 0 {
			sev = append(sev, fmt.Sprintf("%d %s", n, s))
		}
	}
	if len(sev) > 0 {
		b.WriteString(", findings: " + strings.Join(sev, " "))
	}
	fmt.Fprintf(&b, ", %s elapsed", clock(elapsed))
	if done, total := m.endpoints[0], m.endpoints[1]; done > 0 && done < total {
		left := time.Duration(float64(elapsed) / float64(done) * float64(total-done))
		fmt.Fprintf(&b, ", about %s left", clock(left))
	}
	return b.String()
}

func clock(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// Draw writes the line once.
func (m *Meter) Draw() {
	if m == nil {
		return
	}
	line := m.Line()
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.inPlace {
		fmt.Fprintln(m.w, line)
		return
	}
	pad := ""
	if n := m.width - len(line); n > 0 {
		pad = strings.Repeat(" ", n)
	}
	m.width = len(line)
	fmt.Fprint(m.w, "\r"+line+pad)
}

// Start redraws every interval until Stop.
func (m *Meter) Start(interval time.Duration) {
	if m == nil {
		return
	}
	m.stop, m.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(m.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		m.Draw()
		for {
			select {
			case <-t.C:
				m.Draw()
			case <-m.stop:
				return
			}
		}
	}()
}

// Stop ends the redraws and leaves the terminal line blank, so the report (or the next
// message) starts at the left margin; a non-terminal gets one last line.
func (m *Meter) Stop() {
	if m == nil || m.stop == nil {
		return
	}
	close(m.stop)
	<-m.done
	m.stop = nil
	if !m.inPlace {
		m.Draw()
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.width > 0 {
		fmt.Fprint(m.w, "\r"+strings.Repeat(" ", m.width)+"\r")
	}
}
