package ui_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// A refused semicolon file, chosen and sent in a browser in French: the
// page says how the file was read and each problem in French, and stays
// accessible.
func TestImportRefusedInBrowser(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	if _, err := sc.S.Users.Create(context.Background(), testutil.System, user.Input{Email: "kadri@own.example", Name: "Kadri",
		Role: user.Supporter, StakeholderID: sc.Org.ID, OrgRole: user.Member, Password: apptest.Password}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "actions.csv")
	semi := strings.ReplaceAll(strings.TrimSuffix(apptest.CSVHeader, "\n"), ",", ";")
	if err := os.WriteFile(file, []byte(semi+"\r\nSanctions;;2;terminé;sanctions;national;public;15/01/2026;;;;\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := testutil.Browser(t)
	testutil.Must(t, chromedp.Do(ctx,
		chromedp.Navigate(sc.TS+"/signin?lang=fr&next=/actions/import%3Fcycle%3D2026"),
		chromedp.SendKeys(chromedp.CSS("#email"), "kadri@own.example"),
		chromedp.SendKeys(chromedp.CSS("#password"), apptest.Password),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("#file")),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}),
		chromedp.Submit(chromedp.CSS("#file")),
		chromedp.WaitVisible(chromedp.CSS("#import-read")),
	))
	read, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#import-read")))
	testutil.Must(t, err)
	problems, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".alert-error table")))
	testutil.Must(t, err)
	if read != "Lu comme un fichier séparé par des points-virgules." || !strings.Contains(problems, "Écrivez l'un des codes d'étape") ||
		!strings.Contains(problems, "n'est pas une date") {
		t.Errorf("refused page: %q, %q", read, problems)
	}
	testutil.CheckAccessibility(t, ctx, "import refused (fr)")
	testutil.Screenshot(t, ctx, "09-import-refused-fr")
}
