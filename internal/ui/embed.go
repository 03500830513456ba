package ui

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/chart"
	"github.com/pctracker/pctracker/internal/dashboard"
	"github.com/pctracker/pctracker/internal/document"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/request"
	"github.com/pctracker/pctracker/internal/user"
)

// embedRoutes are the small pages other sites may frame, and the share
// cards. Neither sets a cookie: the language comes from the address or
// the browser, never remembered, so lang (which remembers a choice) is
// not used; and the server reads no session there.
func (h *Handler) embedRoutes(e *echo.Echo, lang echo.MiddlewareFunc) {
	embedLang := h.embedLanguage
	e.GET("/embed/dashboard", h.embedDashboard, embedLang)
	e.GET("/embed/recommendations/:number", h.embedRecommendation, embedLang)
	e.GET("/embed/organisations/:id", h.embedOrganisation, embedLang)
	e.GET("/cards/dashboard.png", h.dashboardCard, embedLang)
	e.GET("/cards/recommendations/:file", h.recommendationCard, embedLang)
	e.GET("/cards/organisations/:file", h.organisationCard, embedLang)
}

// embedLanguage is languageMiddleware without the cookie, neither read
// nor set: an embed or a card answers in the language its address asks
// for, else the browser's, the same for everyone who asks alike.
func (h *Handler) embedLanguage(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := *c.Request()
		r.Header = http.Header{"Accept-Language": c.Request().Header.Values("Accept-Language")}
		lang, _ := pickLanguage(h.matcher, &r)
		c.Set(langKey, lang)
		c.Set(baseURLKey, h.BaseURL)
		return next(c)
	}
}

// sharedFigure is a page's figure as an embed frames it and a share card
// draws it: the same numbers for both, from the same public data.
type sharedFigure struct {
	Heading string
	Full    string        // the full page's absolute address
	Chart   template.HTML // the page's chart, for the embed
	Caption string        // what the chart counts
	Note    string        // said instead of the figure when there is none
	Head    []string      // the table's column headings, the row heading's first
	stageRows
}

// stageRows is a figure of stages: one bar of the chart per row of the
// table, one value per stage.
type stageRows struct {
	Bars []chart.Bar
	Rows []embedRow
}

type embedRow struct {
	Head  string
	Cells []string
}

// embedView is a framed figure: its heading, its chart, the same numbers
// in a table, and the link back to the full page.
type embedView struct {
	Page
	sharedFigure
}

func (h *Handler) embedDashboard(c echo.Context) error {
	return h.embed(c, h.dashboardFigure)
}

func (h *Handler) embedRecommendation(c echo.Context) error {
	return h.embed(c, func(c echo.Context, p Page) (sharedFigure, error) {
		n, err := request.Number(c, "number", "recommendation")
		if err != nil {
			return sharedFigure{}, err
		}
		return h.recommendationFigure(c.Request().Context(), p, n)
	})
}

func (h *Handler) embedOrganisation(c echo.Context) error {
	return h.embed(c, func(c echo.Context, p Page) (sharedFigure, error) {
		id, err := request.ID(c, "id", "organisation")
		if err != nil {
			return sharedFigure{}, err
		}
		return h.organisationFigure(c.Request().Context(), p, id)
	})
}

// embed answers an embed: revalidated by the public data's version, its
// figure built by figure, rendered in the embeds' layout.
func (h *Handler) embed(c echo.Context, figure func(echo.Context, Page) (sharedFigure, error)) error {
	if done, err := h.notModified(c); done {
		return err
	}
	v := embedView{Page: newPage(c, "embed")}
	f, err := figure(c, v.Page)
	if err != nil {
		return err
	}
	v.sharedFigure = f
	return h.renderEmbed(c, v)
}

// dashboardFigure is the dashboard's figure of a cycle (?cycle=, else the
// latest): organisations acting on each recommendation, by stage.
func (h *Handler) dashboardFigure(c echo.Context, p Page) (sharedFigure, error) {
	year, err := cycleParam(c)
	if err != nil {
		return sharedFigure{}, err
	}
	t := h.renderer.tr[p.Lang]
	f := sharedFigure{Heading: t("dashboard_title"), Full: p.Absolute("/", url.Values{"cycle": nonZero(year)}), Caption: t("report_stage_chart")}
	d, err := h.Dashboard.View(c.Request().Context(), year)
	switch {
	case errs.Is(err, errs.NotFound) && year == 0:
		f.Note = t("dashboard_no_cycle")
	case err != nil:
		return f, err
	case d.Source == dashboard.Embargoed:
		f.Heading += " · " + strconv.Itoa(d.Cycle.Year)
		f.Note = t("dashboard_embargoed", map[string]any{"Year": d.Cycle.Year, "Date": formatDate(p.Lang, d.Until)})
	default:
		figs := d.Figures.Figures
		f.Heading += " · " + strconv.Itoa(figs.Year)
		f.Chart, _ = document.Charts(figs, p.Lang, t)
		f.Head = append(append([]string{t("report_recommendation")}, stageNames(t)...), t("report_total"))
		f.stageRows = dashboardStages(figs, p.Lang, t)
	}
	return f, nil
}

// dashboardStages are the dashboard's figure: organisations acting on each
// recommendation, by the furthest stage of their actions.
func dashboardStages(f report.Figures, lang string, t locale.Translate) stageRows {
	var out stageRows
	for _, r := range f.Recommendations {
		vals := make([]int, len(r.ByStage))
		cells := make([]string, 0, len(r.ByStage)+1)
		for i, s := range r.ByStage {
			vals[i] = s.N
			cells = append(cells, locale.Number(lang, s.N))
		}
		out.Bars = append(out.Bars, chart.Bar{Label: t("report_rec_short", map[string]any{"Number": r.Number}), Values: vals})
		out.Rows = append(out.Rows, embedRow{Head: strconv.Itoa(r.Number) + ". " + r.Title.In(lang),
			Cells: append(cells, locale.Number(lang, r.Organisations))})
	}
	return out
}

// recommendationFigure is a recommendation's figure: organisations acting
// on it by stage, cycle by cycle. An unknown one is not found.
func (h *Handler) recommendationFigure(ctx context.Context, p Page, n int) (sharedFigure, error) {
	r, err := h.Recommendations.Get(ctx, n)
	if err != nil {
		return sharedFigure{}, err
	}
	t := h.renderer.tr[p.Lang]
	f := sharedFigure{Heading: t("home_recommendation_number", map[string]any{"Number": n}) + " · " + r.Title.In(p.Lang),
		Full: p.Absolute("/recommendations/"+strconv.Itoa(n), nil), Caption: t("embed_rec_caption")}
	if f.stageRows, err = h.recommendationStages(ctx, n, p.Lang); err != nil {
		return f, err
	}
	if len(f.Rows) == 0 {
		f.Note = t("rec_page_no_figures")
		return f, nil
	}
	f.Chart = chart.Stacked("chart-rec", f.Caption, t("embed_rec_desc"), document.StageSeries(t), f.Bars)
	f.Head = append(append([]string{t("cycle")}, stageNames(t)...), t("report_orgs_acting"), t("report_coverage"))
	return f, nil
}

// recommendationStages are a recommendation's figures cycle by cycle, the
// earliest first, as its page's table gives them (not embargoed cycles).
func (h *Handler) recommendationStages(ctx context.Context, n int, lang string) (stageRows, error) {
	var out stageRows
	d, err := h.Dashboard.View(ctx, 0)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return out, err
	}
	for _, p := range d.Trend {
		for _, rf := range p.Figures.Recommendations {
			if rf.Number != n {
				continue
			}
			vals := make([]int, len(rf.ByStage))
			cells := make([]string, 0, len(rf.ByStage)+2)
			for i, s := range rf.ByStage {
				vals[i] = s.N
				cells = append(cells, locale.Number(lang, s.N))
			}
			year := strconv.Itoa(p.Cycle.Year)
			out.Bars = append(out.Bars, chart.Bar{Label: year, Values: vals})
			out.Rows = append(out.Rows, embedRow{Head: year, Cells: append(cells, locale.Number(lang, rf.Organisations),
				locale.Percent(lang, rf.Coverage.Percent)+" ("+locale.Number(lang, rf.Coverage.Reporting)+"/"+locale.Number(lang, rf.Coverage.Addressees)+")")})
		}
	}
	return out, nil
}

// organisationFigure is an organisation's figure: its public actions by
// stage, cycle by cycle. One the public may not see is not found.
func (h *Handler) organisationFigure(ctx context.Context, p Page, id int64) (sharedFigure, error) {
	t := h.renderer.tr[p.Lang]
	name, rows, err := h.organisationStages(ctx, id, p.Lang)
	if err != nil {
		return sharedFigure{}, err
	}
	f := sharedFigure{Heading: name, Full: p.Absolute("/organisations/"+strconv.FormatInt(id, 10), nil),
		Caption: t("embed_org_caption"), stageRows: rows}
	if len(f.Rows) == 0 {
		f.Note = t("profile_none")
		return f, nil
	}
	f.Chart = chart.Stacked("chart-org", f.Caption, t("embed_org_desc"), document.StageSeries(t), f.Bars)
	f.Head = append(append([]string{t("cycle")}, stageNames(t)...), t("report_total"))
	return f, nil
}

// organisationStages are an organisation's public actions counted by cycle
// (earliest first) and stage, for a reader who may see it: another's
// hidden organisation is not found, as on its page.
func (h *Handler) organisationStages(ctx context.Context, id int64, lang string) (string, stageRows, error) {
	var out stageRows
	o, err := h.Stakeholders.Visible(ctx, user.Actor{}, id)
	if err != nil {
		return "", out, err
	}
	counts := map[int][]int{}
	var years []int
	for offset := 0; ; offset += action.PublicPageSize {
		list, total, err := h.Actions.Public(ctx, action.Filter{StakeholderID: id, Limit: action.PublicPageSize, Offset: offset})
		if err != nil {
			return "", out, err
		}
		for _, a := range list {
			if counts[a.CycleYear] == nil {
				counts[a.CycleYear] = make([]int, len(action.Stages))
				years = append(years, a.CycleYear)
			}
			for i, s := range action.Stages {
				if a.Stage == s {
					counts[a.CycleYear][i]++
				}
			}
		}
		if len(list) == 0 || offset+len(list) >= total {
			break
		}
	}
	slices.Sort(years)
	for _, y := range years {
		cells := make([]string, 0, len(action.Stages)+1)
		n := 0
		for _, k := range counts[y] {
			cells, n = append(cells, locale.Number(lang, k)), n+k
		}
		out.Bars = append(out.Bars, chart.Bar{Label: strconv.Itoa(y), Values: counts[y]})
		out.Rows = append(out.Rows, embedRow{Head: strconv.Itoa(y), Cells: append(cells, locale.Number(lang, n))})
	}
	return o.Name, out, nil
}

// renderEmbed writes an embed in its own layout: no site navigation, no
// form, links opening outside the frame.
func (h *Handler) renderEmbed(c echo.Context, v embedView) error {
	tpl, err := h.renderer.template(v.Lang, "embed")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := tpl.ExecuteTemplate(&buf, "embed_base", v); err != nil {
		return fmt.Errorf("render embed: %w", err)
	}
	return send(c, http.StatusOK, v.Lang, buf.Bytes())
}

// cycleParam reads ?cycle=, 0 for the latest; a year that cannot be is not
// found, as on the dashboard.
func cycleParam(c echo.Context) (int, error) {
	q := c.QueryParam("cycle")
	if q == "" {
		return 0, nil
	}
	y, err := strconv.Atoi(q)
	if err != nil || y < 1 {
		return 0, errs.E(errs.NotFound, "there is no cycle %q: choose one of the list", q)
	}
	return y, nil
}

func nonZero(year int) []string {
	if year == 0 {
		return nil
	}
	return []string{strconv.Itoa(year)}
}

func stageNames(t locale.Translate) []string {
	out := make([]string, len(action.Stages))
	for i, s := range action.Stages {
		out[i] = t("stage_" + string(s))
	}
	return out
}

// Absolute is the address of path (with query, and the page's language)
// on the public site, for links that leave the site: in a frame, in a
// snippet pasted elsewhere, in a share card's meta. The site is the
// canonical address's, itself the configured base URL's.
func (p Page) Absolute(path string, query url.Values) string {
	base := ""
	if u, err := url.Parse(p.Canonical); err == nil && u.Host != "" {
		base = u.Scheme + "://" + u.Host
	}
	q := url.Values{}
	for k, v := range query {
		if len(v) > 0 {
			q[k] = v
		}
	}
	q.Set("lang", p.Lang)
	return base + path + "?" + q.Encode()
}

// EmbedBox is the "Embed this" box of a page: the iframe to paste, framing
// the embed at path.
type EmbedBox struct {
	Snippet string
	Preview string
}

// Embed makes the box for the embed at path, the frame titled title.
func (p Page) Embed(path, title string) EmbedBox {
	src := p.absoluteRef(path)
	// Escape what an attribute value between double quotes may not hold,
	// and nothing else: the code people paste stays readable.
	attrEscaper := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	return EmbedBox{Snippet: fmt.Sprintf(`<iframe src="%s" title="%s" width="100%%" height="560" style="border:0" loading="lazy"></iframe>`,
		attrEscaper.Replace(src), attrEscaper.Replace(title)), Preview: src}
}
