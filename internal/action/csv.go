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

// MaxImportRows and maxImportBytes bound one import, whatever its format.
const (
	MaxImportRows  = 1000
	maxImportBytes = 8 << 20
)

// Format is how an import file is written.
type Format string

const (
	AnyFormat Format = ""     // decided from the file's first bytes
	CSV       Format = "csv"  // text, cells separated by ',' or ';'
	XLSX      Format = "xlsx" // an Office Open XML workbook: its first sheet
)

// XLSXType is the media type of an XLSX workbook.
const XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Reading says how a file was read, so that a person can tell whether it
// was read as they meant it.
type Reading struct {
	Format    Format
	Delimiter rune // of a CSV file: ',' or ';'
}

// Semicolon reports a CSV file read with ';' between its cells, as
// spreadsheets save CSV where ',' is the decimal mark (French among them).
func (r Reading) Semicolon() bool { return r.Format == CSV && r.Delimiter == ';' }

// Problem is one thing wrong in an import file, where a person can find it.
type Problem struct {
	Line    int    // 1 is the header row; a row of a workbook
	Column  string // the header name, or "" for the whole line
	Message string // in English, for the API
	// Code says what is wrong in a stable word, so that a page can say it
	// in its own language: one of ProblemCodes.
	Code  string
	Value string // the cell the message quotes, if any
	Limit int    // the bound the message names, if any
}

// The codes of the problems an import finds. A value refused by the
// action's own rules is "invalid_" and its column.
const (
	ProblemUnreadable     = "unreadable"
	ProblemTooBig         = "too_big"
	ProblemEmpty          = "empty"
	ProblemQuotes         = "quotes"
	ProblemNotUTF8        = "not_utf8"
	ProblemNotXLSX        = "not_xlsx"
	ProblemMissingColumn  = "missing_column"
	ProblemTooManyRows    = "too_many_rows"
	ProblemNoRows         = "no_rows"
	ProblemRecommendation = "recommendation"
	ProblemDate           = "date"
	ProblemTooDeep        = "invalid_description_depth"
)

// ProblemCodes lists every code a Problem may carry.
func ProblemCodes() []string {
	codes := []string{ProblemUnreadable, ProblemTooBig, ProblemEmpty, ProblemQuotes, ProblemNotUTF8, ProblemNotXLSX,
		ProblemMissingColumn, ProblemTooManyRows, ProblemNoRows, ProblemRecommendation, ProblemDate, ProblemTooDeep}
	for _, h := range CSVHeader {
		codes = append(codes, "invalid_"+h)
	}
	return codes
}

// ImportError lists every problem of a refused file; nothing was imported.
type ImportError struct {
	Problems []Problem
	Read     Reading
}

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

// rows yields the records of an import file one by one, with the line (or
// row) each starts on; ok is false at the end. A problem ends the file:
// after it the rest cannot be trusted.
type rows func() (rec []string, line int, problem *Problem, ok bool)

// parse reads an import file of the given format (AnyFormat: an XLSX
// workbook if it is one, else CSV) into inputs. It returns how it read the
// file and every problem it finds.
func parse(r io.Reader, format Format, known []int) (Reading, []Input, []Problem) {
	data, err := io.ReadAll(io.LimitReader(r, maxImportBytes+1))
	if err != nil {
		return Reading{Format: format}, nil, []Problem{{Line: 1, Code: ProblemUnreadable, Message: "the file could not be read"}}
	}
	if len(data) > maxImportBytes {
		return Reading{Format: format}, nil, []Problem{{Line: 1, Code: ProblemTooBig, Limit: maxImportBytes >> 20,
			Message: fmt.Sprintf("the file is larger than %d MB; import it in parts", maxImportBytes>>20)}}
	}
	// A workbook is a zip archive, which no CSV file starts like: the
	// content decides, whatever the file was called or sent as.
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		format = XLSX
	} else if format == XLSX {
		return Reading{Format: XLSX}, nil, []Problem{notXLSX()}
	}
	if format == XLSX {
		next, closeFile, p := xlsxRows(data)
		if p != nil {
			return Reading{Format: XLSX}, nil, []Problem{*p}
		}
		defer closeFile()
		inputs, problems := parseRows(next, known, true)
		return Reading{Format: XLSX}, inputs, problems
	}
	// Bytes that are not UTF-8 are found cell by cell, so that each problem
	// names its line and column; they are never replaced.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	read := Reading{Format: CSV, Delimiter: delimiterOf(data)}
	inputs, problems := parseRows(csvRows(data, read.Delimiter), known, false)
	return read, inputs, problems
}

// delimiterOf decides what separates the cells of a CSV file from its
// header row: ';' if the header holds more of them than of ',' outside
// quotes, else ','. The header is the one line whose content is known (the
// column names, free of both), so it is the line that can tell.
func delimiterOf(data []byte) rune {
	commas, semicolons, quoted := 0, 0, false
	for _, b := range data {
		switch {
		case b == '"':
			quoted = !quoted // a doubled quote toggles twice
		case quoted:
		case b == '\n' || b == '\r':
			if semicolons > commas {
				return ';'
			}
			return ','
		case b == ',':
			commas++
		case b == ';':
			semicolons++
		}
	}
	if semicolons > commas {
		return ';'
	}
	return ','
}

// csvRows reads the records of a CSV file whose cells comma separates.
func csvRows(data []byte, comma rune) rows {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = comma
	cr.FieldsPerRecord = -1 // checked by the rows, with a clearer message
	done := false
	return func() ([]string, int, *Problem, bool) {
		if done {
			return nil, 0, nil, false
		}
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil, 0, nil, false
		}
		if err != nil {
			done = true
			line := 1
			var pe *csv.ParseError
			if errors.As(err, &pe) && pe.StartLine > 0 {
				line = pe.StartLine
			}
			return nil, 0, &Problem{Line: line, Code: ProblemQuotes, Message: csvMessage(err)}, true
		}
		line, _ := cr.FieldPos(0) // the line the record starts on
		return rec, line, nil, true
	}
}

// parseRows reads the header row and the actions after it: the header
// first, recommendations as numbers separated by ";" (or ","), dates
// YYYY-MM-DD (or, in a workbook, date cells), empty optional cells
// allowed. It returns every problem it finds.
func parseRows(next rows, known []int, workbook bool) ([]Input, []Problem) {
	cols, problems := readHeader(next)
	if len(problems) > 0 {
		return nil, problems
	}
	var inputs []Input
	for {
		rec, line, p, ok := next()
		if !ok {
			break
		}
		if p != nil {
			problems = append(problems, *p)
			break
		}
		if blankRecord(rec) {
			continue
		}
		if len(inputs) >= MaxImportRows {
			problems = append(problems, Problem{Line: line, Code: ProblemTooManyRows, Limit: MaxImportRows,
				Message: fmt.Sprintf("an import holds at most %d actions", MaxImportRows)})
			break
		}
		in, recProblems := recordInput(rec, cols, line, known, workbook)
		inputs = append(inputs, in)
		problems = append(problems, recProblems...)
	}
	if len(inputs) == 0 && len(problems) == 0 {
		problems = append(problems, Problem{Line: 2, Code: ProblemNoRows, Message: "the file has a header row but no action"})
	}
	sortProblems(problems)
	return inputs, problems
}

// readHeader reads an import file's header row, which must name every
// column of CSVHeader. It returns where each column stands, or the
// problems that stop the import.
func readHeader(next rows) (map[string]int, []Problem) {
	header, _, p, ok := next()
	if !ok {
		return nil, []Problem{{Line: 1, Code: ProblemEmpty, Message: "the file is empty; start from the template"}}
	}
	if p != nil {
		p.Message = "the header row cannot be read: " + p.Message
		return nil, []Problem{*p}
	}
	for _, h := range header {
		if !utf8.ValidString(h) {
			return nil, []Problem{{Line: 1, Code: ProblemNotUTF8, Message: "the header row " + notUTF8}}
		}
	}
	cols := map[string]int{}
	for i, h := range header {
		cols[strings.ToLower(strings.TrimSpace(h))] = i
	}
	var problems []Problem
	for _, h := range CSVHeader {
		if _, ok := cols[h]; !ok {
			problems = append(problems, Problem{Line: 1, Column: h, Code: ProblemMissingColumn, Message: "this column is missing from the header row"})
		}
	}
	return cols, problems
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
func recordInput(rec []string, cols map[string]int, line int, known []int, workbook bool) (Input, []Problem) {
	// A cell that is not UTF-8 is said so, and then read as empty, so
	// that it is not reported a second time as a bad value.
	var problems []Problem
	for _, h := range CSVHeader {
		if i := cols[h]; i < len(rec) && !utf8.ValidString(rec[i]) {
			problems = append(problems, Problem{Line: line, Column: h, Code: ProblemNotUTF8, Message: notUTF8})
			rec[i] = ""
		}
	}
	cell := func(name string) string {
		if i := cols[name]; i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	in, cellProblems := rowInput(cell, line, workbook)
	problems = append(problems, cellProblems...)
	// What the action's own rules refuse is said once per column: a column
	// already found wrong keeps its first problem.
	read := len(problems)
	checked := in
	checked.Normalize()
	if err := checked.Validate(known); err != nil {
		for field, msg := range errs.FieldsOf(err) {
			col := columnOf(field)
			if hasProblem(problems[:read], col) || hasProblem(problems[read:], col) {
				continue
			}
			code := "invalid_" + col
			if msg == TooDeep {
				code = ProblemTooDeep
			}
			problems = append(problems, Problem{Line: line, Column: col, Code: code, Value: truncate(cell(col)), Message: msg})
		}
	}
	return in, problems
}

// truncate keeps the start of a cell quoted in a message.
func truncate(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}

// rowInput reads the cells of one line into an input.
func rowInput(cell func(string) string, line int, workbook bool) (Input, []Problem) {
	var problems []Problem
	in := Input{Title: cell("title"), Description: cell("description"), Stage: Stage(cell("stage")),
		MeasureType: MeasureType(cell("measure")), Scope: Scope(cell("scope")), Visibility: Visibility(cell("visibility"))}
	// ';' is the documented separator; ',' is taken too, as people type
	// lists that way.
	for _, part := range strings.FieldsFunc(cell("recommendations"), func(r rune) bool { return r == ';' || r == ',' }) {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		n, err := strconv.Atoi(part)
		if err != nil {
			problems = append(problems, Problem{Line: line, Column: "recommendations", Code: ProblemRecommendation, Value: truncate(part),
				Message: fmt.Sprintf("%q is not a recommendation number; write numbers separated by ;", part)})
			continue
		}
		in.Recommendations = append(in.Recommendations, n)
	}
	day := func(col string) *time.Time {
		v := cell(col)
		if v == "" {
			return nil
		}
		if workbook {
			v = workbookDay(v)
		}
		t, err := date.Parse(v)
		if err != nil {
			problems = append(problems, Problem{Line: line, Column: col, Code: ProblemDate, Value: truncate(v), Message: err.Error()})
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
// from a CSV file or XLSX workbook, told apart by their content.
func (s *Service) Import(ctx context.Context, by user.Actor, year int, r io.Reader) ([]Action, error) {
	res, err := s.ImportFile(ctx, by, year, AnyFormat, r)
	return res.Actions, err
}

// Imported is what an import created, and how it read the file.
type Imported struct {
	Actions []Action
	Read    Reading
}

// ImportFile creates drafts of the caller's organisation in the cycle of
// year from a file of the given format: every line, or, if any line has a
// problem, none. The whole file is one transaction.
func (s *Service) ImportFile(ctx context.Context, by user.Actor, year int, format Format, r io.Reader) (Imported, error) {
	if err := MayReport(by); err != nil {
		return Imported{}, err
	}
	c, err := s.store.Cycle(ctx, year)
	if errs.Is(err, errs.NotFound) {
		return Imported{}, errs.Field(errs.Invalid, "cycle", fmt.Sprintf("there is no reporting cycle for %d", year))
	}
	if err != nil {
		return Imported{}, err
	}
	if err := s.notClosed(ctx, by, c, by.StakeholderID); err != nil {
		return Imported{}, err
	}
	known, err := s.store.RecommendationNumbers(ctx)
	if err != nil {
		return Imported{}, err
	}
	read, inputs, problems := parse(r, format, known)
	if len(problems) > 0 {
		return Imported{Read: read}, &ImportError{Problems: problems, Read: read}
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
	if err != nil {
		return Imported{Read: read}, err
	}
	return Imported{Actions: created, Read: read}, nil
}
