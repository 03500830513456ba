package action

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/user"
)

// CSVHeader is the header row of an import file, in order.
var CSVHeader = []string{"title", "description", "recommendations", "stage", "measure", "scope", "visibility",
	"starts_on", "ends_on", "evidence_kind", "evidence_url", "evidence_title"}

// MaxImportRows and maxImportBytes bound one import.
const (
	MaxImportRows  = 1000
	maxImportBytes = 8 << 20
)

// Problem is one thing wrong in an import file, where a person can find it.
type Problem struct {
	Line    int    // 1 is the header row
	Column  string // the header name, or "" for the whole line
	Message string
}

// ImportError lists every problem of a refused file; nothing was imported.
type ImportError struct{ Problems []Problem }

func (e *ImportError) Error() string {
	return fmt.Sprintf("the file has %d problem(s); nothing was imported", len(e.Problems))
}

// columnOf maps the service's field names to the file's columns.
func columnOf(field string) string {
	switch {
	case field == "measure_type":
		return "measure"
	case field == "start_date":
		return "starts_on"
	case field == "end_date":
		return "ends_on"
	case strings.HasPrefix(field, "evidence."):
		return "evidence_" + field[strings.LastIndex(field, ".")+1:]
	}
	return field
}

// notUTF8 says what to do about a cell that is not UTF-8: spreadsheets
// save "CSV" in the computer's own encoding unless told otherwise.
const notUTF8 = "is not UTF-8 text; save the file as \"CSV UTF-8\""

// parseCSV reads an import file: UTF-8 with or without BOM, the header row
// first, recommendations as numbers separated by ";", dates YYYY-MM-DD,
// empty optional cells allowed. It returns every problem it finds.
func parseCSV(r io.Reader, known []int) ([]Input, []Problem) {
	cr, cols, problems := readHeader(r)
	if len(problems) > 0 {
		return nil, problems
	}
	var inputs []Input
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			problems = append(problems, Problem{Line: line, Message: csvMessage(err)})
			break // after a quoting error the rest cannot be trusted
		}
		line, _ := cr.FieldPos(0) // the line the record starts on
		if len(inputs) >= MaxImportRows {
			problems = append(problems, Problem{Line: line, Message: fmt.Sprintf("an import holds at most %d actions", MaxImportRows)})
			break
		}
		if blankRecord(rec) {
			continue
		}
		in, recProblems := recordInput(rec, cols, line, known)
		inputs = append(inputs, in)
		problems = append(problems, recProblems...)
	}
	if len(inputs) == 0 && len(problems) == 0 {
		problems = append(problems, Problem{Line: 2, Message: "the file has a header row but no action"})
	}
	sortProblems(problems)
	return inputs, problems
}

// readHeader reads an import file up to its header row, which must name
// every column of CSVHeader. It returns the reader of the rows after it and
// where each column stands, or the problems that stop the import.
func readHeader(r io.Reader) (*csv.Reader, map[string]int, []Problem) {
	data, err := io.ReadAll(io.LimitReader(r, maxImportBytes+1))
	if err != nil {
		return nil, nil, []Problem{{Line: 1, Message: "the file could not be read"}}
	}
	if len(data) > maxImportBytes {
		return nil, nil, []Problem{{Line: 1, Message: fmt.Sprintf("the file is larger than %d MB; import it in parts", maxImportBytes>>20)}}
	}
	// Bytes that are not UTF-8 are found cell by cell, so that each problem
	// names its line and column; they are never replaced.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1 // checked by the rows, with a clearer message
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, []Problem{{Line: 1, Message: "the file is empty; start from the template"}}
	}
	if err != nil {
		return nil, nil, []Problem{{Line: 1, Message: "the header row cannot be read: " + csvMessage(err)}}
	}
	for _, h := range header {
		if !utf8.ValidString(h) {
			return nil, nil, []Problem{{Line: 1, Message: "the header row " + notUTF8}}
		}
	}
	cols := map[string]int{}
	for i, h := range header {
		cols[strings.ToLower(strings.TrimSpace(h))] = i
	}
	var problems []Problem
	for _, h := range CSVHeader {
		if _, ok := cols[h]; !ok {
			problems = append(problems, Problem{Line: 1, Column: h, Message: "this column is missing from the header row"})
		}
	}
	return cr, cols, problems
}

// blankRecord reports a line of empty cells, which an import skips.
func blankRecord(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// recordInput reads the record of one line into an input, as written (the
// service normalizes it), with every problem of its cells and of the
// action they make.
func recordInput(rec []string, cols map[string]int, line int, known []int) (Input, []Problem) {
	// A cell that is not UTF-8 is said so, and then read as empty, so
	// that it is not reported a second time as a bad value.
	var problems []Problem
	for _, h := range CSVHeader {
		if i := cols[h]; i < len(rec) && !utf8.ValidString(rec[i]) {
			problems = append(problems, Problem{Line: line, Column: h, Message: notUTF8})
			rec[i] = ""
		}
	}
	cell := func(name string) string {
		if i := cols[name]; i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	in, cellProblems := rowInput(cell, line)
	problems = append(problems, cellProblems...)
	// What the action's own rules refuse is said once per column: a column
	// already found wrong keeps its first problem.
	read := len(problems)
	checked := in
	checked.Normalize()
	if err := checked.Validate(known); err != nil {
		for field, msg := range errs.FieldsOf(err) {
			col := columnOf(field)
			if !hasProblem(problems[:read], col) {
				problems = append(problems, Problem{Line: line, Column: col, Message: msg})
			}
		}
	}
	return in, problems
}

// rowInput reads the cells of one line into an input.
func rowInput(cell func(string) string, line int) (Input, []Problem) {
	var problems []Problem
	in := Input{Title: cell("title"), Description: cell("description"), Stage: Stage(cell("stage")),
		MeasureType: MeasureType(cell("measure")), Scope: Scope(cell("scope")), Visibility: Visibility(cell("visibility"))}
	for _, part := range strings.Split(cell("recommendations"), ";") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		n, err := strconv.Atoi(part)
		if err != nil {
			problems = append(problems, Problem{Line: line, Column: "recommendations", Message: fmt.Sprintf("%q is not a recommendation number; write numbers separated by ;", part)})
			continue
		}
		in.Recommendations = append(in.Recommendations, n)
	}
	day := func(col string) *time.Time {
		v := cell(col)
		if v == "" {
			return nil
		}
		t, err := date.Parse(v)
		if err != nil {
			problems = append(problems, Problem{Line: line, Column: col, Message: err.Error()})
			return nil
		}
		return &t
	}
	in.StartDate, in.EndDate = day("starts_on"), day("ends_on")
	if k, u, t := cell("evidence_kind"), cell("evidence_url"), cell("evidence_title"); k != "" || u != "" || t != "" {
		in.Evidence = []Evidence{{Kind: EvidenceKind(k), URL: u, Title: t}}
	}
	return in, problems
}

func hasProblem(ps []Problem, column string) bool {
	for _, p := range ps {
		if p.Column == column {
			return true
		}
	}
	return false
}

func sortProblems(ps []Problem) {
	order := map[string]int{"": -1}
	for i, h := range CSVHeader {
		order[h] = i
	}
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && (ps[j].Line < ps[j-1].Line || ps[j].Line == ps[j-1].Line && order[ps[j].Column] < order[ps[j-1].Column]); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("the CSV cannot be read here (%v); check the quotes", pe.Err)
	}
	return err.Error()
}

// Import creates drafts of the caller's organisation in the cycle of year
// from a CSV file: every line, or, if any line has a problem, none. The
// whole file is one transaction.
func (s *Service) Import(ctx context.Context, by user.Actor, year int, r io.Reader) ([]Action, error) {
	if err := MayReport(by); err != nil {
		return nil, err
	}
	c, err := s.store.Cycle(ctx, year)
	if errs.Is(err, errs.NotFound) {
		return nil, errs.Field(errs.Invalid, "cycle", fmt.Sprintf("there is no reporting cycle for %d", year))
	}
	if err != nil {
		return nil, err
	}
	if err := s.notClosed(ctx, by, c, by.StakeholderID); err != nil {
		return nil, err
	}
	known, err := s.store.RecommendationNumbers(ctx)
	if err != nil {
		return nil, err
	}
	inputs, problems := parseCSV(r, known)
	if len(problems) > 0 {
		return nil, &ImportError{Problems: problems}
	}
	var created []Action
	err = s.store.WithTx(ctx, func(ctx context.Context) error {
		created = created[:0]
		for _, in := range inputs {
			a, err := s.create(ctx, by, by.StakeholderID, c, nil, in)
			if err != nil {
				return err
			}
			created = append(created, a)
		}
		return s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), "action.import", "cycle", c.Year,
			map[string]any{"stakeholder_id": by.StakeholderID, "imported": len(created)}, s.now()))
	})
	return created, err
}
