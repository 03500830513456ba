package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseMix(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    []weighted
		wantErr string
	}{
		{in: "dashboard", want: []weighted{{"dashboard", 1}}},
		{in: "dashboard=3,signin=1", want: []weighted{{"dashboard", 3}, {"signin", 1}}},
		{in: " actions = 2.5 , actions-json ", want: []weighted{{"actions", 2.5}, {"actions-json", 1}}},
		{in: "submit=0.1,recommendation,dashboard-json=10", want: []weighted{{"submit", 0.1}, {"recommendation", 1}, {"dashboard-json", 10}}},
		{in: "", wantErr: "empty entry"},
		{in: "dashboard,", wantErr: "empty entry"},
		{in: "home", wantErr: `unknown scenario "home"`},
		{in: "dashboard,dashboard=2", wantErr: "listed twice"},
		{in: "dashboard=0", wantErr: "positive number"},
		{in: "dashboard=-1", wantErr: "positive number"},
		{in: "dashboard=x", wantErr: "positive number"},
		{in: "dashboard=NaN", wantErr: "positive number"},
		{in: "dashboard=Inf", wantErr: "positive number"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseMix(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestPickerFollowsWeights(t *testing.T) {
	for _, tc := range []struct {
		name string
		mix  []weighted
		want []float64 // shares
	}{
		{"one scenario", []weighted{{"dashboard", 5}}, []float64{1}},
		{"three to one", []weighted{{"dashboard", 3}, {"signin", 1}}, []float64{0.75, 0.25}},
		{"small weight", []weighted{{"a", 0.1}, {"b", 0.9}, {"c", 1}}, []float64{0.05, 0.45, 0.5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPicker(tc.mix)
			rng := rand.New(rand.NewPCG(1, 2))
			const n = 20000
			counts := make([]int, len(tc.mix))
			for range n {
				counts[p.pick(rng)]++
			}
			for i, share := range tc.want {
				if got := float64(counts[i]) / n; got < share-0.02 || got > share+0.02 {
					t.Errorf("%s picked %.3f of the time, want about %.3f", tc.mix[i].name, got, share)
				}
			}
		})
	}
}

func TestReadTokens(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, content string
		want          []string
		wantErr       string
	}{
		{"one per line", "pct_a\npct_b\n", []string{"pct_a", "pct_b"}, ""},
		{"blanks, comments, spaces and CRLF", "# focal points\n\n  pct_a  \r\npct_b", []string{"pct_a", "pct_b"}, ""},
		{"empty", "\n# nothing\n", nil, "holds no token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_"))
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := readTokens(path)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	if _, err := readTokens(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing file gave no error")
	}
}

func TestJudge(t *testing.T) {
	answer := func(code int) *http.Response { return &http.Response{StatusCode: code} }
	for _, tc := range []struct {
		name       string
		resp       *http.Response
		body       string
		err        error
		expected   []int
		wantStatus int
		wantFail   string
	}{
		{"expected", answer(200), "", nil, []int{200}, 200, ""},
		{"one of several expected", answer(429), "", nil, []int{401, 429}, 429, ""},
		{"server error", answer(500), `<html>oops</html>`, nil, []int{200}, 500, "HTTP 500"},
		{"API error with fields", answer(422), `{"error":{"code":"invalid","message":"the action is not valid","fields":{"title":"is required","stage":"is required"}},"request_id":"abc"}`,
			nil, []int{201}, 422, "HTTP 422: the action is not valid; stage: is required; title: is required"},
		{"field error that is the message", answer(409), `{"error":{"message":"reporting for 2026 closed","fields":{"cycle":"reporting for 2026 closed"}}}`,
			nil, []int{201}, 409, "HTTP 409: reporting for 2026 closed"},
		{"timeout", nil, "", context.DeadlineExceeded, []int{200}, 0, "timeout"},
		{"refused", nil, "", errors.New("dial tcp 127.0.0.1:1: connect: connection refused"), []int{200}, 0, "dial tcp 127.0.0.1:1: connect: connection refused"},
		{"body cut short", answer(200), "", io.ErrUnexpectedEOF, []int{200}, 200, "reading the answer: unexpected EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, fail := judge(tc.resp, []byte(tc.body), tc.err, tc.expected...)
			if status != tc.wantStatus || fail != tc.wantFail {
				t.Errorf("got %d %q, want %d %q", status, fail, tc.wantStatus, tc.wantFail)
			}
		})
	}
}

// TestSignInCarriesTheForm plays a server that, like a browser-facing
// form, hands out a cookie and a token and wants both back.
func TestSignInCarriesTheForm(t *testing.T) {
	var forms, posts, good atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			n := forms.Add(1)
			http.SetCookie(w, &http.Cookie{Name: "form", Value: fmt.Sprint(n)})
			fmt.Fprintf(w, `<form><input type="hidden" name="csrf_token" value="tok&amp;%d"></form>`, n)
		case http.MethodPost:
			posts.Add(1)
			ck, err := r.Cookie("form")
			if err != nil || r.PostFormValue("csrf_token") != "tok&"+ck.Value || r.PostFormValue("email") != "a@example.org" ||
				r.Header.Get("Origin") == "" {
				w.WriteHeader(http.StatusForbidden)
				return
			}
			good.Add(1)
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	defer srv.Close()

	sc := newSignIn(newTarget(srv.URL, 2*time.Second, 8), "a@example.org", "wrong")
	if err := sc.prepare(t.Context()); err != nil {
		t.Fatal(err)
	}
	for n := range uint64(100) {
		if res := sc.do(t.Context(), n); res.status != http.StatusUnauthorized || res.fail != "" {
			t.Fatalf("run %d: %d %q, want an expected 401", n, res.status, res.fail)
		}
	}
	if forms.Load() != signInClients || good.Load() != 100 {
		t.Errorf("%d form fetches and %d good posts; want %d and 100", forms.Load(), good.Load(), signInClients)
	}
}

func TestSubmitCreatesThenSubmits(t *testing.T) {
	var created, submitted atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/me", func(w http.ResponseWriter, r *http.Request) {
		role := "focal_point"
		if r.Header.Get("Authorization") == "Bearer member" {
			role = "member"
		}
		fmt.Fprintf(w, `{"user":{"email":"x@example.org","role":"supporter","org_role":%q}}`, role)
	})
	mux.HandleFunc("GET /api/v1/cycles", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"items":[{"year":2027,"status":"open"},{"year":2026,"status":"closed"}]}`)
	})
	mux.HandleFunc("POST /api/v1/actions", func(w http.ResponseWriter, r *http.Request) {
		var in map[string]any
		if json.NewDecoder(r.Body).Decode(&in) != nil || in["cycle"] != 2027.0 || in["title"] == "" || r.Header.Get("Authorization") == "" {
			w.WriteHeader(http.StatusUnprocessableEntity)
			fmt.Fprint(w, `{"error":{"message":"bad create"}}`)
			return
		}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"id":%d,"version":1}`, created.Add(1))
	})
	mux.HandleFunc("POST /api/v1/actions/{id}/submit", func(w http.ResponseWriter, r *http.Request) {
		var in map[string]int
		if json.NewDecoder(r.Body).Decode(&in) != nil || in["version"] != 1 {
			w.WriteHeader(http.StatusConflict)
			return
		}
		if r.PathValue("id") == "3" {
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"error":{"message":"internal error"}}`)
			return
		}
		submitted.Add(1)
		fmt.Fprint(w, `{"id":1}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tg := newTarget(srv.URL, 2*time.Second, 4)

	if err := newSubmit(tg, []string{"focal", "member"}, 0).prepare(t.Context()); err == nil || !strings.Contains(err.Error(), "token 2 of 2") {
		t.Errorf("a member's token was let through: %v", err)
	}
	sc := newSubmit(tg, []string{"a", "b"}, 0)
	if err := sc.prepare(t.Context()); err != nil {
		t.Fatal(err)
	}
	for n := range uint64(4) {
		res := sc.do(t.Context(), n)
		want := result{status: 200, steps: []stepResult{{status: 201}, {status: 200}}}
		if n == 2 { // the third action made is the one the server fails to submit
			want = result{status: 500, fail: "submit: HTTP 500: internal error",
				steps: []stepResult{{status: 201}, {status: 500, fail: "submit: HTTP 500: internal error"}}}
		}
		for i := range res.steps {
			res.steps[i].took = 0
		}
		if !reflect.DeepEqual(res, want) {
			t.Errorf("run %d: got %+v, want %+v", n, res, want)
		}
	}
	if created.Load() != 4 || submitted.Load() != 3 {
		t.Errorf("created %d, submitted %d; want 4 and 3", created.Load(), submitted.Load())
	}
}
