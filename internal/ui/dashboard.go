package ui

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/chart"
	"github.com/pctracker/pctracker/internal/dashboard"
	"github.com/pctracker/pctracker/internal/document"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/etag"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/purge"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

// dashboardView is the public dashboard: every number as the page writes
// it, worked out here so that the template only lays it out.
type dashboardView struct {
	Page
	Year      int
	Years     []int
	Source    string
	ReportID  int64
	Until     string // the Forum date, while the cycle is embargoed
	AsOf      string
	NoCycle   bool      // no cycle has opened yet
	Fresh     []dashRow // then, the twelve recommendations, with no figures yet
	Cards     []card
	Change    string // the sentence on the change since the previous cycle
	Withheld  string
	Stages    []string
	Rows      []dashRow
	Kinds     []string
	Heat      []heatRow
	Gaps      []dashRow
	Trend     []trendRow
	StageSVG  template.HTML
	HeatSVG   template.HTML
	TrendSVG  template.HTML
	StatesGap string // the least-covered recommendation among states, said in a sentence
	Evidence  string // how many of the public actions cite evidence, said in a sentence
}

type card struct {
	Value, Label, URL string
	Listed            *link // when the figure is not the count of the list it would link to
}

// listURL is the public list of the actions behind a figure.
func listURL(year, rec int, extra ...string) string {
	q := url.Values{"cycle": {strconv.Itoa(year)}}
	if rec != 0 {
		q.Set("recommendation", strconv.Itoa(rec))
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return "/actions?" + q.Encode()
}

type link struct{ Text, URL string }

// figure is a count of organisations with the list of actions behind it:
// the two counts differ (an organisation acting twice counts once), so
// the page writes both and links the list by the number it states.
type figure struct {
	Text   string
	Listed link
}

// figureOf is the figure text with the list at url holding n actions.
func figureOf(text string, n int, url, lang string) figure {
	return figure{Text: text, Listed: link{locale.Number(lang, n), url}}
}

// countLink links a count of actions to its list when the list holds as
// many; else (a published report counted the actions before a correction)
// the figure stays unlinked and the list goes beside it with its own count.
func countLink(counted, listed int, url, lang string) (string, *link) {
	if counted == listed {
		return url, nil
	}
	return "", &link{locale.Number(lang, listed), url}
}

type dashRow struct {
	Number     int
	Title      string
	Addressees string
	Acting     figure
	ByStage    []figure
	Checked    string // organisations whose most assured action on it is evidence-checked
	Verified   string // ... independently verified
	Coverage   string
	Ratio      string
	Change     string
}

type heatRow struct {
	Number int
	Title  string
	Cells  []heatCell
}

type heatCell struct {
	Figure    figure
	Addressed bool
}

type trendRow struct {
	Year       int
	Source     string
	Reporting  string
	Supporters string
	Actions    string
	URL        string
	Listed     *link
	ByStage    []string
}

// fillDashboardHead sets what the dashboard says of the cycle as a whole:
// when its figures were counted, its cards, the change since the year
// before, what is withheld, and the names of its stages and kinds.
func fillDashboardHead(v *dashboardView, f report.Figures, l dashboard.Listed, t locale.Translate) {
	lang := v.Lang
	num := func(n int) string { return locale.Number(lang, n) }
	v.AsOf = formatDateTime(lang, f.CutoffAt)
	v.Cards = []card{
		{Value: num(f.ReportingTotal), Label: t("report_card_reporting", map[string]any{"Total": num(f.SupporterTotal)})},
		{Value: num(f.Actions), Label: t("report_card_actions")},
		{Value: num(f.New), Label: t("report_new")},
		{Value: num(f.CarriedForward), Label: t("report_carried")},
	}
	v.Cards[1].URL, v.Cards[1].Listed = countLink(f.Actions, l.Total, listURL(f.Year, 0), lang)
	if f.Prev != nil {
		v.Change = t("report_change_since", map[string]any{"Year": f.PreviousYear,
			"Reporting": locale.Change(lang, f.ReportingTotal-f.Prev.Reporting), "Actions": locale.Change(lang, f.Actions-f.Prev.Actions)})
	}
	if f.Withheld > 0 {
		v.Withheld = t("report_withheld_note", map[string]any{"Withheld": num(f.Withheld)})
	}
	for _, s := range f.ByStage {
		v.Stages = append(v.Stages, t("stage_"+string(s.Stage)))
	}
	for _, k := range f.Supporters {
		v.Kinds = append(v.Kinds, kindName(t, k.Kind))
	}
}

// kindName is the name of a kind of organisation in the language of t.
func kindName(t locale.Translate, k stakeholder.Kind) string { return t("kind_" + string(k)) }

// dashRowOf is a recommendation's row of the dashboard's table, each
// figure of organisations beside the count of the list of actions behind it.
func dashRowOf(r report.RecFigures, l dashboard.Listed, lang string, t locale.Translate) dashRow {
	year := l.Year
	num := func(n int) string { return locale.Number(lang, n) }
	kinds := make([]string, len(r.Addressees))
	for i, k := range r.Addressees {
		kinds[i] = kindName(t, k)
	}
	out := dashRow{Number: r.Number, Title: r.Title.In(lang), Addressees: strings.Join(kinds, ", "), Acting: figureOf(num(r.Organisations), l.Rec(r.Number), listURL(year, r.Number), lang),
		Checked:  num(r.Assured(string(action.EvidenceChecked))),
		Verified: num(r.Assured(string(action.IndependentlyVerified))),
		Coverage: locale.Percent(lang, r.Coverage.Percent), Ratio: num(r.Coverage.Reporting) + "/" + num(r.Coverage.Addressees), Change: "–"}
	for _, s := range r.ByStage {
		out.ByStage = append(out.ByStage, figureOf(num(s.N), l.Stage(r.Number, s.Stage), listURL(year, r.Number, "stage", string(s.Stage)), lang))
	}
	if r.Prev != nil {
		out.Change = locale.Change(lang, r.Organisations-r.Prev.Organisations)
	}
	return out
}

// heatRowOf is a recommendation's row of the heat map: by kind of
// organisation, how many of those it is addressed to act on it.
func heatRowOf(r report.RecFigures, l dashboard.Listed, lang string) heatRow {
	num := func(n int) string { return locale.Number(lang, n) }
	hr := heatRow{Number: r.Number, Title: r.Title.In(lang)}
	for _, c := range r.HeatMap {
		text := num(c.Organisations) + "/" + num(c.Supporters) + " (" + locale.Percent(lang, c.Percent) + ")"
		hr.Cells = append(hr.Cells, heatCell{figureOf(text, l.Kind(r.Number, c.Kind), listURL(l.Year, r.Number, "kind", string(c.Kind)), lang),
			c.Addressed})
	}
	return hr
}

// home is the public dashboard of a cycle (the latest by default).
func (h *Handler) home(c echo.Context) error {
	v := dashboardView{Page: newPage(c, "home")}
	year := 0
	if q := c.QueryParam("cycle"); q != "" {
		y, err := strconv.Atoi(q)
		if err != nil || y < 1 {
			return errs.E(errs.NotFound, "there is no cycle %q: choose one of the list", q)
		}
		year = y
	}
	d, err := h.Dashboard.View(c.Request().Context(), year)
	switch {
	case errs.Is(err, errs.NotFound) && year == 0:
		// A fresh installation shows what it will follow, not an empty page.
		v.NoCycle = true
		recs, err := h.Recommendations.List(c.Request().Context())
		if err != nil {
			return err
		}
		t := h.renderer.tr[v.Lang]
		for _, r := range recs {
			kinds := make([]string, len(r.Addressees))
			for i, k := range r.Addressees {
				kinds[i] = kindName(t, k)
			}
			v.Fresh = append(v.Fresh, dashRow{Number: r.Number, Title: r.Title.In(v.Lang), Addressees: strings.Join(kinds, ", ")})
		}
		return h.renderer.render(c, http.StatusOK, "home", v.Lang, v)
	case err != nil:
		return err
	}
	// Visitors share one page per cycle and language, rendered once per
	// version of the data; a signed-in person's page names them, so it is
	// neither shared nor revalidated.
	if v.User != "" {
		if err := h.fillDashboard(c.Request().Context(), &v, d); err != nil {
			return err
		}
		return h.renderer.render(c, http.StatusOK, "home", v.Lang, v)
	}
	etag.SurrogateKeys(c.Response().Header(), dashboardKeys(d)...)
	if etag.NotModified(c.Response(), c.Request(), d.Version, strconv.Itoa(year), v.Lang) {
		return c.NoContent(http.StatusNotModified)
	}
	key := d.Version + "|" + c.Request().URL.RequestURI() + "|" + v.Lang
	a, err := h.shared.Build(key, echo.MIMETextHTMLCharsetUTF8, func() ([]byte, error) {
		if err := h.fillDashboard(c.Request().Context(), &v, d); err != nil {
			return nil, err
		}
		return h.renderer.page("home", v.Lang, v)
	})
	if err != nil {
		return err
	}
	return sendCached(c, v.Lang, a)
}

func (h *Handler) fillDashboard(ctx context.Context, v *dashboardView, d dashboard.View) error {
	lang, t := v.Lang, h.renderer.tr[v.Lang]
	num := func(n int) string { return locale.Number(lang, n) }
	v.Year, v.Source, v.ReportID = d.Cycle.Year, string(d.Source), d.ReportID
	for _, c := range d.Cycles {
		v.Years = append(v.Years, c.Year)
	}
	if d.Source == dashboard.Embargoed {
		v.Until = formatDate(lang, d.Until)
		return nil
	}
	f := d.Figures.Figures
	l, err := h.Dashboard.Listed(ctx, f.Year)
	if err != nil {
		return err
	}
	fillDashboardHead(v, f, l, t)
	v.Evidence = evidenceSentence(f, lang, t)
	row := func(r report.RecFigures) dashRow { return dashRowOf(r, l, lang, t) }
	for _, r := range f.Recommendations {
		v.Rows = append(v.Rows, row(r))
		v.Heat = append(v.Heat, heatRowOf(r, l, lang))
	}
	// The question people ask first: where do the states lag?
	if g, ok := f.StatesGap(); ok {
		v.StatesGap = t("dashboard_states_gap", map[string]any{"Number": g.Number, "Title": g.Title.In(lang),
			"Share": locale.Percent(lang, g.Percent), "Acting": num(g.Acting), "States": num(g.States)})
	}
	for _, g := range f.Gaps {
		for _, r := range f.Recommendations {
			if r.Number == g.Number {
				v.Gaps = append(v.Gaps, row(r))
			}
		}
	}
	v.StageSVG, v.HeatSVG = document.Charts(f, lang, t)
	var bars []chart.Bar
	for _, p := range d.Trend {
		vals := make([]int, len(p.Figures.ByStage))
		for i, s := range p.Figures.ByStage {
			vals[i] = s.N
		}
		bars = append(bars, chart.Bar{Label: strconv.Itoa(p.Cycle.Year), Values: vals})
		pl, err := h.Dashboard.Listed(ctx, p.Cycle.Year)
		if err != nil {
			return err
		}
		tr := trendRow{Year: p.Cycle.Year, Source: string(p.Source), Reporting: num(p.Figures.ReportingTotal),
			Supporters: num(p.Figures.SupporterTotal), Actions: num(p.Figures.Actions)}
		tr.URL, tr.Listed = countLink(p.Figures.Actions, pl.Total, listURL(p.Cycle.Year, 0), lang)
		for _, s := range p.Figures.ByStage {
			tr.ByStage = append(tr.ByStage, num(s.N))
		}
		v.Trend = append(v.Trend, tr)
	}
	v.TrendSVG = chart.Stacked("chart-trend", t("dashboard_trend_chart"), t("dashboard_trend_desc"), document.StageSeries(t), bars)
	return nil
}

// evidenceSentence says how many of the public actions counted cite
// evidence: the intro claims no more than this, which holds on any data
// whatever the cycles' evidence rule was.
func evidenceSentence(f report.Figures, lang string, t locale.Translate) string {
	if f.Actions == 0 {
		return ""
	}
	return t("dashboard_evidence", map[string]any{"Cited": locale.Number(lang, f.Links.Cited), "Actions": locale.Number(lang, f.Actions)})
}

// dashboardKeys names what a dashboard shows, for the caches in front: its
// cycle, the cycles of its trend, and every recommendation.
func dashboardKeys(d dashboard.View) purge.Set {
	years := []int{d.Cycle.Year}
	for _, t := range d.Trend {
		years = append(years, t.Cycle.Year)
	}
	var recs []int
	for _, r := range d.Figures.Figures.Recommendations {
		recs = append(recs, r.Number)
	}
	return purge.Shown(years, recs, nil, purge.Dashboard)
}
