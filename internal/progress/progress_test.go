package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/crossgate/crossgate/finding"
)

type clockAt struct{ t time.Time }

func (c *clockAt) now() time.Time { return c.t }

func TestLine(t *testing.T) {
	clk := &clockAt{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	var sent int64
	m := New(&bytes.Buffer{}, true, func() int64 { return sent }, clk.now)
	m.AddOrigins(2)
	m.AddEndpoints(10)
	if got, want := m.Line(), "crossgate: origins 0/2, endpoints 0/10, 0 requests, 0:00 elapsed"; got != want {
		t.Errorf("start:\n got %q\nwant %q", got, want)
	}
	clk.t = clk.t.Add(30 * time.Second)
	sent = 120
	m.EndpointDone([]finding.Finding{{Severity: finding.High}, {Severity: finding.Info}, {Severity: finding.High}})
	m.EndpointDone(nil)
	m.OriginDone()
	// 2 of 10 in 30 s: 8 more take about 2 minutes.
	want := "crossgate: origins 1/2, endpoints 2/10, 120 requests, findings: 2 high 1 info, 0:30 elapsed, about 2:00 left"
	if got := m.Line(); got != want {
		t.Errorf("midway:\n got %q\nwant %q", got, want)
	}
}

// On a terminal the line is redrawn in place and blanked at the end; elsewhere plain lines.
func TestDraw(t *testing.T) {
	var tty bytes.Buffer
	m := New(&tty, true, nil, nil)
	m.AddEndpoints(1)
	m.Start(time.Hour) // draws once at start
	m.Stop()
	out := tty.String()
	if !strings.HasPrefix(out, "\rcrossgate: ") || strings.Contains(out, "\n") || !strings.HasSuffix(out, "\r") {
		t.Errorf("terminal output %q: want a line redrawn with \\r, blanked at the end, no newline", out)
	}
	var log bytes.Buffer
	m = New(&log, false, nil, nil)
	m.Start(time.Hour)
	m.Stop()
	if lines := strings.Split(strings.TrimSuffix(log.String(), "\n"), "\n"); len(lines) != 2 || strings.Contains(log.String(), "\r") {
		t.Errorf("log output %q: want two plain lines (start and end)", log.String())
	}
	var nilMeter *Meter
	nilMeter.EndpointDone(nil) // a nil meter is a no-op
	nilMeter.Start(time.Second)
	nilMeter.Stop()
}
