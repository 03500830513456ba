package ui_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// importUpload posts a file to the import page as a browser does.
func importUpload(t *testing.T, c *http.Client, ts, name string, content []byte) apptest.Response {
	t.Helper()
	token := apptest.CSRFOf(t, apptest.Get(t, c, ts+"/actions/import?cycle=2026").Body)
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf_token", token)
	w.WriteField("cycle", "2026")
	f, _ := w.CreateFormFile("file", name)
	f.Write(content)
	w.Close()
	req, _ := http.NewRequest("POST", ts+"/actions/import", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return apptest.Send(t, c, req)
}

// A person whose spreadsheet speaks French imports a semicolon file and is
// told, in French, how it was read and what is wrong, row by row; the
// templates they download (CSV and workbook) import as they stand.
func TestImportPageFrench(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	c := sc.SignIn(t, "kadri@own.example", "Kadri", user.Member)
	apptest.Get(t, c, sc.TS+"/actions/import?cycle=2026&lang=fr") // the choice is remembered

	semi := strings.ReplaceAll(strings.TrimSuffix(apptest.CSVHeader, "\n"), ",", ";") + "\r\n"
	bad := "\ufeff" + semi + "Contrôle des exportations;;\"2;4\";adopted;export_controls;national;public;2026-01-15;;;;\r\n" +
		"Sanctions;;2;terminé;sanctions;national;public;15/01/2026;;;;\r\n"
	r := importUpload(t, c, sc.TS, "actions.csv", []byte(bad))
	for _, want := range []string{"Lu comme un fichier séparé par des points-virgules.", "<td>3</td><td><code>stage</code></td><td>Écrivez l&#39;un des codes d&#39;étape",
		"<td>3</td><td><code>starts_on</code></td><td>«\u00a015/01/2026\u00a0» n&#39;est pas une date"} {
		if r.Status != 422 || !strings.Contains(r.Body, want) {
			t.Errorf("refused semicolon file: %d, no %q in %s", r.Status, want, r.Body)
		}
	}
	// None of the service's English words reach the French page.
	for _, english := range []string{"is not one of", "is not a date", "nothing was imported"} {
		if strings.Contains(r.Body, english) {
			t.Errorf("English on the French page: %q", english)
		}
	}
	if mine := sc.Member.Do("GET", "/api/v1/my/actions?cycle=2026", ""); !strings.Contains(mine.Body, `"total":0`) {
		t.Fatalf("a refused file wrote: %s", mine.Body)
	}

	r = importUpload(t, c, sc.TS, "actions.csv", []byte(strings.Split(bad, "Sanctions")[0]))
	if r.Status != 303 {
		t.Fatalf("good semicolon file: %d %s", r.Status, r.Body)
	}
	if w := apptest.Get(t, c, sc.TS+r.Header.Get("Location")); !strings.Contains(w.Body, "Le fichier a été lu comme un fichier séparé par des points-virgules.") {
		t.Errorf("the workspace does not say how the file was read")
	}

	// The French CSV template is separated by semicolons, and imports.
	csvTemplate := apptest.Get(t, c, sc.TS+"/actions/import/template.csv")
	if !strings.HasPrefix(csvTemplate.Body, "\ufefftitle;description;recommendations;") {
		t.Errorf("French CSV template: %q", csvTemplate.Body)
	}
	if r := importUpload(t, c, sc.TS, "modele.csv", []byte(csvTemplate.Body)); r.Status != 303 {
		t.Errorf("French CSV template imported: %d %s", r.Status, r.Body)
	}
	// So does the workbook, whatever the file is called.
	book := apptest.Get(t, c, sc.TS+"/actions/import/template.xlsx")
	r = importUpload(t, c, sc.TS, "modele.bin", []byte(book.Body))
	if r.Status != 303 {
		t.Fatalf("workbook template: %d %s", r.Status, r.Body)
	}
	if w := apptest.Get(t, c, sc.TS+r.Header.Get("Location")); !strings.Contains(w.Body, "depuis la première feuille du classeur\u00a0: 1.") ||
		!strings.Contains(w.Body, "licences pour l&#39;exportation de logiciels d&#39;intrusion") {
		t.Errorf("workspace after the workbook: %s", w.Body)
	}

	// What is not a workbook, or not UTF-8, is said so, as a page.
	for name, file := range map[string]struct {
		content []byte
		want    string
	}{
		"broken.xlsx": {append([]byte("PK\x03\x04"), bytes.Repeat([]byte{1}, 100)...), "n&#39;est pas un classeur Excel lisible"},
		"latin1.csv":  {[]byte(semi + "Caf\xe9;;1;planned;advocacy;national;public;;;;\r\n"), "n&#39;est pas en UTF-8"},
		"empty.csv":   {nil, "Le fichier est vide"},
	} {
		if r := importUpload(t, c, sc.TS, name, file.content); r.Status != 422 || !strings.Contains(r.Body, file.want) {
			t.Errorf("%s: %d, no %q", name, r.Status, file.want)
		}
	}

	// In English, the same words in English.
	en := sc.SignIn(t, "ines@own.example", "Ines", user.Member)
	if r := importUpload(t, en, sc.TS, "actions.csv", []byte(bad)); r.Status != 422 || !strings.Contains(r.Body, "Read as a semicolon-separated file.") ||
		!strings.Contains(r.Body, "Write one of the stage codes") {
		t.Errorf("English page: %d", r.Status)
	}
}

// The workbook template holds the columns and an example row on its first
// sheet, and every code with its meaning in the person's language on a
// second; the list of codes is also a CSV file of its own.
func TestImportTemplates(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	wantCodes := 12 + len(action.Stages) + len(action.MeasureTypes) + len(action.Scopes) + 2 + len(action.EvidenceKinds)
	for _, c := range []struct {
		lang, sheet, label, recommendation string
		comma                              string
	}{
		{"en", "Actions", "Planned", "Safeguard ICT exports", ","},
		{"fr", "Actions", "Prévue", "Protéger les exportations", ";"},
	} {
		r := apptest.Get(t, nil, sc.TS+"/actions/import/template.xlsx?lang="+c.lang)
		if r.Status != 200 || r.Header.Get("Content-Type") != action.XLSXType {
			t.Fatalf("%s workbook: %d %s", c.lang, r.Status, r.Header.Get("Content-Type"))
		}
		x, err := excelize.OpenReader(strings.NewReader(r.Body))
		if err != nil {
			t.Fatalf("%s workbook does not open: %v", c.lang, err)
		}
		sheets := x.GetSheetList()
		if len(sheets) != 2 || sheets[0] != c.sheet || sheets[1] != "Codes" {
			t.Errorf("%s sheets: %q", c.lang, sheets)
		}
		rows, _ := x.GetRows(sheets[0])
		if len(rows) != 2 || !slices.Equal(rows[0], action.CSVHeader) || len(rows[1]) < 8 || rows[1][7] != "2026-01-15" {
			t.Errorf("%s first sheet: %q", c.lang, rows)
		}
		codes, _ := x.GetRows(sheets[1])
		x.Close()
		if len(codes) != 1+wantCodes || !strings.Contains(codes[2][2], c.recommendation) || !slices.Contains(codes[13], c.label) {
			t.Errorf("%s codes: %d rows, %q", c.lang, len(codes), codes[:min(len(codes), 14)])
		}
		list := apptest.Get(t, nil, sc.TS+"/actions/import/codes.csv?lang="+c.lang)
		if lines := strings.Split(strings.TrimSpace(list.Body), "\r\n"); len(lines) != 1+wantCodes || !strings.Contains(list.Body, "stage"+c.comma+"planned"+c.comma+c.label) {
			t.Errorf("%s list of codes: %d lines %q", c.lang, len(lines), list.Body)
		}
		csvT := apptest.Get(t, nil, sc.TS+"/actions/import/template.csv?lang="+c.lang)
		if lines := strings.Split(strings.TrimSpace(csvT.Body), "\r\n"); len(lines) != 2 || !strings.HasPrefix(lines[0], "\ufefftitle"+c.comma+"description") {
			t.Errorf("%s CSV template: %q", c.lang, csvT.Body)
		}
	}
}
