package document

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

// words puts figures into one language: labels from the catalogue, and
// numbers, percentages and dates written the way that language writes them.
// Every format goes through it, so the documents agree with each other.
type words struct {
	Lang string
	T    locale.Translate
}

// remember caches the labels t gives without data: the catalogue never
// changes once loaded, and a table of a hundred thousand rows asks for the
// same few labels over and over. Documents are written side by side, so
// the cache is safe for concurrent use.
func remember(t locale.Translate) locale.Translate {
	var labels sync.Map
	return func(key string, data ...any) string {
		if len(data) > 0 {
			return t(key, data...)
		}
		if v, ok := labels.Load(key); ok {
			return v.(string)
		}
		v := t(key)
		labels.Store(key, v)
		return v
	}
}

func (w words) Kind(k stakeholder.Kind) string { return w.T("kind_" + string(k)) }

// KindOf is the kind of one organisation, in the singular, beside its name.
func (w words) KindOf(k stakeholder.Kind) string { return w.T("org_kind_" + string(k)) }

func (w words) Stage(s action.Stage) string         { return w.T("stage_" + string(s)) }
func (w words) Assurance(l action.Assurance) string { return w.T("assurance_" + string(l.OrDefault())) }
func (w words) Measure(m action.MeasureType) string { return w.T("measure_" + string(m)) }
func (w words) Scope(s action.Scope) string         { return w.T("report_scope_" + string(s)) }
func (w words) Evidence(k action.EvidenceKind) string {
	return w.T("evidence_" + string(k))
}
func (w words) Outcome(o challenge.Outcome) string {
	return w.T("public_challenge_outcome_" + string(o))
}

// Reviewer names who filed a challenge: the reviewer organisation, or,
// when it chose not to be named (its name is not in the figures), what it
// is.
func (w words) Reviewer(name string, kind stakeholder.Kind) string {
	switch {
	case name != "":
		return name
	case kind == stakeholder.CivilSociety, kind == stakeholder.Academia:
		return w.T("public_challenge_reviewer_" + string(kind))
	}
	return w.T("public_challenge_reviewer_other")
}

// Changed says what a decision set of an action ("" when nothing).
func (w words) Changed(stage action.Stage, level action.Assurance) string {
	var out []string
	if stage != "" {
		out = append(out, w.T("report_challenge_stage_set", map[string]any{"Stage": w.Stage(stage)}))
	}
	if level != "" {
		out = append(out, w.T("report_challenge_assurance_set", map[string]any{"Level": w.Assurance(level)}))
	}
	sep := "; "
	if w.Lang == "fr" {
		sep = "\u00a0; "
	}
	return strings.Join(out, sep)
}

// Label is a catalogue text followed by a colon, with the space French
// puts before it.
func (w words) Label(key string) string { return w.T(key) + w.Colon() }

// Colon is a colon as the language writes it after a word.
func (w words) Colon() string { return locale.Colon(w.Lang) }

// Kinds joins kind labels.
func (w words) Kinds(ks []stakeholder.Kind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = w.Kind(k)
	}
	return strings.Join(s, ", ")
}

// Number, decimal, Percent and Change write numbers as the language does.
func (w words) Number(n int) string      { return locale.Number(w.Lang, n) }
func (w words) decimal(v float64) string { return locale.Decimal(w.Lang, v) }
func (w words) Percent(v float64) string { return locale.Percent(w.Lang, v) }
func (w words) Change(n int) string      { return locale.Change(w.Lang, n) }

// Points writes a difference of percentages in percentage points.
func (w words) Points(v float64) string {
	v = percentPoints(v)
	s := w.decimal(abs(v))
	switch {
	case v > 0:
		s = "+" + s
	case v < 0:
		s = "−" + s
	}
	return w.T("report_points", map[string]any{"Value": s})
}

// Date writes a day for people, as the language writes it ("12 November
// 2027", "12 novembre 2027"), held on one line.
func (w words) Date(t time.Time) string { return locale.Unbroken(locale.Date(w.Lang, t.UTC())) }

// ISO writes a day for programs ("2027-11-12"): the JSON and the table of
// actions that the CSV shares.
func (w words) ISO(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// Time writes an instant in UTC for people, its date held on one line.
func (w words) Time(t time.Time) string {
	day := locale.Date(w.Lang, t.UTC())
	return locale.Unbroken(day) + strings.TrimPrefix(locale.DateTime(w.Lang, t), day)
}

// Recs writes recommendation numbers ("1, 4").
func (w words) Recs(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

// Title is the report's title.
func (w words) Title(year int) string { return w.T("report_title", map[string]any{"Year": year}) }

func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}

func abs(v float64) float64 { return v * sign(v) }
