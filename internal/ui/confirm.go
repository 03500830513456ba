package ui

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
)

// confirmView asks before a step that cannot be undone (withdraw, delete,
// publish, accept in bulk): it lists exactly what the step acts on and
// what will happen, then posts the same form again with confirm=yes. It
// needs no JavaScript.
type confirmView struct {
	Page
	TitleKey  string
	ButtonKey string
	Items     []confirmItem // what the step acts on
	Effects   []string      // catalogue keys, each a consequence; given Count, the number of items
	Action    string        // where the form posts
	Hidden    []hiddenField // the original form's fields, posted again
	Cancel    string        // where "Cancel" goes
	Danger    bool
	// Data fills the effects' texts beside Count: the names and dates
	// that say exactly what the step does to this object.
	Data map[string]any
}

// EffectArgs is what each effect's text is filled with.
func (v confirmView) EffectArgs() map[string]any {
	args := map[string]any{"Count": len(v.Items)}
	for k, x := range v.Data {
		args[k] = x
	}
	return args
}

type confirmItem struct {
	Label string
	Meta  string
	URL   string
}

type hiddenField struct {
	Name, Value string
}

// confirmed reports whether the form was posted from its confirmation. A
// GET never is, whatever its query says: a link must not act.
func confirmed(c echo.Context) bool {
	return c.Request().Method == http.MethodPost && c.Request().PostFormValue("confirm") == "yes"
}

// actionItemOf lists an action on a confirmation page.
func actionItemOf(a action.Action) confirmItem {
	return confirmItem{Label: a.Title, Meta: fmt.Sprintf("#%d · %s · %d", a.ID, a.Organisation, a.CycleYear),
		URL: fmt.Sprintf("/actions/%d", a.ID)}
}
