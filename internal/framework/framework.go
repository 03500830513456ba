// Package framework is about the crosswalk: the other frameworks on
// commercial spyware (the Pall Mall Process, the Joint Statement, US
// Executive Order 14093 ...), their provisions, and which of the twelve
// recommendations each provision is evidenced by, so that one accepted
// action counts, visibly and traceably, for every provision it evidences.
// The crosswalk is data the secretariat owns: imported from a YAML file,
// edited on its pages, nothing of it hard-wired.
package framework

import (
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/recommendation"
)

// Confidence says how clear a provision's links to its recommendations
// are: high when every link is clear (the texts address the same
// measure), medium otherwise.
type Confidence string

const (
	High   Confidence = "high"
	Medium Confidence = "medium"
)

// Confidences lists the levels in order.
var Confidences = []Confidence{High, Medium}

// Valid reports whether c is a known level.
func (c Confidence) Valid() bool { return slices.Contains(Confidences, c) }

// Framework is one framework with its provisions, in their order.
type Framework struct {
	ID    int64
	Key   string // as the file names it: "pall-mall-states"
	Title recommendation.Text
	// FRUnofficial: the French title is a translation made for pctracker,
	// not the framework's own wording.
	FRUnofficial bool
	Issued       *time.Time // a day
	Source       string     // the address of its text
	Note         string     // what the compiler said of it: sources read, what is unverified
	Position     int        // its place in the list, from 0
	Version      int
	UpdatedAt    time.Time
	Provisions   []Provision
}

// Provision is one provision of a framework.
type Provision struct {
	ID              int64
	FrameworkID     int64
	FrameworkKey    string // read-only
	Key             string // the framework's own numbering where it has one: "2.a.i", "13(j)"
	Title           recommendation.Text
	Recommendations []int // the recommendations it evidences, sorted; none is allowed
	Confidence      Confidence
	Note            string
	Position        int // its place in its framework, from 0
	Version         int
	UpdatedAt       time.Time
}

// Derives reports whether an action with these recommendations counts
// for p through them.
func (p Provision) Derives(recs []int) bool {
	for _, n := range recs {
		if slices.Contains(p.Recommendations, n) {
			return true
		}
	}
	return false
}

// Crosswalk is the whole set, in the order a file holds it.
type Crosswalk struct {
	Frameworks []Framework
}

// Provisions counts the provisions of every framework.
func (cw Crosswalk) Provisions() int {
	n := 0
	for _, f := range cw.Frameworks {
		n += len(f.Provisions)
	}
	return n
}

// Limits on what the crosswalk holds.
const (
	MaxKey   = 80
	MaxTitle = 400
	MaxNote  = 4000
	MaxURL   = 2000
)

// FrameworkInput is what the secretariat edits of a framework.
type FrameworkInput struct {
	TitleEN, TitleFR string
	FRUnofficial     bool
	Issued           *time.Time
	Source           string
	Note             string
}

// Input returns what the secretariat edits of f.
func (f Framework) Input() FrameworkInput {
	return FrameworkInput{TitleEN: f.Title.EN, TitleFR: f.Title.FR, FRUnofficial: f.FRUnofficial, Issued: f.Issued,
		Source: f.Source, Note: f.Note}
}

// same reports whether in and o say the same, days compared as days.
func (in FrameworkInput) same(o FrameworkInput) bool {
	sameDay := (in.Issued == nil) == (o.Issued == nil) && (in.Issued == nil || in.Issued.Equal(*o.Issued))
	in.Issued, o.Issued = nil, nil
	return sameDay && in == o
}

// Normalize trims the text of in.
func (in *FrameworkInput) Normalize() {
	in.TitleEN, in.TitleFR = oneLine(in.TitleEN), oneLine(in.TitleFR)
	in.Source = strings.TrimSpace(in.Source)
	in.Note = strings.TrimSpace(strings.ReplaceAll(in.Note, "\r\n", "\n"))
}

// Validate returns field errors for everything wrong with in.
func (in FrameworkInput) Validate() error {
	f := errs.FieldErrors{}
	f.Text("title_en", in.TitleEN, true, MaxTitle)
	f.Text("title_fr", in.TitleFR, true, MaxTitle)
	f.TextLines("note", in.Note, false, MaxNote)
	if in.Source != "" {
		if len(in.Source) > MaxURL {
			f.Addf("source", "must be at most %d characters", MaxURL)
		} else if u, err := url.Parse(in.Source); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			f.Add("source", "must be a web address (https://...)")
		}
	}
	return f.Err()
}

// ProvisionInput is what the secretariat edits of a provision.
type ProvisionInput struct {
	TitleEN, TitleFR string
	Recommendations  []int
	Confidence       Confidence
	Note             string
}

// Input returns what the secretariat edits of p.
func (p Provision) Input() ProvisionInput {
	return ProvisionInput{TitleEN: p.Title.EN, TitleFR: p.Title.FR, Recommendations: slices.Clone(p.Recommendations),
		Confidence: p.Confidence, Note: p.Note}
}

// Normalize trims text and sorts and de-duplicates recommendations.
func (in *ProvisionInput) Normalize() {
	in.TitleEN, in.TitleFR = oneLine(in.TitleEN), oneLine(in.TitleFR)
	in.Note = strings.TrimSpace(strings.ReplaceAll(in.Note, "\r\n", "\n"))
	sort.Ints(in.Recommendations)
	in.Recommendations = slices.Compact(in.Recommendations)
	if in.Recommendations == nil {
		in.Recommendations = []int{}
	}
}

// Validate returns field errors for everything wrong with in; known
// lists the recommendation numbers that exist.
func (in ProvisionInput) Validate(known []int) error {
	f := errs.FieldErrors{}
	f.Text("title_en", in.TitleEN, true, MaxTitle)
	f.Text("title_fr", in.TitleFR, true, MaxTitle)
	f.TextLines("note", in.Note, false, MaxNote)
	for _, n := range in.Recommendations {
		if !slices.Contains(known, n) {
			f.Addf("recommendations", "there is no recommendation %d", n)
		}
	}
	if !in.Confidence.Valid() {
		f.Addf("confidence", "must be %s or %s", High, Medium)
	}
	return f.Err()
}

// validKey checks a framework's or provision's key: printable, one line,
// not too long. Keys are the framework's own numbering, so they may hold
// spaces and brackets ("4.E.1.c (2017 notes)").
func validKey(key string) string {
	switch {
	case key == "":
		return "is required"
	case len(key) > MaxKey:
		return "must be at most 80 characters"
	case key != oneLine(key) || strings.ContainsAny(key, "/?#"):
		return "must be one line, without / ? or #"
	}
	return ""
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// LinkKind says how an action came to count for a provision.
type LinkKind string

const (
	// Derived: through a recommendation the action and the provision share.
	Derived LinkKind = "derived"
	// Declared: added on the action by its organisation or the secretariat.
	Declared LinkKind = "declared"
)

// Link is one provision an action counts for.
type Link struct {
	ActionID  int64
	Framework Framework // without its provisions
	Provision Provision
	Kind      LinkKind
}

// Change is a step in the history of an action's links.
type Change string

const (
	Added   Change = "added"
	Removed Change = "removed"
)

// LinkEvent records that a provision was added to an action or removed
// from it, by whom and why. Keys are kept: a provision may be gone since.
type LinkEvent struct {
	ID           int64
	ActionID     int64
	ProvisionID  int64 // 0 once the provision is gone
	FrameworkKey string
	ProvisionKey string
	Change       Change
	Kind         LinkKind // of the link added or removed
	Reason       string
	UserID       int64
	At           time.Time
}

// MaxReason bounds the reason given for a removal.
const MaxReason = 2000

// Figure is what one provision counts in a cycle: the public actions that
// count for it and their organisations.
type Figure struct {
	Provision     Provision
	Actions       int
	Organisations int
}

// Coverage is a framework's figures in a cycle.
type Coverage struct {
	Framework Framework
	Year      int
	Figures   []Figure // one per provision, in order
	// Distinct across the framework: an action counting for three of its
	// provisions is one action.
	Actions       int
	Organisations int
}

// Gaps are the provisions no public action counts for.
func (c Coverage) Gaps() []Provision {
	var out []Provision
	for _, f := range c.Figures {
		if f.Actions == 0 {
			out = append(out, f.Provision)
		}
	}
	return out
}

// Unmatched returns the recommendations of known that no provision of any
// framework is evidenced by, such as recommendation 8.
func Unmatched(frameworks []Framework, known []int) []int {
	seen := map[int]bool{}
	for _, f := range frameworks {
		for _, p := range f.Provisions {
			for _, n := range p.Recommendations {
				seen[n] = true
			}
		}
	}
	var out []int
	for _, n := range known {
		if !seen[n] {
			out = append(out, n)
		}
	}
	return out
}
