package ui

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/chart"
	"github.com/pctracker/pctracker/internal/framework"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/request"
	"github.com/pctracker/pctracker/migrations"
)

// The public pages of the crosswalk: the other frameworks on commercial
// spyware, what the public actions of a cycle count for in each, and
// where nothing does (the gaps).

// frameworksView lists every framework with its coverage in a cycle.
type frameworksView struct {
	Page
	cycleChoice
	NoFrameworks bool // the secretariat emptied the crosswalk
	Frameworks   []frameworkSummary
	Unmatched    []recRef // recommendations no provision of any framework is evidenced by
	ChartSVG     template.HTML
}

// cycleChoice is the cycle a page of figures shows, and the ones it may.
type cycleChoice struct {
	Year      int // 0: no cycle has figures yet
	Years     []int
	Errors    map[string]string // a cycle asked that is not one
	NoFigures bool              // no public action counts for any provision in Year
}

type frameworkSummary struct {
	Anchor          string // a valid id: keys may hold spaces
	Key, URL, Title string
	Unofficial      bool // the French title is a translation made for pctracker
	Issued          string
	Source          string
	Actions         string
	ActionsURL      string
	Organisations   string
	Provisions      string
	Covered         string // provisions with at least one action
	Gaps            []provisionRef
}

type provisionRef struct{ Key, Title, URL string }

type recRef struct {
	Number int
	Title  string
}

// frameworkView is one framework with the figures of each provision.
type frameworkView struct {
	Page
	cycleChoice
	Key, Title    string
	Unofficial    bool
	Issued        string
	Source        string
	Note          string // English only, as the compiler wrote it
	Actions       string
	ActionsURL    string
	Organisations string
	Covered       string
	GapCount      int
	Provisions    []provisionRow
	ChartSVG      template.HTML
}

type provisionRow struct {
	Anchor          string // a valid id: keys may hold spaces
	Key, Title      string
	Note            string
	Recommendations []int
	Confidence      string
	Actions         string
	ActionsURL      string
	Organisations   string
	Gap             bool
}

// frameworkURL is the page of the framework of key: keys may hold
// spaces, brackets and colons.
func frameworkURL(key string) string { return "/frameworks/" + url.PathEscape(key) }

// provisionActionsURL is the public list of the actions of year that
// count for a provision (all of the framework's provisions when
// provision is "").
func provisionActionsURL(fw, provision string, year int) string {
	q := url.Values{"framework": {fw}, "cycle": {strconv.Itoa(year)}}
	if provision != "" {
		q.Set("provision", provision)
	}
	return "/actions?" + q.Encode()
}

// chooseCycle reads ?cycle= and finds the figures of every framework in
// it: the newest cycle with figures by default. A value that is not a
// cycle's year is a field error, as the actions list answers one.
func (h *Handler) chooseCycle(c echo.Context) (cycleChoice, []framework.Coverage, error) {
	ctx := c.Request().Context()
	var ch cycleChoice
	cycles, err := h.Cycles.List(ctx)
	if err != nil {
		return ch, nil, err
	}
	for _, cy := range cycles {
		ch.Years = append(ch.Years, cy.Year)
	}
	slices.Sort(ch.Years)
	slices.Reverse(ch.Years)
	year := 0
	if q := c.QueryParam("cycle"); q != "" {
		n, err := strconv.Atoi(q)
		switch {
		case err != nil || n < 1:
			ch.Errors = map[string]string{"cycle": "must be a whole number from 1"}
		case !slices.Contains(ch.Years, n):
			ch.Errors = map[string]string{"cycle": "there is no such cycle"}
		}
		if ch.Errors != nil {
			return ch, nil, nil
		}
		year = n
	}
	cov, year, err := h.Frameworks.Coverage(ctx, year)
	if err != nil {
		return ch, nil, err
	}
	ch.Year, ch.NoFigures = year, true
	for _, f := range cov {
		if f.Actions > 0 {
			ch.NoFigures = false
		}
	}
	return ch, cov, nil
}

// frameworks lists the frameworks with their coverage in a cycle.
func (h *Handler) frameworks(c echo.Context) error {
	if done, err := h.notModified(c); done {
		return err
	}
	v := frameworksView{Page: newPage(c, "frameworks")}
	lang, t := v.Lang, h.renderer.tr[v.Lang]
	num := func(n int) string { return locale.Number(lang, n) }
	ch, cov, err := h.chooseCycle(c)
	if err != nil {
		return err
	}
	v.cycleChoice = ch
	if ch.Errors != nil {
		return h.renderer.render(c, http.StatusUnprocessableEntity, "frameworks", lang, v)
	}
	all := make([]framework.Framework, len(cov))
	var bars []chart.Bar
	for i, fc := range cov {
		f := fc.Framework
		all[i] = f
		s := frameworkSummary{Anchor: "fw" + strconv.Itoa(i+1), Key: f.Key, URL: frameworkURL(f.Key), Title: f.Title.In(lang), Unofficial: lang == "fr" && f.FRUnofficial,
			Source: f.Source, Actions: num(fc.Actions), ActionsURL: provisionActionsURL(f.Key, "", ch.Year),
			Organisations: num(fc.Organisations), Provisions: num(len(f.Provisions))}
		if f.Issued != nil {
			s.Issued = formatDate(lang, *f.Issued)
		}
		page := s.URL
		if ch.Year != 0 {
			page += "?cycle=" + strconv.Itoa(ch.Year)
		}
		for _, p := range fc.Gaps() {
			s.Gaps = append(s.Gaps, provisionRef{Key: p.Key, Title: p.Title.In(lang), URL: page + "#" + provisionAnchorAt(p)})
		}
		covered := len(f.Provisions) - len(s.Gaps)
		s.Covered = num(covered)
		v.Frameworks = append(v.Frameworks, s)
		bars = append(bars, chart.Bar{Label: f.Key, Values: []int{covered, len(s.Gaps)}})
	}
	v.NoFrameworks = len(cov) == 0
	recs, err := h.Recommendations.List(c.Request().Context())
	if err != nil {
		return err
	}
	known := make([]int, len(recs))
	for i, r := range recs {
		known[i] = r.Number
	}
	for _, n := range framework.Unmatched(all, known) {
		for _, r := range recs {
			if r.Number == n {
				v.Unmatched = append(v.Unmatched, recRef{Number: n, Title: r.Title.In(lang)})
			}
		}
	}
	if !v.NoFrameworks && !v.NoFigures {
		v.ChartSVG = chart.LabelledStacked("chart-frameworks", t("cw_frameworks_chart", map[string]any{"Year": ch.Year}),
			t("cw_frameworks_chart_desc"), coverageSeries(t), bars)
	}
	return h.renderer.render(c, http.StatusOK, "frameworks", lang, v)
}

// coverageSeries are the two parts of a framework's bar: its provisions
// some action counts for, and its gaps.
func coverageSeries(t locale.Translate) []chart.Series {
	return []chart.Series{{Label: t("cw_series_covered"), Color: "#047857"}, {Label: t("cw_series_gaps"), Color: "#9f1239"}}
}

// showFramework is one framework's page: each provision with its figures
// in a cycle.
func (h *Handler) showFramework(c echo.Context) error {
	key, err := request.Key(c, "key", "framework")
	if err != nil {
		return err
	}
	f, err := h.Frameworks.Get(c.Request().Context(), key)
	if err != nil {
		return err
	}
	// After the key is found: a page not found gets no validator.
	if done, err := h.notModified(c); done {
		return err
	}
	v := frameworkView{Page: newPage(c, "frameworks")}
	lang, t := v.Lang, h.renderer.tr[v.Lang]
	num := func(n int) string { return locale.Number(lang, n) }
	ch, cov, err := h.chooseCycle(c)
	if err != nil {
		return err
	}
	v.cycleChoice = ch
	v.Key, v.Title, v.Unofficial, v.Source, v.Note = f.Key, f.Title.In(lang), lang == "fr" && f.FRUnofficial, f.Source, f.Note
	if f.Issued != nil {
		v.Issued = formatDate(lang, *f.Issued)
	}
	var fc framework.Coverage
	for _, x := range cov {
		if x.Framework.Key == key {
			fc = x
		}
	}
	if ch.Errors != nil || fc.Framework.ID == 0 {
		// A cycle that is not one, or a framework removed in between:
		// the provisions without figures.
		fc = framework.Coverage{Framework: f}
		for _, p := range f.Provisions {
			fc.Figures = append(fc.Figures, framework.Figure{Provision: p})
		}
	}
	v.Actions, v.Organisations = num(fc.Actions), num(fc.Organisations)
	v.ActionsURL = provisionActionsURL(f.Key, "", ch.Year)
	var bars []chart.Bar
	for _, fig := range fc.Figures {
		p := fig.Provision
		row := provisionRow{Anchor: provisionAnchorAt(p), Key: p.Key, Title: p.Title.In(lang), Note: p.Note,
			Recommendations: p.Recommendations, Confidence: t("cw_confidence_" + string(p.Confidence)),
			Actions: num(fig.Actions), ActionsURL: provisionActionsURL(f.Key, p.Key, ch.Year),
			Organisations: num(fig.Organisations), Gap: fig.Actions == 0}
		if row.Gap {
			v.GapCount++
		}
		v.Provisions = append(v.Provisions, row)
		bars = append(bars, chart.Bar{Label: p.Key, Values: []int{fig.Actions}})
	}
	v.Covered = num(len(v.Provisions) - v.GapCount)
	status := http.StatusOK
	if ch.Errors != nil {
		status = http.StatusUnprocessableEntity
	} else if !ch.NoFigures && len(bars) > 0 {
		v.ChartSVG = chart.LabelledStacked("chart-provisions", t("cw_framework_chart", map[string]any{"Year": ch.Year}),
			t("cw_framework_chart_desc"), []chart.Series{{Label: t("cw_series_actions"), Color: "#1d4ed8"}}, bars)
	}
	return h.renderer.render(c, status, "framework", lang, v)
}

// crosswalkSourcesView is the list of the sources the initial crosswalk
// was compiled from.
type crosswalkSourcesView struct {
	Page
	Sources template.HTML // English only
}

func (h *Handler) crosswalkSources(c echo.Context) error {
	v := crosswalkSourcesView{Page: newPage(c, "about"), Sources: h.Markdown.HTML(string(migrations.CrosswalkSources()))}
	return h.renderer.render(c, http.StatusOK, "crosswalk_sources", v.Lang, v)
}

// countsFor is a framework an action counts for, with the provisions,
// as its public page says them.
type countsFor struct {
	Framework, URL string
	Provisions     []countsForProvision
}

type countsForProvision struct {
	Key, Title, URL string
	Kind            string // derived or declared
	Confidence      string
}

// countsForRows says, in lang, which provisions the links are to, by
// framework (the links come in the frameworks' order).
func countsForRows(links []framework.Link, year int, lang string, t locale.Translate) []countsFor {
	var out []countsFor
	for _, l := range links {
		u := frameworkURL(l.Framework.Key) + "?cycle=" + strconv.Itoa(year)
		if len(out) == 0 || out[len(out)-1].URL != u {
			out = append(out, countsFor{Framework: l.Framework.Title.In(lang), URL: u})
		}
		last := &out[len(out)-1]
		last.Provisions = append(last.Provisions, countsForProvision{Key: l.Provision.Key, Title: l.Provision.Title.In(lang),
			URL: u + "#" + provisionAnchorAt(l.Provision), Kind: string(l.Kind),
			Confidence: t("cw_confidence_word_" + string(l.Provision.Confidence))})
	}
	return out
}

// provisionAnchorAt is the id of a provision's row from its position.
func provisionAnchorAt(p framework.Provision) string { return "p" + strconv.Itoa(p.Position+1) }

// crosswalkFilter is what the actions list needs to filter by framework
// and provision: every framework for the first select; for the second,
// the chosen framework's provisions, or all of them by framework while
// none is chosen; and the filter said in words for the results' heading.
type crosswalkFilter struct {
	All       []framework.Framework
	Chosen    *framework.Framework // the framework asked, when it exists
	Framework string               // its title in the page's language
	Provision string               // the provision asked, "KEY · title", when it exists
}

func (h *Handler) crosswalkFilterOf(ctx context.Context, f action.Filter, lang string) (crosswalkFilter, error) {
	all, err := h.Frameworks.List(ctx)
	if err != nil {
		return crosswalkFilter{}, err
	}
	out := crosswalkFilter{All: all}
	for i := range all {
		if all[i].Key == f.Framework {
			out.Chosen, out.Framework = &all[i], all[i].Title.In(lang)
			if p, err := all[i].Provision(f.Provision); err == nil {
				out.Provision = p.Key + " · " + p.Title.In(lang)
			}
		}
	}
	return out, nil
}
