package action

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// maxUnzipped bounds what a workbook may unpack to: a file within
// maxImportBytes can still be a zip bomb.
const maxUnzipped = 64 << 20

func notXLSX() Problem {
	return Problem{Line: 1, Code: ProblemNotXLSX,
		Message: "the file is not an XLSX workbook that can be read; save it again as .xlsx, or as CSV UTF-8"}
}

// xlsxRows reads the rows of a workbook's first sheet, as their cells hold
// them (not as a display format would show them), row by row; later
// sheets, such as the template's list of codes, are not read. close
// releases the workbook.
func xlsxRows(data []byte) (next rows, close func(), problem *Problem) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true,
		UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxUnzipped})
	if err != nil {
		p := notXLSX()
		return nil, nil, &p
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		p := notXLSX()
		return nil, nil, &p
	}
	it, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		p := notXLSX()
		return nil, nil, &p
	}
	line, done := 0, false
	next = func() ([]string, int, *Problem, bool) {
		if done || !it.Next() {
			if err := it.Error(); err != nil && !done {
				done = true
				p := notXLSX()
				p.Line = line + 1
				return nil, 0, &p, true
			}
			return nil, 0, nil, false
		}
		line++
		rec, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			done = true
			p := notXLSX()
			p.Line = line
			return nil, 0, &p, true
		}
		return rec, line, nil, true
	}
	return next, func() { it.Close(); f.Close() }, nil
}

// workbookDay writes a date cell of a workbook as YYYY-MM-DD: a date cell
// holds the number of days since the spreadsheet epoch (what a person
// sees depends on the cell's format), or an ISO date and time. Anything
// else is left as written, for the date rules to judge.
func workbookDay(v string) string {
	if len(v) > 10 && v[4] == '-' && v[10] == 'T' {
		return v[:10]
	}
	if strings.ContainsAny(v, "-/") {
		return v
	}
	serial, err := strconv.ParseFloat(v, 64)
	if err != nil || serial < 1 || serial > 2958465 { // 9999-12-31
		return v
	}
	t, err := excelize.ExcelDateToTime(serial, false)
	if err != nil {
		return v
	}
	return t.Format(time.DateOnly)
}
