package errs_test

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/pctracker/pctracker/internal/errs"
)

// What each surface reads from an error: its kind through any wrapping,
// the message meant for people (never an internal cause), the fields, the
// details beside the message, and the line for logs.
func TestVocabulary(t *testing.T) {
	cause := errors.New("connection reset by peer")
	stale := errs.WithDetails(errs.E(errs.Conflict, "changed meanwhile"), map[string]any{"current": 7})
	for _, c := range []struct {
		name    string
		err     error
		kind    errs.Kind
		message string
		fields  map[string]string
		details map[string]any
		line    string
	}{
		{"nil", nil, "", "", nil, nil, ""},
		{"unclassified", cause, errs.Internal, "internal error", nil, nil, "connection reset by peer"},
		{"wrapped internal", errs.Wrap(errs.Internal, cause, "save action"), errs.Internal, "internal error", nil, nil, "save action"},
		{"wrapped kind", errs.Wrap(errs.Unavailable, cause, "database down"), errs.Unavailable, "database down", nil, nil, "database down (connection reset by peer)"},
		{"through fmt", fmt.Errorf("import: %w", errs.E(errs.NotFound, "no action 12")), errs.NotFound, "no action 12", nil, nil, "import: no action 12"},
		{"not found without words", &errs.Error{Kind: errs.NotFound}, errs.NotFound, "not found", nil, nil, "not_found"},
		{"one field", errs.Field(errs.Invalid, "title", "Enter a title."), errs.Invalid, "Enter a title.", map[string]string{"title": "Enter a title."}, nil, "Enter a title."},
		{"fields", func() error {
			f := errs.FieldErrors{}
			f.Add("year", "Enter a year.")
			f.Add("year", "second message, not kept")
			f.Addf("title", "At most %d characters.", 300)
			return f.Err()
		}(), errs.Invalid, "", map[string]string{"title": "At most 300 characters.", "year": "Enter a year."}, nil, ""},
		{"details", stale, errs.Conflict, "changed meanwhile", nil, map[string]any{"current": 7}, "changed meanwhile"},
		{"details added", errs.WithDetails(stale, map[string]any{"field": "version"}), errs.Conflict, "changed meanwhile", nil, map[string]any{"current": 7, "field": "version"}, "changed meanwhile"},
		{"details never of an internal error", errs.WithDetails(cause, map[string]any{"secret": 1}), errs.Internal, "internal error", nil, nil, "internal error"},
		{"prefixed", errs.Prefix(errs.Field(errs.Invalid, "url", "Not a link."), "line %d", 4), errs.Invalid, "line 4: Not a link.", map[string]string{"url": "Not a link."}, nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := errs.KindOf(c.err); got != c.kind {
				t.Errorf("kind %q, want %q", got, c.kind)
			}
			if c.err == nil {
				if errs.Is(c.err, errs.Internal) || errs.Prefix(c.err, "x") != nil {
					t.Error("nil is an error")
				}
				return
			}
			if !errs.Is(c.err, c.kind) {
				t.Errorf("Is(%q) is false", c.kind)
			}
			if c.message != "" {
				if got := errs.MessageOf(c.err); got != c.message {
					t.Errorf("message %q, want %q", got, c.message)
				}
			}
			if got := errs.FieldsOf(c.err); !reflect.DeepEqual(got, c.fields) && (len(got) > 0 || len(c.fields) > 0) {
				t.Errorf("fields %v, want %v", got, c.fields)
			}
			if got := errs.DetailsOf(c.err); !reflect.DeepEqual(got, c.details) && (len(got) > 0 || len(c.details) > 0) {
				t.Errorf("details %v, want %v", got, c.details)
			}
			if c.line != "" {
				if got := c.err.Error(); got != c.line {
					t.Errorf("log line %q, want %q", got, c.line)
				}
			}
		})
	}
	// WithDetails gives a copy: the error it was given keeps its details.
	if got := errs.DetailsOf(stale); len(got) != 1 {
		t.Errorf("WithDetails changed the error it was given: %v", got)
	}
}
