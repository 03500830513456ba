package report

import (
	"math"
	"slices"
	"sort"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/recommendation"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

// GapCount is how many of the least-covered recommendations the report
// names as gaps.
const GapCount = 3

// Figures are everything a report says, compiled from its inputs. Every list
// is in a fixed order, so that the documents are the same bytes each time.
type Figures struct {
	Year         int
	CutoffAt     time.Time
	CompiledAt   time.Time
	Period       Period
	PreviousYear int // 0 when there is no previous cycle

	Supporters     []KindCount // organisations counted, by kind
	Reporting      []KindCount // organisations with an accepted action, by kind
	SupporterTotal int
	ReportingTotal int
	Actions        int // accepted public actions: every figure counts these alone
	Withheld       int // accepted actions kept for the secretariat, neither counted nor listed
	ByStage        []StageCount
	New            int
	CarriedForward int
	Prev           *Headline // the previous cycle's figures, when there is one

	Recommendations []RecFigures
	Gaps            []Gap
	Listed          []Listed // every public action, by organisation then title
}

// Headline are the previous cycle's headline figures.
type Headline struct {
	Reporting int
	Actions   int
}

// KindCount counts organisations of a kind.
type KindCount struct {
	Kind stakeholder.Kind
	N    int
}

// StageCount counts actions or organisations at a stage.
type StageCount struct {
	Stage action.Stage
	N     int
}

// RecFigures are one recommendation's figures.
type RecFigures struct {
	Number        int
	Slug          string
	Title         recommendation.Text
	Addressees    []stakeholder.Kind
	Organisations int          // organisations acting on it
	ByKind        []KindCount  // organisations acting, by kind
	ByStage       []StageCount // organisations acting, by the furthest stage of their actions on it
	Actions       int
	Coverage      Coverage
	HeatMap       []Cell // one per kind, in stakeholder.Kinds order
	Prev          *RecPrev
	Listed        []Listed // its accepted public actions
}

// Coverage is the share of the organisations of the addressed kinds that
// reported an action on a recommendation.
type Coverage struct {
	Addressees int
	Reporting  int
	Percent    float64 // rounded to one decimal; 0 when there are no addressees
}

// Cell is one cell of the recommendation x kind heat map.
type Cell struct {
	Kind          stakeholder.Kind
	Organisations int // of the kind, acting on the recommendation
	Supporters    int // of the kind, counted
	Percent       float64
	Addressed     bool
}

// RecPrev is a recommendation's figures in the previous cycle.
type RecPrev struct {
	Organisations int
	Coverage      float64
}

// Gap is a least-covered recommendation.
type Gap struct {
	Number   int
	Slug     string
	Title    recommendation.Text
	Coverage Coverage
}

// Listed is an accepted public action as the report lists it.
type Listed struct {
	ID              int64
	OrganisationID  int64
	Organisation    string
	Kind            stakeholder.Kind
	Country         string
	Title           string
	Stage           action.Stage
	MeasureType     action.MeasureType
	Scope           action.Scope
	CarriedForward  bool
	Recommendations []int
	AcceptedAt      time.Time
	Evidence        []Evidence
}

// stageRank orders stages by how far an action has come; an organisation
// is counted at the furthest stage of its actions on a recommendation, and a
// discontinued action counts only when nothing else does.
var stageRank = map[action.Stage]int{
	action.Discontinued: 0, action.Planned: 1, action.InProgress: 2, action.Adopted: 3, action.Implemented: 4,
}

// Compile turns inputs into figures. It reads nothing else: the same inputs
// give the same figures.
func Compile(in Inputs) Figures {
	f := Figures{Year: in.Cycle.Year, CutoffAt: in.CutoffAt.UTC(), CompiledAt: in.CompiledAt.UTC(), Period: in.Cycle}
	orgs := map[int64]Organisation{}
	for _, o := range in.Organisations {
		orgs[o.ID] = o
	}

	// Only public actions count: an action its organisation kept for the
	// secretariat must not show, not even as a number on a heat map.
	var public []Action
	for _, a := range in.Actions {
		if a.Public {
			public = append(public, a)
		}
	}
	f.Withheld = len(in.Actions) - len(public)
	cur := tally(in.Cycle, in.Organisations, actionsOf(public))
	f.Supporters, f.SupporterTotal = kindCounts(cur.counted, orgs)
	f.Reporting, f.ReportingTotal = kindCounts(cur.reporting, orgs)
	f.Actions = len(public)
	stages := map[action.Stage]int{}
	for _, a := range public {
		stages[a.Stage]++
		if a.CarriedForward {
			f.CarriedForward++
		} else {
			f.New++
		}
	}
	f.ByStage = stageCounts(stages)

	var prev *tallied
	prevOrgs := orgs
	if in.Previous != nil {
		f.PreviousYear = in.Previous.Period.Year
		list := in.Organisations
		if len(in.Previous.Organisations) > 0 {
			list = in.Previous.Organisations
			prevOrgs = map[int64]Organisation{}
			for _, o := range list {
				prevOrgs[o.ID] = o
			}
		}
		var prevPublic []PreviousAction
		for _, a := range in.Previous.Actions {
			if a.Public {
				prevPublic = append(prevPublic, a)
			}
		}
		p := tally(in.Previous.Period, list, prevPublic)
		prev = &p
		f.Prev = &Headline{Reporting: len(p.reporting), Actions: len(prevPublic)}
	}

	f.Listed = listed(in.Actions, orgs)
	for _, r := range in.Recommendations {
		rf := RecFigures{Number: r.Number, Slug: r.Slug, Title: r.Title, Addressees: r.Addressees}
		acting := cur.acting[r.Number]
		rf.Organisations = len(acting)
		rf.ByKind, _ = kindCounts(acting, orgs)
		byStage := map[action.Stage]int{}
		for _, st := range acting {
			byStage[st]++
		}
		rf.ByStage = stageCounts(byStage)
		rf.Actions = cur.actions[r.Number]
		rf.Coverage = coverage(r.Addressees, cur.counted, acting, orgs)
		for _, k := range stakeholder.Kinds {
			c := Cell{Kind: k, Addressed: slices.Contains(r.Addressees, k)}
			for id := range cur.counted {
				if orgs[id].Kind == k {
					c.Supporters++
					if _, ok := acting[id]; ok {
						c.Organisations++
					}
				}
			}
			c.Percent = percent(c.Organisations, c.Supporters)
			rf.HeatMap = append(rf.HeatMap, c)
		}
		if prev != nil {
			rf.Prev = &RecPrev{Organisations: len(prev.acting[r.Number]),
				Coverage: coverage(r.Addressees, prev.counted, prev.acting[r.Number], prevOrgs).Percent}
		}
		for _, l := range f.Listed {
			if slices.Contains(l.Recommendations, r.Number) {
				rf.Listed = append(rf.Listed, l)
			}
		}
		f.Recommendations = append(f.Recommendations, rf)
	}
	f.Gaps = gaps(f.Recommendations)
	return f
}

// tallied is one cycle's counts: the organisations counted as supporters,
// those reporting, and per recommendation the organisations acting (at
// their furthest stage) and the number of actions.
type tallied struct {
	counted   map[int64]action.Stage // the value is unused; a set
	reporting map[int64]action.Stage
	acting    map[int]map[int64]action.Stage
	actions   map[int]int
}

// tally counts a cycle. An organisation is counted as a supporter when it
// is active and supported the Call by the cycle's deadline, or when it
// reported in the cycle all the same.
func tally(p Period, orgs []Organisation, actions []PreviousAction) tallied {
	t := tallied{counted: map[int64]action.Stage{}, reporting: map[int64]action.Stage{},
		acting: map[int]map[int64]action.Stage{}, actions: map[int]int{}}
	for _, o := range orgs {
		if o.Active && (o.SupporterSince == nil || !o.SupporterSince.After(p.Deadline)) {
			t.counted[o.ID] = ""
		}
	}
	for _, a := range actions {
		t.counted[a.OrganisationID] = ""
		t.reporting[a.OrganisationID] = ""
		for _, n := range a.Recommendations {
			t.actions[n]++
			m := t.acting[n]
			if m == nil {
				m = map[int64]action.Stage{}
				t.acting[n] = m
			}
			if st, ok := m[a.OrganisationID]; !ok || stageRank[a.Stage] > stageRank[st] {
				m[a.OrganisationID] = a.Stage
			}
		}
	}
	return t
}

func actionsOf(as []Action) []PreviousAction {
	out := make([]PreviousAction, len(as))
	for i, a := range as {
		out[i] = PreviousAction{OrganisationID: a.OrganisationID, Public: a.Public, Stage: a.Stage, Recommendations: a.Recommendations}
	}
	return out
}

func kindCounts(set map[int64]action.Stage, orgs map[int64]Organisation) ([]KindCount, int) {
	n := map[stakeholder.Kind]int{}
	for id := range set {
		n[orgs[id].Kind]++
	}
	out := make([]KindCount, len(stakeholder.Kinds))
	for i, k := range stakeholder.Kinds {
		out[i] = KindCount{Kind: k, N: n[k]}
	}
	return out, len(set)
}

func stageCounts(n map[action.Stage]int) []StageCount {
	out := make([]StageCount, len(action.Stages))
	for i, s := range action.Stages {
		out[i] = StageCount{Stage: s, N: n[s]}
	}
	return out
}

func coverage(addressees []stakeholder.Kind, counted, acting map[int64]action.Stage, orgs map[int64]Organisation) Coverage {
	var c Coverage
	for id := range counted {
		if slices.Contains(addressees, orgs[id].Kind) {
			c.Addressees++
			if _, ok := acting[id]; ok {
				c.Reporting++
			}
		}
	}
	c.Percent = percent(c.Reporting, c.Addressees)
	return c
}

// percent is n of total in percent, rounded to one decimal.
func percent(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return math.Round(float64(n)*1000/float64(total)) / 10
}

func listed(as []Action, orgs map[int64]Organisation) []Listed {
	var out []Listed
	for _, a := range as {
		if !a.Public {
			continue
		}
		o := orgs[a.OrganisationID]
		out = append(out, Listed{ID: a.ID, OrganisationID: o.ID, Organisation: o.Name, Kind: o.Kind, Country: o.Country, Title: a.Title,
			Stage: a.Stage, MeasureType: a.MeasureType, Scope: a.Scope, CarriedForward: a.CarriedForward,
			Recommendations: a.Recommendations, AcceptedAt: a.AcceptedAt.UTC(), Evidence: a.Evidence})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Organisation != out[j].Organisation {
			return out[i].Organisation < out[j].Organisation
		}
		if out[i].Title != out[j].Title {
			return out[i].Title < out[j].Title
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// gaps are the least-covered recommendations among their addressees.
func gaps(recs []RecFigures) []Gap {
	var out []Gap
	for _, r := range recs {
		if r.Coverage.Addressees > 0 {
			out = append(out, Gap{Number: r.Number, Slug: r.Slug, Title: r.Title, Coverage: r.Coverage})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Coverage.Percent != out[j].Coverage.Percent {
			return out[i].Coverage.Percent < out[j].Coverage.Percent
		}
		return out[i].Number < out[j].Number
	})
	if len(out) > GapCount {
		out = out[:GapCount]
	}
	return out
}
