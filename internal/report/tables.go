package report

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/pctracker/pctracker/internal/export"
)

// actionHeader and actionRows are the table of accepted public actions,
// one row per action, shared by the CSV and the XLSX.
func actionHeader(w words) []string {
	return []string{w.T("report_col_id"), w.T("report_col_cycle"), w.T("report_organisation"), w.T("report_kind"),
		w.T("report_col_country"), w.T("report_col_recommendations"), w.T("report_action"), w.T("report_stage"),
		w.T("report_measure"), w.T("report_col_scope"), w.T("report_col_carried"), w.T("report_col_accepted"),
		w.T("report_evidence")}
}

func actionRows(f Figures, w words) [][]string {
	rows := make([][]string, 0, len(f.Listed))
	for _, l := range f.Listed {
		carried := w.T("report_no")
		if l.CarriedForward {
			carried = w.T("report_yes")
		}
		ev := make([]string, len(l.Evidence))
		for i, e := range l.Evidence {
			ev[i] = e.URL
		}
		rows = append(rows, []string{strconv.FormatInt(l.ID, 10), strconv.Itoa(f.Year), l.Organisation, w.Kind(l.Kind),
			l.Country, w.Recs(l.Recommendations), l.Title, w.Stage(l.Stage), w.Measure(l.MeasureType), w.Scope(l.Scope),
			carried, w.Date(l.AcceptedAt), strings.Join(ev, " ")})
	}
	return rows
}

// csvDoc writes one row per accepted public action; export.CSV escapes
// cells that a spreadsheet would run as formulas.
func csvDoc(f Figures, w words) ([]byte, error) {
	var b bytes.Buffer
	err := export.CSV(&b, actionHeader(w), actionRows(f, w))
	return b.Bytes(), err
}
