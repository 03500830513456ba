package action

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

// ParsePublicFilter reads the filters of a public list of actions from a
// query (cycle, recommendation, organisation, kind, country, stage,
// assurance, measure, q, contested, framework, provision, page), as
// the API and the pages take them. It returns the filter with the page's
// limit and offset, and the page number.
func ParsePublicFilter(q url.Values) (Filter, int, error) {
	f := Filter{Kind: q.Get("kind"), Country: q.Get("country"), Stage: Stage(q.Get("stage")),
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
	page := number("page")
	if page == 0 {
		page = 1
	}
	if page > 100000 {
		bad.Add("page", "is too large")
	}
	f.Limit, f.Offset = PublicPageSize, (page-1)*PublicPageSize
	return f, page, bad.Err()
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
