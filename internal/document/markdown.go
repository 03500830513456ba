package document

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/pctracker/pctracker/internal/report"
)

// markdown writes the report as Markdown: the same sections as the HTML,
// with tables in place of charts.
func markdown(f report.Figures, w words) []byte {
	d := &mdDoc{w: w}
	d.head(f)
	d.headline(f)
	d.coverage(f)
	d.heatMap(f)
	d.gaps(f)
	for _, r := range f.Recommendations {
		d.recommendation(r)
	}
	d.challenges(f.Challenges)
	d.methodology(f)
	d.annex(f.Crosswalk)
	return d.b.Bytes()
}

// mdDoc is a Markdown document being written, one section after another.
type mdDoc struct {
	b bytes.Buffer
	w words
}

func (d *mdDoc) p(format string, a ...any) { fmt.Fprintf(&d.b, format, a...) }

// row writes a table row, each cell made fit for a table.
func (d *mdDoc) row(cells ...string) {
	for i := range cells {
		cells[i] = mdCell(cells[i])
	}
	d.p("| %s |\n", strings.Join(cells, " | "))
}

// rule writes the line under a table's header of n columns.
func (d *mdDoc) rule(n int) { d.p("|%s\n", strings.Repeat(" --- |", n)) }

// head writes the title, the subtitle, the cut-off and the compilation time.
func (d *mdDoc) head(f report.Figures) {
	w := d.w
	d.p("# %s\n\n", mdText(w.Title(f.Year)))
	d.p("%s\n\n", mdText(w.T("report_subtitle")))
	d.p("%s %s · %s %s\n\n", w.Label("report_cutoff"), w.Time(f.CutoffAt), w.Label("report_compiled"), w.Time(f.CompiledAt))
}

// headline writes the organisations by kind, the actions by stage, and
// the change since the previous cycle.
func (d *mdDoc) headline(f report.Figures) {
	w := d.w
	d.p("## %s\n\n", w.T("report_headline"))
	d.row(w.T("report_kind"), w.T("report_supporters"), w.T("report_reporting"))
	d.rule(3)
	for i, k := range f.Supporters {
		d.row(w.Kind(k.Kind), w.Number(k.N), w.Number(f.Reporting[i].N))
	}
	d.row("**"+w.T("report_total")+"**", "**"+w.Number(f.SupporterTotal)+"**", "**"+w.Number(f.ReportingTotal)+"**")
	d.p("\n")
	d.row(w.T("report_stage"), w.T("report_actions"))
	d.rule(2)
	for _, s := range f.ByStage {
		d.row(w.Stage(s.Stage), w.Number(s.N))
	}
	d.row("**"+w.T("report_total")+"**", "**"+w.Number(f.Actions)+"**")
	d.p("\n")
	d.row(w.T("report_assurance"), w.T("report_actions"))
	d.rule(2)
	for _, l := range f.ByAssurance {
		d.row(w.Assurance(l.Level), w.Number(l.N))
	}
	d.p("\n- %s %s\n- %s %s\n", w.Label("report_new"), w.Number(f.New), w.Label("report_carried"), w.Number(f.CarriedForward))
	if f.Withheld > 0 {
		d.p("- %s\n", w.T("report_withheld_note", map[string]any{"Withheld": w.Number(f.Withheld)}))
	}
	if f.Prev != nil {
		d.p("- %s\n", mdText(w.T("report_change_since", map[string]any{"Year": f.PreviousYear,
			"Reporting": w.Change(f.ReportingTotal - f.Prev.Reporting), "Actions": w.Change(f.Actions - f.Prev.Actions)})))
	}
	d.p("\n")
}

// coverage writes the table of every recommendation's coverage.
func (d *mdDoc) coverage(f report.Figures) {
	w := d.w
	d.p("## %s\n\n", w.T("report_coverage_title"))
	d.row(w.T("report_recommendation"), w.T("report_addressed_to"), w.T("report_orgs_acting"), w.T("report_coverage"), w.T("report_yoy"))
	d.rule(5)
	for _, r := range f.Recommendations {
		d.row(mdText(fmt.Sprintf("%d. %s", r.Number, r.Title.In(w.Lang))), w.Kinds(r.Addressees), w.Number(r.Organisations),
			fmt.Sprintf("%s (%s/%s)", w.Percent(r.Coverage.Percent), w.Number(r.Coverage.Reporting), w.Number(r.Coverage.Addressees)),
			yoy(r, w))
	}
}

// heatMap writes the recommendation x kind heat map as a table.
func (d *mdDoc) heatMap(f report.Figures) {
	w := d.w
	d.p("\n## %s\n\n%s\n\n", w.T("report_heatmap"), w.T("report_heatmap_desc"))
	head := []string{w.T("report_recommendation")}
	for _, k := range f.Supporters {
		head = append(head, w.Kind(k.Kind))
	}
	d.row(head...)
	d.rule(len(head))
	for _, r := range f.Recommendations {
		cells := []string{fmt.Sprintf("%d", r.Number)}
		for _, c := range r.HeatMap {
			cells = append(cells, fmt.Sprintf("%s (%s)", w.Number(c.Organisations), w.Percent(c.Percent)))
		}
		d.row(cells...)
	}
}

// gaps writes the least-covered recommendations.
func (d *mdDoc) gaps(f report.Figures) {
	w := d.w
	d.p("\n## %s\n\n%s\n\n", w.T("report_gaps"), w.T("report_gaps_desc"))
	for _, g := range f.Gaps {
		d.p("1. %s %s (%s/%s)\n", mdText(fmt.Sprintf("%d. %s", g.Number, g.Title.In(w.Lang)))+w.Colon(), w.Percent(g.Coverage.Percent),
			w.Number(g.Coverage.Reporting), w.Number(g.Coverage.Addressees))
	}
}

// recommendation writes a recommendation's section: its figures by kind
// and by stage, and its listed actions.
func (d *mdDoc) recommendation(r report.RecFigures) {
	w := d.w
	d.p("\n## %d. %s\n\n", r.Number, mdText(r.Title.In(w.Lang)))
	d.p("%s %s · %s %s · %s %s · %s %s\n\n", w.Label("report_addressed_to"), w.Kinds(r.Addressees),
		w.Label("report_orgs_acting"), w.Number(r.Organisations), w.Label("report_coverage"), w.Percent(r.Coverage.Percent),
		w.Label("report_yoy"), yoy(r, w))
	d.row(w.T("report_kind"), w.T("report_orgs_acting"))
	d.rule(2)
	for _, k := range r.ByKind {
		d.row(w.Kind(k.Kind), w.Number(k.N))
	}
	d.p("\n")
	d.row(w.T("report_stage"), w.T("report_orgs_acting"))
	d.rule(2)
	for _, s := range r.ByStage {
		d.row(w.Stage(s.Stage), w.Number(s.N))
	}
	d.p("\n")
	d.row(w.T("report_assurance"), w.T("report_orgs_acting"))
	d.rule(2)
	for _, l := range r.ByAssurance {
		d.row(w.Assurance(l.Level), w.Number(l.N))
	}
	d.p("\n### %s\n\n", w.T("report_listed"))
	if len(r.Listed) == 0 {
		d.p("%s\n", w.T("report_none_listed"))
		return
	}
	d.row(w.T("report_organisation"), w.T("report_action"), w.T("report_stage"), w.T("report_measure"), w.T("report_evidence"))
	d.rule(5)
	for _, l := range r.Listed {
		d.row(mdText(l.Organisation), mdText(l.Title), w.Stage(l.Stage), w.Measure(l.MeasureType), d.evidence(l.Evidence))
	}
	if r.Actions > len(r.Listed) {
		d.p("\n%s\n", more(r, w))
	}
}

// evidence writes an action's evidence as links, each with the checksum
// of its archived copy when there is one.
func (d *mdDoc) evidence(links []report.Evidence) string {
	var ev []string
	for _, e := range links {
		link := fmt.Sprintf("[%s](%s)", mdText(e.Title), mdURL(e.URL))
		if e.SHA256 != "" {
			link += fmt.Sprintf(" (%s `sha256:%s`)", d.w.T("report_archived"), e.SHA256)
		}
		ev = append(ev, link)
	}
	return strings.Join(ev, ", ")
}

// challenges writes the claims and challenges: the published challenges
// by outcome and by recommendation, and those upheld (nil: none read).
func (d *mdDoc) challenges(cf *report.ChallengeFigures) {
	if cf == nil {
		return
	}
	w := d.w
	d.p("\n## %s\n\n%s\n\n", w.T("report_challenges"), w.T("report_challenges_intro"))
	if cf.Published == 0 {
		d.p("%s\n", w.T("report_challenges_none"))
		return
	}
	d.row(w.T("report_col_outcome"), w.T("report_col_challenges"))
	d.rule(2)
	for _, o := range cf.ByOutcome {
		d.row(w.Outcome(o.Outcome), w.Number(o.N))
	}
	d.row("**"+w.T("report_total")+"**", "**"+w.Number(cf.Published)+"**")
	d.p("\n%s\n\n", w.T("report_challenges_by_rec"))
	head := []string{w.T("report_recommendation")}
	for _, o := range cf.ByOutcome {
		head = append(head, w.Outcome(o.Outcome))
	}
	d.row(append(head, w.T("report_total"))...)
	d.rule(len(head) + 1)
	for _, r := range cf.ByRecommendation {
		cells := []string{mdText(fmt.Sprintf("%d. %s", r.Number, r.Title.In(w.Lang)))}
		for _, o := range r.ByOutcome {
			cells = append(cells, w.Number(o.N))
		}
		d.row(append(cells, w.Number(r.Total))...)
	}
	d.p("\n### %s\n\n", w.T("report_challenges_upheld"))
	if len(cf.Upheld) == 0 {
		d.p("%s\n", w.T("report_challenges_none_upheld"))
		return
	}
	d.row(w.T("report_organisation"), w.T("report_action"), w.T("report_col_reviewer"), w.T("report_col_outcome"), w.T("report_col_reason"))
	d.rule(5)
	for _, c := range cf.Upheld {
		outcome := w.Outcome(c.Outcome)
		if changed := w.Changed(c.StageSet, c.AssuranceSet); changed != "" {
			outcome += " (" + changed + ")"
		}
		d.row(mdText(c.Organisation), mdText(c.ActionTitle), mdText(w.Reviewer(c.Reviewer, c.ReviewerKind)), outcome, mdText(c.Reason))
	}
}

// methodology writes how the figures are counted, and what became of the
// evidence links.
func (d *mdDoc) methodology(f report.Figures) {
	w := d.w
	d.p("\n## %s\n\n%s\n\n%s %s.\n", w.T("report_methodology"), w.T("report_methodology_text"),
		w.Label("report_cutoff"), w.Time(f.CutoffAt))
	if f.Links.Links > 0 {
		d.p("\n%s\n", mdText(linksNote(f, w)))
	}
}

func yoy(r report.RecFigures, w words) string {
	if r.Prev == nil {
		return "–"
	}
	return w.Change(r.Organisations-r.Prev.Organisations) + " · " + w.Points(r.Coverage.Percent-r.Prev.Coverage)
}

// mdText escapes the characters that would turn text written by an
// organisation into Markdown markup (links, emphasis, HTML).
func mdText(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_{}[]()<>#+!|~", r) {
			b.WriteRune('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mdCell is text fit for a table cell: on one line, with every pipe
// escaped, whatever wrote it (a label, a number, a link's address): an
// unescaped "|" ends the cell, even inside a link, and shifts the rest of
// the row. Text from elsewhere is escaped with mdText first, whose
// escapes are kept as they are; markup the report itself writes (bold,
// links) is kept.
func mdCell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			b.WriteByte('\\')
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
			continue
		case '|':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// mdURL keeps a link target from closing the link or the table cell
// early: parentheses, spaces, pipes and backslashes (which would escape
// the closing parenthesis) are percent-encoded, which names the same
// address.
func mdURL(u string) string {
	return strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "|", "%7C", "\\", "%5C").Replace(u)
}

// linksNote says what became of the evidence links by the cut-off.
func linksNote(f report.Figures, w words) string {
	return w.T("report_links_note", map[string]any{"Links": w.Number(f.Links.Links), "Checked": w.Number(f.Links.Checked),
		"Broken": w.Number(f.Links.Broken), "Changed": w.Number(f.Links.Changed)})
}

// more says that a recommendation's list is cut, and where the rest is.
func more(r report.RecFigures, w words) string {
	return w.T("report_more_listed", map[string]any{"Shown": w.Number(len(r.Listed)), "Total": w.Number(r.Actions)})
}
