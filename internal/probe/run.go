// Package probe checks a live Streamlit deployment for the WebSocket
// hardening that only the running system can prove (TLS versions, Origin
// refusal, headers, internal paths, direct-origin bypass). Every probe talks
// HTTP at the byte level so it can send what browsers never send (a `null`
// or missing Origin, a legacy WebSocket version) and reads answers with
// deadlines and size caps, so a hostile server cannot hang or exhaust it.
package probe

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/streamsec/streamsec/internal/textfile"
	"os"
	"path/filepath"
	"time"
)

// Status is the verdict of one probe.
type Status string

const (
	Pass    Status = "pass"
	Fail    Status = "fail"
	Unknown Status = "unknown" // the probe could not tell (unreachable, no 101 to judge, time bound hit)
)

// Evidence is what a reader needs to judge a probe themselves. The field
// names are a contract read by the evidence report; keep them stable.
type Evidence struct {
	Request string `json:"request,omitempty"` // what was sent, e.g. "GET /_stcore/stream (Origin: null)"
	Status  string `json:"status,omitempty"`  // HTTP status code seen, or the TLS version negotiated
	Headers string `json:"headers,omitempty"` // the relevant response headers, one per line
	Detail  string `json:"detail,omitempty"`  // why the verdict is what it is
}

// Result is one probe's outcome.
type Result struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	Controls  []string `json:"controls"`
	Status    Status   `json:"status"`
	Mandatory bool     `json:"mandatory"`
	Evidence  Evidence `json:"evidence"`
	// LiveOnly marks a probe only a live target can show (TLS handshakes,
	// certificates); in an offline run it is unknown and does not fail it.
	LiveOnly bool `json:"liveOnly,omitempty"`
}

// Run is one `streamsec verify` run: the JSON that --save writes and
// --format json prints.
type Run struct {
	Tool    string `json:"tool"`
	Version string `json:"version"`
	// Mode is ModeOffline for a run judged on the plan; "" for a live run.
	Mode       string    `json:"mode,omitempty"`
	Target     string    `json:"target"`
	StartedAt  time.Time `json:"startedAt"`
	FinishedAt time.Time `json:"finishedAt"`
	Probes     []Result  `json:"probes"`
	// Notes are what an offline run could not model (managed rule sets)
	// and the assumptions it made.
	Notes []string `json:"notes,omitempty"`
}

// Failed reports whether a mandatory probe failed or could not be shown:
// a control that could not be proven is not a pass.
func (r *Run) Failed() bool {
	for _, p := range r.Probes {
		if p.Mandatory && p.Status != Pass && !(r.Mode == ModeOffline && p.LiveOnly && p.Status == Unknown) {
			return true
		}
	}
	return false
}

// Probe returns the result with the given id.
func (r *Run) Probe(id string) (Result, bool) {
	for _, p := range r.Probes {
		if p.ID == id {
			return p, true
		}
	}
	return Result{}, false
}

// Decode reads a saved run and checks the fields the report relies on.
func Decode(data []byte) (*Run, error) {
	var r Run
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("decode verify run: %w", err)
	}
	if r.Tool != "streamsec" {
		return nil, fmt.Errorf("decode verify run: tool is %q, want \"streamsec\"", r.Tool)
	}
	for i, p := range r.Probes {
		if p.ID == "" {
			return nil, fmt.Errorf("decode verify run: probes[%d]: id is empty", i)
		}
		switch p.Status {
		case Pass, Fail, Unknown:
		default:
			return nil, fmt.Errorf("decode verify run: probes[%d] (%s): status %q, allowed: pass, fail, unknown", i, p.ID, p.Status)
		}
	}
	return &r, nil
}

// Load reads a run saved with `streamsec verify --save FILE`.
func Load(path string) (*Run, error) {
	data, err := textfile.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read verify run: %w", err)
	}
	r, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// Save writes the run as indented JSON, through a temp file and a rename so
// a reader never sees half a file.
func (r *Run) Save(path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode verify run: %w", err)
	}
	data = append(data, '\n')
	tmp, err := os.CreateTemp(filepath.Dir(path), ".verify-*.json")
	if err != nil {
		return fmt.Errorf("save verify run: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("save verify run: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save verify run: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save verify run: %w", err)
	}
	return nil
}
