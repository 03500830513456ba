package report_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

// many is a cycle with 250 public actions on recommendation 1 (every
// tenth implemented, the rest planned) and 50 kept for the secretariat.
func many() (report.Inputs, []report.Action) {
	day := time.Date(2027, 10, 21, 0, 0, 0, 0, time.UTC)
	in := report.Inputs{Cycle: report.Period{Year: 2027, Deadline: day}, CutoffAt: day, CompiledAt: day,
		Recommendations: []report.Recommendation{{Number: 1, Slug: "use-guidelines", Addressees: []stakeholder.Kind{"state"}}}}
	var as []report.Action
	for i := 1; i <= 300; i++ {
		org := int64(i%40 + 1)
		if i <= 40 {
			in.Organisations = append(in.Organisations, report.Organisation{ID: int64(i), Name: fmt.Sprintf("Org %02d", i), Kind: "state", Active: true})
		}
		a := report.Action{ID: int64(i), OrganisationID: org, Public: i <= 250, Stage: action.Planned, Recommendations: []int{1}, AcceptedAt: day}
		if i%10 == 0 {
			a.Stage = action.Implemented
		}
		if a.Public {
			a.Title = fmt.Sprintf("Action %03d", i)
		}
		as = append(as, a)
	}
	return in, as
}

// A recommendation lists its furthest advanced actions, at most
// ListedPerRecommendation, in listing order; the data documents hold them
// all; the figures count them all.
func TestCompileBoundsTheListing(t *testing.T) {
	in, as := many()
	c, err := report.Compile(in, report.Slice(as))
	if err != nil {
		t.Fatal(err)
	}
	if c.Actions != 250 || c.Withheld != 50 || c.ReportingTotal != 40 || len(c.Reported) != 40 {
		t.Errorf("figures: %d actions, %d withheld, %d reporting (%d)", c.Actions, c.Withheld, c.ReportingTotal, len(c.Reported))
	}
	r1 := c.Recommendations[0]
	if r1.Actions != 250 || len(r1.Listed) != report.ListedPerRecommendation {
		t.Fatalf("rec 1: %d actions, %d listed", r1.Actions, len(r1.Listed))
	}
	implemented := 0
	for i, l := range r1.Listed {
		if l.Stage == action.Implemented {
			implemented++
		}
		if i > 0 && l.ID < r1.Listed[i-1].ID {
			t.Errorf("listed out of order: %d after %d", l.ID, r1.Listed[i-1].ID)
		}
	}
	if implemented != 25 { // every implemented action is listed before any planned one
		t.Errorf("%d implemented actions listed, want 25", implemented)
	}

	r := newRenderer(t)
	ctx := context.Background()
	doc, err := r.Render(ctx, c, report.CSV, "en")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(doc, []byte("\ufeff")))).ReadAll()
	if err != nil || len(rows) != 251 {
		t.Errorf("CSV: %d rows, %v", len(rows), err)
	}
	doc, err = r.Render(ctx, c, report.JSON, "fr")
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ Actions []struct{ ID int64 } }
	if err := json.Unmarshal(doc, &got); err != nil || len(got.Actions) != 250 || got.Actions[249].ID != 250 {
		t.Errorf("JSON: %d actions, %v", len(got.Actions), err)
	}
	doc, err = r.Render(ctx, c, report.Markdown, "en")
	if err != nil || !strings.Contains(string(doc), "The 100 furthest advanced of its 250 actions are listed here") {
		t.Errorf("Markdown says nothing of the actions left out: %v", err)
	}
	doc, err = r.Render(ctx, c, report.HTML, "fr")
	if err != nil || !strings.Contains(string(doc), "Les 100 plus avancées de ses 250 actions") {
		t.Errorf("HTML says nothing of the actions left out: %v", err)
	}
}

// Inputs go through storage as chunks of JSON Lines and come back the
// same; a chunk that cannot be read is an error, not a short report.
func TestInputsRoundTrip(t *testing.T) {
	in, few := many()
	var as []report.Action // enough for several chunks
	for i := 0; i < 2*report.ChunkActions+1; i++ {
		a := few[i%len(few)]
		a.ID = int64(i + 1)
		as = append(as, a)
	}
	var b strings.Builder
	n, err := report.EncodeInputs(&b, in, report.Slice(as))
	if err != nil || n != len(as) {
		t.Fatalf("encoded %d: %v", n, err)
	}
	if lines := strings.Count(b.String(), "\n"); lines != len(as)+1 {
		t.Errorf("%d lines, want a header and one per action", lines)
	}
	var chunks [][]byte
	size := 0
	sha, n, err := report.Pack(in, report.Slice(as), func(seq int, chunk []byte) error {
		if seq != len(chunks) {
			t.Errorf("chunk %d after %d", seq, len(chunks))
		}
		chunks, size = append(chunks, bytes.Clone(chunk)), size+len(chunk)
		return nil
	})
	if err != nil || n != len(as) || len(chunks) != 4 || size >= b.Len()/2 {
		t.Fatalf("packed %d actions in %d chunks, %d bytes (%d as text): %v", n, len(chunks), size, b.Len(), err)
	}
	if want := sha256.Sum256([]byte(b.String())); sha != hex.EncodeToString(want[:]) {
		t.Errorf("the checksum is not that of the JSON Lines")
	}
	from := func(chunks [][]byte) report.Chunks {
		return func(fn func([]byte) error) error {
			for _, c := range chunks {
				if err := fn(c); err != nil {
					return err
				}
			}
			return nil
		}
	}
	st, err := report.Unpack(chunks[0], from(chunks[1:]))
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Organisations) != 40 || st.Cycle.Year != 2027 {
		t.Errorf("header: %+v", st.Inputs.Cycle)
	}
	var back []report.Action
	if err := st.Actions(func(a report.Action) error { back = append(back, a); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(back) != len(as) || back[len(as)-1].ID != int64(len(as)) || back[9].Stage != action.Implemented || back[0].Title != "Action 001" {
		t.Errorf("actions back: %d", len(back))
	}
	stop := errors.New("stop")
	k := 0
	if err := st.Actions(func(report.Action) error { k++; return stop }); !errors.Is(err, stop) || k != 1 {
		t.Errorf("a source stops at the first error: %v after %d", err, k)
	}

	damaged := slices.Clone(chunks)
	damaged[2] = damaged[2][:len(damaged[2])/2]
	broken, err := report.Unpack(damaged[0], from(damaged[1:]))
	if err != nil {
		t.Fatal(err) // the header is whole
	}
	if err := broken.Actions(func(report.Action) error { return nil }); err == nil {
		t.Error("damaged inputs were read without error")
	}
	if _, err := report.Unpack([]byte(`{"format":"something else"}`), from(nil)); err == nil {
		t.Error("inputs that are not packed were read")
	}
}
