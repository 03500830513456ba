// Package export writes tables for people to open in spreadsheet programs.
package export

import (
	"encoding/csv"
	"io"
	"strings"
)

// Cell makes a value safe to open in a spreadsheet: one that starts with
// =, +, -, @ (or a tab or carriage return, which some programs skip) would
// be run as a formula, so it is prefixed with an apostrophe.
func Cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// CSV writes a header and rows as RFC 4180 CSV, UTF-8 with a byte-order mark
// so that spreadsheet programs read the accents right; every cell passes
// through Cell.
func CSV(w io.Writer, header []string, rows [][]string) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range rows {
		safe := make([]string, len(r))
		for i, c := range r {
			safe[i] = Cell(c)
		}
		if err := cw.Write(safe); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
