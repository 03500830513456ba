// Package challenge is about a reviewer organisation contesting a public
// accepted action, with the supporter's right of reply: filed, screened by
// the secretariat (inadmissible, or open), answered by the action's
// organisation until its reply deadline, decided by the secretariat, and
// published, the challenge, the reply and the decision together. Who may
// see and do what at each step is decided here (policy.go).
package challenge

import (
	"slices"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/markdown"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

// Grounds is why a claim is contested.
type Grounds string

const (
	EvidenceDoesNotSupport Grounds = "evidence_does_not_support"
	ContradictedByFindings Grounds = "contradicted_by_findings"
	Outdated               Grounds = "outdated"
	OtherGrounds           Grounds = "other"
)

// AllGrounds lists the grounds in display order.
var AllGrounds = []Grounds{EvidenceDoesNotSupport, ContradictedByFindings, Outdated, OtherGrounds}

// Valid reports whether the code is known.
func (g Grounds) Valid() bool { return slices.Contains(AllGrounds, g) }

// State is where a challenge stands.
type State string

const (
	Filed        State = "filed"
	Inadmissible State = "inadmissible"
	Open         State = "open"
	Decided      State = "decided"
	Published    State = "published"
)

// States lists the states in the order a challenge goes through them.
var States = []State{Filed, Inadmissible, Open, Decided, Published}

// Valid reports whether the code is known.
func (s State) Valid() bool { return slices.Contains(States, s) }

// Outcome is the secretariat's decision.
type Outcome string

const (
	Upheld       Outcome = "upheld"
	PartlyUpheld Outcome = "partly_upheld"
	Dismissed    Outcome = "dismissed"
)

// Outcomes lists the outcomes.
var Outcomes = []Outcome{Upheld, PartlyUpheld, Dismissed}

// Valid reports whether the code is known.
func (o Outcome) Valid() bool { return slices.Contains(Outcomes, o) }

// Challenge is a reviewer organisation's challenge of an action.
type Challenge struct {
	ID            int64
	ActionID      int64
	ReviewerID    int64 // the reviewer organisation
	FiledBy       int64
	Grounds       Grounds
	Statement     string // Markdown
	Evidence      []action.Evidence
	Pseudonymous  bool // shown as "a civil-society reviewer" to all but the secretariat and the reviewer
	State         State
	Version       int
	FiledAt       time.Time
	ScreenedBy    int64
	ScreenedAt    *time.Time
	ScreenReason  string // why it is inadmissible: the reviewer's and the secretariat's to read
	ReplyDue      *time.Time
	Reply         string // Markdown
	ReplyEvidence []action.Evidence
	RepliedBy     int64
	RepliedAt     *time.Time
	Outcome       Outcome
	Reasons       string           // Markdown
	StageSet      action.Stage     // the stage the decision gave the action, "" if none
	AssuranceSet  action.Assurance // the level the decision gave it, "" if none
	DecidedBy     int64
	DecidedAt     *time.Time
	PublishedBy   int64
	PublishedAt   *time.Time

	// Read-only, from the action and the organisations.
	ActionTitle    string
	CycleYear      int
	OrganisationID int64 // the challenged organisation
	Organisation   string
	Reviewer       string           // the reviewer organisation's name
	ReviewerKind   stakeholder.Kind // civil society or academia
}

// ReplyDays is how many days the challenged organisation had to reply:
// from the day the secretariat opened the challenge to its deadline, as
// they were set then (0 before it was opened). A later change of the
// setting leaves it as it was.
func (c Challenge) ReplyDays() int {
	if c.ScreenedAt == nil || c.ReplyDue == nil {
		return 0
	}
	return int(c.ReplyDue.Sub(date.Day(*c.ScreenedAt)).Hours() / 24)
}

// Input is what a reviewer files.
type Input struct {
	Grounds      Grounds
	Statement    string
	Evidence     []action.Evidence
	Pseudonymous bool
}

// Limits of what a challenge holds.
const (
	MaxStatement = 20000
	MaxReason    = 5000
)

// normalizeText trims text the way an action's description is trimmed.
func normalizeText(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

// checkMarkdown adds field errors of a Markdown text.
func checkMarkdown(f errs.FieldErrors, field, text string, required bool, max int) {
	f.TextLines(field, text, required, max)
	if _, bad := f[field]; !bad && markdown.Depth(text) > markdown.MaxDepth {
		f.Add(field, action.TooDeep)
	}
}

// Validate returns field errors for everything wrong with in.
func (in *Input) Validate() error {
	in.Statement = normalizeText(in.Statement)
	action.NormalizeEvidence(in.Evidence)
	f := errs.FieldErrors{}
	if !in.Grounds.Valid() {
		names := make([]string, len(AllGrounds))
		for i, g := range AllGrounds {
			names[i] = string(g)
		}
		f.Addf("grounds", "is required (one of %s)", strings.Join(names, ", "))
	}
	checkMarkdown(f, "statement", in.Statement, true, MaxStatement)
	action.CheckEvidence(f, "evidence", in.Evidence)
	return f.Err()
}

// KeepsAction is the message of a dismissal that would change the action;
// pages show their own words for it.
const KeepsAction = "a dismissed challenge leaves the action as it is"

// Decision is the secretariat's decision on an open challenge.
type Decision struct {
	Outcome   Outcome
	Reasons   string
	Stage     action.Stage     // "" keeps the action's
	Assurance action.Assurance // "" keeps the action's
}
