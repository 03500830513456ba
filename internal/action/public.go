package action

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

// Sort is an order a public list of actions can be read in. Each breaks
// ties by the newest acceptance, then by id, so that a page never shows
// an action twice or skips one.
type Sort string

const (
	SortNewest         Sort = "newest"         // newest acceptance first: the default
	SortOrganisation   Sort = "organisation"   // by the organisation's name, A to Z
	SortStage          Sort = "stage"          // by stage, along the ladder (Stages' order)
	SortRecommendation Sort = "recommendation" // by the lowest recommendation number it answers
	SortRelevance      Sort = "relevance"      // the best matches of a search first (newest without one): the default with q
)

// Sorts lists the orders, as the forms offer them.
var Sorts = []Sort{SortNewest, SortOrganisation, SortStage, SortRecommendation, SortRelevance}

// Ranked reports whether a search's best matches come first in this
// order: asked for, or no order asked. Between equals the order holds.
func (s Sort) Ranked() bool { return s == "" || s == SortRelevance }

// Shown is the order a list is in when s was asked with query q: the one
// its form marks as chosen.
func (s Sort) Shown(q string) Sort {
	switch {
	case s != "":
		return s
	case strings.TrimSpace(q) != "":
		return SortRelevance
	}
	return SortNewest
}

// Valid reports whether s is one of the orders.
func (s Sort) Valid() bool { return slices.Contains(Sorts, s) }

// ParsePublicFilter reads the filters of a public list of actions from a
// query (cycle, recommendation, organisation, kind, country, stage,
// assurance, measure, q, contested, framework, provision, sort), as the
// API and the pages take them. The page is not its business: the lists
// read it the one way every list does (package request).
func ParsePublicFilter(q url.Values) (Filter, error) {
	f := Filter{Sort: Sort(strings.TrimSpace(q.Get("sort"))), Kind: q.Get("kind"), Country: q.Get("country"), Stage: Stage(q.Get("stage")),
		MeasureType: MeasureType(q.Get("measure")), Assurance: Assurance(q.Get("assurance")), Query: q.Get("q"),
		Framework: strings.TrimSpace(q.Get("framework")), Provision: strings.TrimSpace(q.Get("provision"))}
	bad := errs.FieldErrors{}
	number := func(name string) int {
		v := q.Get(name)
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			bad.Add(name, "must be a whole number from 1")
		}
		return n
	}
	switch q.Get("contested") {
	case "true":
		f.Contested = true
	case "false", "":
	default:
		bad.Add("contested", "must be true or false")
	}
	f.CycleYear, f.Recommendation = number("cycle"), number("recommendation")
	f.StakeholderID = int64(number("organisation"))
	// Several values of one filter keep the actions matching any of them.
	if vs := q["recommendation"]; len(vs) > 1 {
		f.Recommendation = 0
		for i := range vs {
			f.AnyOf.Recommendations = append(f.AnyOf.Recommendations, number2(bad, "recommendation", vs[i]))
		}
	}
	if vs := q["organisation"]; len(vs) > 1 {
		f.StakeholderID = 0
		for i := range vs {
			f.AnyOf.StakeholderIDs = append(f.AnyOf.StakeholderIDs, int64(number2(bad, "organisation", vs[i])))
		}
	}
	if vs := q["kind"]; len(vs) > 1 {
		f.Kind, f.AnyOf.Kinds = "", vs
	}
	if vs := q["country"]; len(vs) > 1 {
		f.Country, f.AnyOf.Countries = "", vs
	}
	f.Limit = PublicPageSize
	return f, bad.Err()
}

// CheckPublic tidies a public filter and says which of its values is not
// one of the codes.
func (f *Filter) CheckPublic() error {
	bad := errs.FieldErrors{}
	if f.Stage != "" && !f.Stage.Valid() {
		bad.Add("stage", choose(f.Stage, Stages))
	}
	if f.MeasureType != "" && !f.MeasureType.Valid() {
		bad.Addf("measure", "%q is not a measure type", f.MeasureType)
	}
	if f.Assurance != "" && !f.Assurance.Valid() {
		bad.Add("assurance", choose(f.Assurance, Assurances))
	}
	if f.Sort != "" && !f.Sort.Valid() {
		bad.Add("sort", choose(f.Sort, Sorts))
	}
	if f.Kind != "" && !stakeholder.Kind(f.Kind).Valid() {
		bad.Addf("kind", "must be one of %s", stakeholder.KindCodes())
	}
	if f.Recommendation < 0 || f.Recommendation > 99 {
		bad.Add("recommendation", "must be a recommendation number")
	}
	f.Country = strings.ToUpper(strings.TrimSpace(f.Country))
	if f.Country != "" && len(f.Country) != 2 {
		bad.Add("country", "must be a two-letter country code")
	}
	if f.Provision != "" && f.Framework == "" {
		bad.Add("provision", "needs the framework it belongs to (framework=KEY)")
	}
	if len(f.Framework) > 80 || len(f.Provision) > 80 {
		bad.Add("framework", "is not a framework's key")
	}
	f.Query = strings.TrimSpace(f.Query)
	if len(f.Query) > MaxQueryLength {
		bad.Addf("q", "must be at most %d characters", MaxQueryLength)
	}
	return bad.Err()
}

// number2 reads one of several values of a whole-number filter.
func number2(bad errs.FieldErrors, name, v string) int {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		bad.Add(name, "must be a whole number from 1")
	}
	return n
}
