package document

import (
	"bufio"
	"io"
	"strconv"
	"strings"

	"github.com/pctracker/pctracker/internal/export"
	"github.com/pctracker/pctracker/internal/report"
)

// actionHeader and actionRow are the table of accepted public actions,
// one row per action, shared by the CSV and the XLSX. The CSV is that
// table alone, and stays so: programs read it as one row per action with
// one header, which a section of challenges (another table, with other
// columns) or a note would break. The challenges are in every other
// format, and in full in the open data (/api/v1/open-data/challenges.csv).
//
// In a report with a crosswalk, a last column lists the provisions each
// action counts for (see provisionsCell): the table stays one row per
// action.
func actionHeader(w words, crosswalk bool) []string {
	h := []string{w.T("report_col_id"), w.T("report_col_cycle"), w.T("report_organisation"), w.T("report_kind"),
		w.T("report_col_country"), w.T("report_col_recommendations"), w.T("report_action"), w.T("report_stage"),
		w.T("report_assurance"), w.T("report_measure"), w.T("report_col_scope"), w.T("report_col_carried"), w.T("report_col_accepted"),
		w.T("report_evidence"), w.T("report_col_archived")}
	if crosswalk {
		h = append(h, w.T("report_col_frameworks"))
	}
	return h
}

// actionRow is one row of the table.
func actionRow(year int, l report.Listed, w words, crosswalk bool) []string {
	carried := w.T("report_no")
	if l.CarriedForward {
		carried = w.T("report_yes")
	}
	ev, archived := make([]string, len(l.Evidence)), make([]string, len(l.Evidence))
	for i, e := range l.Evidence {
		ev[i], archived[i] = e.URL, e.SHA256
		if e.SHA256 == "" {
			archived[i] = "-" // one value per link, in the order of the links
		}
	}
	row := []string{strconv.FormatInt(l.ID, 10), strconv.Itoa(year), l.Organisation, w.KindOf(l.Kind),
		l.Country, w.Recs(l.Recommendations), l.Title, w.Stage(l.Stage), w.Assurance(l.Assurance), w.Measure(l.MeasureType), w.Scope(l.Scope),
		carried, w.ISO(l.AcceptedAt), strings.Join(ev, " "), strings.Join(archived, " ")}
	if crosswalk {
		row = append(row, provisionsCell(l.Provisions, w))
	}
	return row
}

// csvSink writes one row per accepted public action, as they come;
// export.Table escapes cells that a spreadsheet would run as formulas.
type csvSink struct {
	bw        *bufio.Writer
	t         *export.Table
	year      int
	w         words
	crosswalk bool
}

func newCSVSink(out io.Writer, f report.Figures, w words) (*csvSink, error) {
	bw := bufio.NewWriter(out)
	crosswalk := f.Crosswalk != nil
	t, err := export.NewTable(bw, actionHeader(w, crosswalk))
	return &csvSink{bw: bw, t: t, year: f.Year, w: w, crosswalk: crosswalk}, err
}

func (s *csvSink) row(l report.Listed) error { return s.t.Row(actionRow(s.year, l, s.w, s.crosswalk)) }

func (s *csvSink) finish() error {
	if err := s.t.Flush(); err != nil {
		return err
	}
	return s.bw.Flush()
}
