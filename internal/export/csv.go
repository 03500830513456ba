// Package export writes tables for people to open in spreadsheet programs.
package export

import (
	"encoding/csv"
	"io"
	"strings"
	"unicode"
)

// Cell makes a value safe to open in a spreadsheet: one that starts with
// =, +, -, @ (or a tab or carriage return, which some programs skip) would
// be run as a formula, so it is prefixed with an apostrophe. So is one
// whose first character after leading spaces is one of those: programs
// that trim spaces on import would see the formula.
func Cell(s string) string {
	if s == "" {
		return s
	}
	first := strings.TrimLeftFunc(s, unicode.IsSpace)
	if strings.ContainsRune("=+-@\t\r", rune(s[0])) || (first != "" && strings.ContainsRune("=+-@", rune(first[0]))) {
		return "'" + s
	}
	return s
}

// Table writes RFC 4180 CSV a row at a time, UTF-8 with a byte-order mark so
// that spreadsheet programs read the accents right; every cell passes
// through Cell. Rows go out as they come: a table of any size takes no
// more memory than a row.
type Table struct{ cw *csv.Writer }

// NewTable writes the byte-order mark and the header.
func NewTable(w io.Writer, header []string) (*Table, error) {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return nil, err
	}
	t := &Table{cw: csv.NewWriter(w)}
	t.cw.UseCRLF = true
	return t, t.Row(header)
}

// Row writes one row.
func (t *Table) Row(cells []string) error {
	safe := make([]string, len(cells))
	for i, c := range cells {
		safe[i] = Cell(c)
	}
	return t.cw.Write(safe)
}

// Flush sends what is buffered on to the writer.
func (t *Table) Flush() error {
	t.cw.Flush()
	return t.cw.Error()
}

// CSV writes a header and rows as one table.
func CSV(w io.Writer, header []string, rows [][]string) error {
	t, err := NewTable(w, header)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := t.Row(r); err != nil {
			return err
		}
	}
	return t.Flush()
}
