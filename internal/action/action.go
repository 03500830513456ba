// Package action is about what a supporting organisation did against the
// recommendations in a cycle: the action, its evidence, its versions and the
// review workflow.
package action

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/markdown"
)

// Evidence is a link that supports an action.
type Evidence struct {
	Kind  EvidenceKind
	URL   string
	Title string
}

// Action is one action of an organisation in a cycle.
type Action struct {
	ID               int64
	StakeholderID    int64
	CycleID          int64
	CycleYear        int    // read-only: the year of CycleID
	Organisation     string // read-only: the organisation's name
	OrganisationKind string // read-only: the organisation's kind
	Title            string
	Description      string // Markdown
	Recommendations  []int
	Stage            Stage
	MeasureType      MeasureType
	Scope            Scope
	StartDate        *time.Time
	EndDate          *time.Time
	Visibility       Visibility
	State            State
	Assurance        Assurance // of an accepted action; self-declared until checked
	Version          int
	CarriedFrom      *int64 // the action of an earlier cycle this one continues
	CreatedBy        int64
	UpdatedBy        int64
	CreatedAt        time.Time
	UpdatedAt        time.Time
	SubmittedAt      *time.Time
	AcceptedAt       *time.Time
	Evidence         []Evidence
}

// Input is what an organisation writes on an action.
type Input struct {
	Title           string
	Description     string
	Recommendations []int
	Stage           Stage
	MeasureType     MeasureType
	Scope           Scope
	StartDate       *time.Time
	EndDate         *time.Time
	Visibility      Visibility
	Evidence        []Evidence
}

// TooDeep is the message of a description nested too deeply; the
// editor shows its own words for it.
var TooDeep = fmt.Sprintf("nests quotes or lists more than %d levels deep", markdown.MaxDepth)

// Limits on what an action holds.
const (
	MaxTitle       = 300
	MaxDescription = 20000
	MaxEvidence    = 20
)

// Input returns what an organisation wrote on a: where an edit, or a new
// version, starts.
func (a Action) Input() Input {
	return Input{Title: a.Title, Description: a.Description, Recommendations: a.Recommendations,
		Stage: a.Stage, MeasureType: a.MeasureType, Scope: a.Scope, StartDate: a.StartDate, EndDate: a.EndDate,
		Visibility: a.Visibility, Evidence: a.Evidence}
}

// Normalize trims text, sorts and de-duplicates recommendations, and fills
// the default visibility.
func (in *Input) Normalize() {
	in.Title = strings.Join(strings.Fields(in.Title), " ")
	in.Description = strings.TrimSpace(strings.ReplaceAll(in.Description, "\r\n", "\n"))
	sort.Ints(in.Recommendations)
	out := in.Recommendations[:0]
	for i, n := range in.Recommendations {
		if i == 0 || n != in.Recommendations[i-1] {
			out = append(out, n)
		}
	}
	in.Recommendations = out
	if in.Visibility == "" {
		in.Visibility = Public
	}
	in.StartDate, in.EndDate = date.DayPtr(in.StartDate), date.DayPtr(in.EndDate)
	NormalizeEvidence(in.Evidence)
}

// Validate returns field errors for everything wrong with in. known lists
// the recommendation numbers that exist.
func (in Input) Validate(known []int) error {
	f := errs.FieldErrors{}
	f.Text("title", in.Title, true, MaxTitle)
	f.TextLines("description", in.Description, false, MaxDescription)
	if _, bad := f["description"]; !bad && markdown.Depth(in.Description) > markdown.MaxDepth {
		// Refused here, for every way in (API, pages, import), so that no
		// view ever pays to parse it.
		f.Add("description", TooDeep)
	}
	if len(in.Recommendations) == 0 {
		f.Add("recommendations", "choose at least one recommendation")
	}
	for _, n := range in.Recommendations {
		if !slices.Contains(known, n) {
			f.Addf("recommendations", "there is no recommendation %d", n)
		}
	}
	if !in.Stage.Valid() {
		f.Add("stage", choose(in.Stage, Stages))
	}
	if !in.MeasureType.Valid() {
		types := make([]MeasureType, len(MeasureTypes))
		for i, m := range MeasureTypes {
			types[i] = m.Type
		}
		f.Add("measure_type", choose(in.MeasureType, types))
	}
	if !in.Scope.Valid() {
		f.Add("scope", choose(in.Scope, Scopes))
	}
	if !in.Visibility.Valid() {
		f.Add("visibility", choose(in.Visibility, []Visibility{Public, SecretariatOnly}))
	}
	for _, d := range []struct {
		field string
		day   *time.Time
	}{{"start_date", in.StartDate}, {"end_date", in.EndDate}} {
		if d.day != nil {
			f.Date(d.field, *d.day)
		}
	}
	if in.StartDate != nil && in.EndDate != nil && in.EndDate.Before(*in.StartDate) {
		f.Add("end_date", "must not be before the start date")
	}
	CheckEvidence(f, "evidence", in.Evidence)
	return f.Err()
}

// CheckEvidence adds to f what is wrong with evidence links given under
// field: an action's, and the links a reviewer or a supporter gives with
// a challenge or a reply.
func CheckEvidence(f errs.FieldErrors, field string, ev []Evidence) {
	if len(ev) > MaxEvidence {
		f.Addf(field, "at most %d links", MaxEvidence)
	}
	for i, e := range ev {
		key := fmt.Sprintf("%s.%d", field, i)
		if !e.Kind.Valid() {
			f.Add(key+".kind", choose(e.Kind, EvidenceKinds))
		}
		f.Text(key+".url", e.URL, true, 2000)
		if u, err := url.Parse(e.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			f.Add(key+".url", "must be an http or https address")
		}
		f.Text(key+".title", e.Title, true, MaxTitle)
	}
}

// NormalizeEvidence trims the addresses and titles of links.
func NormalizeEvidence(ev []Evidence) {
	for i := range ev {
		ev[i].URL = strings.TrimSpace(ev[i].URL)
		ev[i].Title = strings.Join(strings.Fields(ev[i].Title), " ")
	}
}

func choose[T ~string](got T, allowed []T) string {
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	if got == "" {
		return "is required (one of " + strings.Join(names, ", ") + ")"
	}
	return fmt.Sprintf("%q is not one of %s", got, strings.Join(names, ", "))
}

// Unchanged reports whether a says what since says: the same title, text,
// recommendations, stage, measure, scope, dates, visibility and evidence.
// A carried action that says what its origin said is unchanged since that
// cycle.
func (a Action) Unchanged(since Action) bool {
	day := func(x, y *time.Time) bool { return (x == nil) == (y == nil) && (x == nil || x.Equal(*y)) }
	return a.Title == since.Title && a.Description == since.Description && slices.Equal(a.Recommendations, since.Recommendations) &&
		a.Stage == since.Stage && a.MeasureType == since.MeasureType && a.Scope == since.Scope && a.Visibility == since.Visibility &&
		day(a.StartDate, since.StartDate) && day(a.EndDate, since.EndDate) && slices.Equal(a.Evidence, since.Evidence)
}

// Tally counts the actions of a list: in all, and by recommendation
// within which by stage and by kind of organisation. An action on several
// recommendations counts in the row of each.
type Tally struct {
	Total int
	Rows  []TallyRow
}

// TallyRow is how many actions of a stage, by organisations of a kind,
// are on a recommendation.
type TallyRow struct {
	Recommendation int
	Stage          Stage
	Kind           string
	Actions        int
}

// Filter narrows a listing of actions.
type Filter struct {
	CycleID        int64
	CycleYear      int    // the cycle by its year, when CycleID is not known
	Kind           string // the organisation's kind
	Oldest         bool   // oldest submission first, as a review queue reads
	StakeholderID  int64
	State          State
	Recommendation int
	Limit          int
	Offset         int
	// For the public lists:
	Country     string
	Stage       Stage
	MeasureType MeasureType
	Assurance   Assurance
	Query       string // words in the title or description
	Contested   bool   // only actions with at least one published challenge
	Sort        Sort   // the order of a public list; none is the list's default
	// Framework keeps the actions that count for a provision of the
	// framework of this key (see package framework); Provision, for that
	// provision of it.
	Framework string
	Provision string
	// PublicOn, when set, keeps only what the public may see on that day:
	// accepted, public actions of cycles whose embargo is over; newest
	// acceptance first.
	PublicOn time.Time
	// ByID orders by id instead, and AfterID keeps the actions after it:
	// together they walk through every action a batch at a time. (The
	// first batch has no AfterID: the order cannot hang on it.)
	ByID      bool
	AfterID   int64
	SkipTotal bool // the total is not wanted: no count is made
	// AnyOf keeps the actions matching any of several values of one
	// filter (recommendation=7&recommendation=9), as a feed or a mail
	// subscription may follow; a single value stays in the field above.
	AnyOf Among
	// PublishedAfter, with PublicOn, keeps the actions that became public
	// in between: accepted in between, or before under an embargo lifted
	// in between (what a mail digest tells as new).
	PublishedAfter time.Time
}

// Among lists several values of the filters that may take more than one.
type Among struct {
	Recommendations []int
	StakeholderIDs  []int64
	Kinds           []string
	Countries       []string
}

// Version is a saved snapshot of an action.
type Version struct {
	ActionID  int64
	Version   int
	Snapshot  Action
	ChangedBy int64
	ChangedAt time.Time
}

// Decision is a step of the review workflow, recorded as a review event.
type Decision string

const (
	DecisionSubmitted Decision = "submitted"
	// DecisionReconfirmed submits a draft carried from an earlier cycle as
	// it was: the organisation says nothing changed.
	DecisionReconfirmed      Decision = "reconfirmed"
	DecisionAccepted         Decision = "accepted"
	DecisionChangesRequested Decision = "changes_requested"
	DecisionWithdrawn        Decision = "withdrawn"
	DecisionReopened         Decision = "reopened"
	// DecisionAssurance: the secretariat set the assurance level.
	DecisionAssurance Decision = "assurance"
	// DecisionVerified: a reviewer organisation confirmed the action.
	DecisionVerified Decision = "verified"
	// DecisionChallenge: a decided challenge lowered the stage or the
	// assurance level.
	DecisionChallenge Decision = "challenge"
)

// ReviewEvent is one step of the workflow of an action.
type ReviewEvent struct {
	ID         int64
	ActionID   int64
	Version    int // the version of the action this step produced
	Decision   Decision
	Comment    string
	ReviewerID int64
	At         time.Time
	// Assurance is the level this step set, "" when it set none.
	Assurance Assurance
}

// transitions lists the allowed workflow moves and the decision each
// records (a carried draft submitted unchanged records "reconfirmed").
var transitions = map[State]map[State]Decision{
	Draft:            {Submitted: DecisionSubmitted, Withdrawn: DecisionWithdrawn},
	ChangesRequested: {Submitted: DecisionSubmitted, Withdrawn: DecisionWithdrawn},
	Submitted:        {Accepted: DecisionAccepted, ChangesRequested: DecisionChangesRequested, Withdrawn: DecisionWithdrawn},
	Accepted:         {Withdrawn: DecisionWithdrawn},
	Withdrawn:        {Draft: DecisionReopened},
}

// Transition returns the decision that moves an action from one state to
// another, or an Invalid error when the move is not allowed.
func Transition(from, to State) (Decision, error) {
	if d, ok := transitions[from][to]; ok {
		return d, nil
	}
	return "", &errs.Error{Kind: errs.Conflict, Message: fmt.Sprintf("an action that is %s cannot become %s", from, to),
		Fields: map[string]string{"state": fmt.Sprintf("cannot go from %s to %s", from, to)}}
}
