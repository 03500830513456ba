package ui

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"

	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/web"
)

// keys reads a catalogue as key -> text; a message with plural forms
// reads as its forms joined by " | " ("one | other"), and must have both.
func keys(t *testing.T, lang string) map[string]string {
	t.Helper()
	b, err := fs.ReadFile(web.I18n(), lang+".yaml")
	if err != nil {
		t.Fatal(err)
	}
	raw := map[string]any{}
	if err := yaml.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for k, v := range raw {
		switch v := v.(type) {
		case string:
			m[k] = v
		case map[string]any:
			one, _ := v["one"].(string)
			other, _ := v["other"].(string)
			if one == "" || other == "" || len(v) != 2 {
				t.Errorf("%s:%s has plural forms %v: it needs exactly one and other (both languages' CLDR forms)", lang, k, v)
			}
			m[k] = one + " | " + other
		default:
			t.Errorf("%s:%s is neither a text nor plural forms", lang, k)
		}
	}
	return m
}

// Every string exists in both languages, and every key the templates use
// exists in the catalogue.
func TestCataloguesComplete(t *testing.T) {
	en, fr := keys(t, "en"), keys(t, "fr")
	var missing []string
	for k := range en {
		if fr[k] == "" {
			missing = append(missing, "fr:"+k)
		}
	}
	for k := range fr {
		if en[k] == "" {
			missing = append(missing, "en:"+k)
		}
	}
	for _, k := range stakeholder.Kinds {
		for _, key := range []string{"kind_" + string(k), "org_kind_" + string(k)} {
			if en[key] == "" {
				missing = append(missing, "en:"+key)
			}
		}
	}
	for _, kind := range []errs.Kind{errs.Invalid, errs.NotFound, errs.Conflict, errs.Unauthorized, errs.Forbidden, errs.TooMany, errs.Unavailable, errs.Internal} {
		h, x := errorKeys(kind)
		for _, key := range []string{h, x} {
			if en[key] == "" {
				missing = append(missing, "error page:"+key)
			}
		}
	}
	err := fs.WalkDir(web.Templates(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(web.Templates(), p)
		for _, part := range strings.Split(string(b), `{{t "`)[1:] {
			key := part[:strings.Index(part, `"`)]
			if en[key] == "" {
				missing = append(missing, p+":"+key)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("missing strings: %v", missing)
	}
}

func TestPickLanguage(t *testing.T) {
	// Accept-Language with regional variants and weights.
	for header, want := range map[string]string{
		"": "en", "fr-CA": "fr", "de-DE,fr;q=0.8,en;q=0.5": "fr", "en-GB,fr;q=0.9": "en", "es": "en", "*": "en",
	} {
		r := newRequest(header)
		if got, _ := pickLanguage(language.NewMatcher(locale.Languages()), r); got != want {
			t.Errorf("%q: %s, want %s", header, got, want)
		}
	}
}

func newRequest(acceptLanguage string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	if acceptLanguage != "" {
		r.Header.Set("Accept-Language", acceptLanguage)
	}
	return r
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/workspace": "/workspace", "/actions/3?lang=fr": "/actions/3?lang=fr", "": "/",
		"//evil.example/": "/", "/\\evil.example": "/", "/\t/evil.example/": "/", "/\n/evil.example": "/",
		"https://evil.example": "/", "javascript:alert(1)": "/", "/%2F/evil.example": "/",
		"evil.example": "/", "/x\x7f": "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

// Every message key the editor's error summary can name is in both
// catalogues.
func TestEditorErrorKeys(t *testing.T) {
	en, fr := keys(t, "en"), keys(t, "fr")
	fields := map[string]string{}
	for _, f := range []string{"title", "description", "recommendations", "stage", "measure_type", "scope", "starts_on",
		"ends_on", "end_date", "visibility", "evidence", "evidence.0.kind", "evidence.0.url", "evidence.0.title"} {
		fields[f] = "x"
	}
	items := summary(fields)
	if len(items) != len(fields) {
		t.Errorf("%d summary items for %d fields", len(items), len(fields))
	}
	for _, it := range items {
		if en[it.MsgKey] == "" || fr[it.MsgKey] == "" || en[it.LabelKey] == "" {
			t.Errorf("missing %q or %q", it.MsgKey, it.LabelKey)
		}
	}
}

// The challenges' pages build keys from codes: each exists in both
// languages, for every code the domain knows.
func TestChallengeKeys(t *testing.T) {
	en, fr := keys(t, "en"), keys(t, "fr")
	var want []string
	for _, s := range challenge.States {
		want = append(want, "challenge_state_"+string(s), "challenge_state_hint_"+string(s))
	}
	for _, g := range challenge.AllGrounds {
		want = append(want, "challenge_grounds_"+string(g), "challenge_grounds_hint_"+string(g))
	}
	for _, o := range challenge.Outcomes {
		want = append(want, "challenge_outcome_"+string(o), "challenge_outcome_hint_"+string(o))
	}
	// Only civil society and academia are designated reviewers.
	for _, k := range []stakeholder.Kind{stakeholder.CivilSociety, stakeholder.Academia} {
		want = append(want, "challenge_reviewer_unnamed_"+string(k))
	}
	for _, role := range []string{"secretariat", "reviewer", "supporter"} {
		want = append(want, "challenges_intro_"+role, "challenges_empty_"+role)
	}
	for _, k := range want {
		if en[k] == "" || fr[k] == "" {
			t.Errorf("%s: en %q, fr %q", k, en[k], fr[k])
		}
	}
	// French puts a non-breaking space before : ; ? ! and inside « »,
	// so that a line never starts with the sign.
	for k, v := range fr {
		if !strings.Contains(k, "challenge") {
			continue
		}
		for _, bad := range []string{" :", " ;", " ?", " !", "« ", " »"} {
			if strings.Contains(v, bad) {
				t.Errorf("fr %s: %q has a breaking space in %q", k, v, bad)
			}
		}
	}
}
