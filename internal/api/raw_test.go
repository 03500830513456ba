package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/errs"
)

// A key given twice in one object is found at any depth, as the decoder
// matches keys, and before any string that is not text; so is a body
// nested too deep.
func TestRepeatedKeys(t *testing.T) {
	deep := func(n int) string { return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n) }
	for body, want := range map[string]string{
		`{"a": 1, "b": 2}`:                                        "",
		`{"a": 1, "a": 2}`:                                        "a",
		`{"a": {"b": 1}, "c": {"b": 1}}`:                          "",
		`{"a": {"b": 1, "b": 1}}`:                                 "a.b",
		`{"a": [{"b": 1}, {"b": 1, "c": 2, "B": 3}]}`:             "a.1.B",
		`{"a": [[1, {"b": 1}], [{"c": 1, "c": 2}]]}`:              "a.1.0.c",
		`{"a": [1, 2], "b": {"c": [3]}, "a": 3}`:                  "a",
		`{"scope": 1, "\u017fcope": 2}`:                           "\u017fcope",
		`{"k": 1, "\u212a": 2}`:                                   "\u212a",
		`{"title": 1, "t\u0069tle": 2}`:                           "title",
		`{"a": "b", "b": "a"}`:                                    "",
		`{"a": 1}{"a": 1}`:                                        "",
		`{"a": 1e99999, "a": 2}`:                                  "a",
		`{"a": 1, "a": `:                                          "a",
		`{"a" 1, "a": 2}`:                                         "", // not JSON: the decoder's to describe
		`[{"a": 1, "a": 2}]`:                                      "0.a",
		"{\"a\": \"\xff\", \"b\": {\"a\": 1, \"A\": 2}}":          "b.A", // a repeated key first, wherever it is
		deep(maxDepth):                                            "",
		deep(maxDepth + 1):                                        "deeper",
		strings.Repeat("[", 100000) + strings.Repeat("]", 100000): "deeper",
	} {
		err := checkRaw([]byte(body))
		switch {
		case want == "" && err != nil:
			t.Errorf("%.60s: %v", body, err)
		case want == "deeper" && (err == nil || !strings.Contains(err.Error(), "deeper")):
			t.Errorf("%.60s: %v, want too deep", body, err)
		case want != "" && want != "deeper" && (!errs.Is(err, errs.Malformed) || errs.FieldsOf(err)[want] == ""):
			t.Errorf("%.60s: %v, want %q named", body, err, want)
		}
	}
}

// fold agrees with encoding/json: keys it folds alike fill the same field.
func TestFoldAsTheDecoderMatches(t *testing.T) {
	for _, key := range []string{"scope", "SCOPE", "\u017fcope", "Scope", "sCoPe"} {
		var v struct {
			Scope string `json:"scope"`
		}
		b, _ := json.Marshal(map[string]string{key: "x"})
		if err := json.Unmarshal(b, &v); err != nil || v.Scope != "x" || fold(key) != fold("scope") {
			t.Errorf("%q: filled %q, folded %q", key, v.Scope, fold(key))
		}
	}
	if fold("scope") == fold("scopes") || fold("\u212a") != fold("k") {
		t.Error("fold")
	}
}
