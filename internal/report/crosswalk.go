package report

import (
	"context"
	"time"

	"github.com/pctracker/pctracker/internal/framework"
	"github.com/pctracker/pctracker/internal/recommendation"
)

// The report's annex per framework: what the public accepted actions the
// report counts count for in the other frameworks on commercial spyware.
// The crosswalk (frameworks, provisions, the recommendations each is
// evidenced by) and each action's links are read when the report is
// compiled, with the rest of its inputs, and stored with them: a
// published report keeps the figures it was published with whatever the
// secretariat changes in the crosswalk later, and compiles again to the
// same bytes.

// Crosswalk is the crosswalk as a report read it, frameworks and
// provisions in their order.
type Crosswalk struct {
	Frameworks []Framework `json:"frameworks"`
}

// Framework is a framework as the report needs it.
type Framework struct {
	Key   string              `json:"key"`
	Title recommendation.Text `json:"title"`
	// FRUnofficial: the French title is a translation made for pctracker.
	FRUnofficial bool        `json:"fr_unofficial,omitempty"`
	Issued       *time.Time  `json:"issued,omitempty"`
	Source       string      `json:"source,omitempty"`
	Provisions   []Provision `json:"provisions"`
}

// Provision is a provision as the report needs it.
type Provision struct {
	Key             string               `json:"key"`
	Title           recommendation.Text  `json:"title"`
	Recommendations []int                `json:"recommendations"`
	Confidence      framework.Confidence `json:"confidence"`
}

// ProvisionLink is one provision a public action counts for, and how:
// derived through its recommendations, or declared.
type ProvisionLink struct {
	Framework string             `json:"framework"`
	Provision string             `json:"provision"`
	Kind      framework.LinkKind `json:"kind"`
}

// CrosswalkOf is the crosswalk as a report's input.
func CrosswalkOf(all []framework.Framework) *Crosswalk {
	cw := &Crosswalk{Frameworks: []Framework{}}
	for _, f := range all {
		out := Framework{Key: f.Key, Title: f.Title, FRUnofficial: f.FRUnofficial, Source: f.Source, Provisions: []Provision{}}
		if f.Issued != nil {
			day := f.Issued.UTC()
			out.Issued = &day
		}
		for _, p := range f.Provisions {
			recs := append([]int{}, p.Recommendations...)
			out.Provisions = append(out.Provisions, Provision{Key: p.Key, Title: p.Title, Recommendations: recs, Confidence: p.Confidence})
		}
		cw.Frameworks = append(cw.Frameworks, out)
	}
	return cw
}

// CrosswalkFigures are the annex: each framework's figures per provision,
// and the recommendations no provision of any framework is evidenced by.
type CrosswalkFigures struct {
	Frameworks []FrameworkFigures
	Unmatched  []Unmatched
	Links      int // links of the public actions counted, every framework
}

// FrameworkFigures are one framework's figures.
type FrameworkFigures struct {
	Key          string
	Title        recommendation.Text
	FRUnofficial bool
	Issued       *time.Time
	Source       string
	Provisions   []ProvisionFigures // in order
	// Distinct across the framework: an action counting for three of its
	// provisions is one action.
	Actions       int
	Organisations int
}

// ProvisionFigures are what one provision counts: the public actions of
// the report that count for it, and their organisations.
type ProvisionFigures struct {
	Provision
	Actions       int
	Organisations int
}

// Gaps are the provisions no public action of the report counts for.
func (f FrameworkFigures) Gaps() []ProvisionFigures {
	var out []ProvisionFigures
	for _, p := range f.Provisions {
		if p.Actions == 0 {
			out = append(out, p)
		}
	}
	return out
}

// Unmatched is a recommendation no provision is evidenced by.
type Unmatched struct {
	Number int
	Title  recommendation.Text
}

// crosswalkTally counts the links of the public actions as they are read.
type crosswalkTally struct {
	cw        *Crosswalk
	at        map[[2]string][2]int // framework and provision keys -> their places
	actions   [][]int
	orgs      [][]set
	fwActions []int
	fwOrgs    []set
	links     int
}

func newCrosswalkTally(cw *Crosswalk) *crosswalkTally {
	t := &crosswalkTally{cw: cw, at: map[[2]string][2]int{}}
	for i, f := range cw.Frameworks {
		t.actions = append(t.actions, make([]int, len(f.Provisions)))
		orgs := make([]set, len(f.Provisions))
		for j, p := range f.Provisions {
			t.at[[2]string{f.Key, p.Key}] = [2]int{i, j}
			orgs[j] = set{}
		}
		t.orgs = append(t.orgs, orgs)
		t.fwActions = append(t.fwActions, 0)
		t.fwOrgs = append(t.fwOrgs, set{})
	}
	return t
}

// add counts a public action's links; a link to a provision the stored
// crosswalk does not hold (changed between the two reads) counts nowhere.
func (t *crosswalkTally) add(a Action) {
	seen := map[[2]int]bool{}
	frameworks := map[int]bool{}
	for _, l := range a.Provisions {
		at, ok := t.at[[2]string{l.Framework, l.Provision}]
		if !ok || seen[at] {
			continue
		}
		seen[at] = true
		t.links++
		t.actions[at[0]][at[1]]++
		t.orgs[at[0]][at[1]][a.OrganisationID] = struct{}{}
		if !frameworks[at[0]] {
			frameworks[at[0]] = true
			t.fwActions[at[0]]++
			t.fwOrgs[at[0]][a.OrganisationID] = struct{}{}
		}
	}
}

// figures are the annex; recs are the report's recommendations, to name
// those without a counterpart.
func (t *crosswalkTally) figures(recs []Recommendation) *CrosswalkFigures {
	out := &CrosswalkFigures{Links: t.links}
	all := make([]framework.Framework, len(t.cw.Frameworks))
	for i, f := range t.cw.Frameworks {
		ff := FrameworkFigures{Key: f.Key, Title: f.Title, FRUnofficial: f.FRUnofficial, Issued: f.Issued, Source: f.Source,
			Actions: t.fwActions[i], Organisations: len(t.fwOrgs[i])}
		all[i] = framework.Framework{Key: f.Key}
		for j, p := range f.Provisions {
			ff.Provisions = append(ff.Provisions, ProvisionFigures{Provision: p, Actions: t.actions[i][j], Organisations: len(t.orgs[i][j])})
			all[i].Provisions = append(all[i].Provisions, framework.Provision{Key: p.Key, Recommendations: p.Recommendations})
		}
		out.Frameworks = append(out.Frameworks, ff)
	}
	known := make([]int, len(recs))
	titles := map[int]recommendation.Text{}
	for i, r := range recs {
		known[i], titles[r.Number] = r.Number, r.Title
	}
	for _, n := range framework.Unmatched(all, known) {
		out.Unmatched = append(out.Unmatched, Unmatched{Number: n, Title: titles[n]})
	}
	return out
}

// linkBatch is how many actions are read before their links are.
const linkBatch = 1000

// withLinks adds to each public action of src the provisions it counts
// for, read a batch of actions at a time. Secretariat-only actions get
// none: the report says nothing of them.
func (s *Service) withLinks(ctx context.Context, src ActionSource) ActionSource {
	return func(fn func(Action) error) error {
		batch := make([]Action, 0, linkBatch)
		flush := func() error {
			var ids []int64
			for _, a := range batch {
				if a.Public {
					ids = append(ids, a.ID)
				}
			}
			links, err := s.store.ActionLinks(ctx, ids)
			if err != nil {
				return err
			}
			for _, a := range batch {
				if a.Public {
					for _, l := range links[a.ID] {
						a.Provisions = append(a.Provisions, ProvisionLink{Framework: l.Framework.Key, Provision: l.Provision.Key, Kind: l.Kind})
					}
				}
				if err := fn(a); err != nil {
					return err
				}
			}
			batch = batch[:0]
			return nil
		}
		err := src(func(a Action) error {
			batch = append(batch, a)
			if len(batch) == linkBatch {
				return flush()
			}
			return nil
		})
		if err != nil {
			return err
		}
		return flush()
	}
}
