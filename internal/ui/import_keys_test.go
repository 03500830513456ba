package ui

import (
	"testing"

	"github.com/pctracker/pctracker/internal/action"
)

// Every problem an import can find has its message in both languages.
func TestImportProblemKeys(t *testing.T) {
	en, fr := keys(t, "en"), keys(t, "fr")
	for _, code := range action.ProblemCodes() {
		if key := "import_err_" + code; en[key] == "" || fr[key] == "" {
			t.Errorf("no message for the import problem %q (%s)", code, key)
		}
	}
}
