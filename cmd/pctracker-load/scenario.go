package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// scenarioNames lists the scenarios --scenario accepts, in the order usage
// shows them.
var scenarioNames = []string{"dashboard", "dashboard-json", "recommendation", "actions", "actions-json", "signin", "submit"}

// weighted is one entry of --scenario.
type weighted struct {
	name   string
	weight float64
}

// parseMix reads --scenario: NAME[=WEIGHT],... with positive weights
// (default 1), each name once.
func parseMix(s string) ([]weighted, error) {
	var out []weighted
	seen := map[string]bool{}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, fmt.Errorf("--scenario %q: empty entry; write NAME[=WEIGHT],...", s)
		}
		name, w, hasWeight := strings.Cut(part, "=")
		name = strings.TrimSpace(name)
		if !slices.Contains(scenarioNames, name) {
			return nil, fmt.Errorf("--scenario: unknown scenario %q; choose from %s", name, strings.Join(scenarioNames, ", "))
		}
		if seen[name] {
			return nil, fmt.Errorf("--scenario: %s is listed twice", name)
		}
		seen[name] = true
		weight := 1.0
		if hasWeight {
			var err error
			weight, err = strconv.ParseFloat(strings.TrimSpace(w), 64)
			if err != nil || !(weight > 0) || math.IsInf(weight, 1) {
				return nil, fmt.Errorf("--scenario: the weight of %s must be a positive number, not %q", name, w)
			}
		}
		out = append(out, weighted{name, weight})
	}
	return out, nil
}

// picker chooses scenarios at random in proportion to their weights.
type picker struct {
	cumulative []float64
}

func newPicker(mix []weighted) picker {
	p := picker{cumulative: make([]float64, len(mix))}
	total := 0.0
	for i, w := range mix {
		total += w.weight
		p.cumulative[i] = total
	}
	return p
}

// pick returns the index of a scenario; rng must not be shared between
// goroutines.
func (p picker) pick(rng *rand.Rand) int {
	if len(p.cumulative) == 1 {
		return 0
	}
	x := rng.Float64() * p.cumulative[len(p.cumulative)-1]
	return min(sort.SearchFloat64s(p.cumulative, x), len(p.cumulative)-1)
}

// stepResult is the answer to one request of a scenario that makes several.
type stepResult struct {
	status int
	fail   string
	took   time.Duration
}

// result is what one run of a scenario came to: its last status and, when
// it was not the expected outcome, why.
type result struct {
	status int
	fail   string
	steps  []stepResult // in the order of scenario.steps
}

// scenario is one kind of thing a client does. do is called concurrently;
// n counts the scenario's runs from 0, for scenarios that walk through
// pages or tokens.
type scenario struct {
	name    string
	steps   []string // names of the requests it makes, when more than one
	prepare func(ctx context.Context) error
	do      func(ctx context.Context, n uint64) result
	runs    atomic.Uint64
}

// target is the pctracker under load.
type target struct {
	base   string // scheme://host[:port], no trailing slash
	client *http.Client
}

// newTarget gives a keep-alive client sized for conns simultaneous
// requests. Redirects are not followed: a sign-in's 303 is its answer.
func newTarget(base string, timeout time.Duration, conns int) *target {
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: min(timeout, 5*time.Second), KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		ForceAttemptHTTP2:   true,
	}
	return &target{base: strings.TrimRight(base, "/"), client: &http.Client{
		Transport:     tr,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

const (
	userAgent  = "pctracker-load/1 (load driver)"
	acceptHTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	acceptJSON = "application/json"
)

func (t *target) newRequest(ctx context.Context, method, path string, body io.Reader) *http.Request {
	req, err := http.NewRequestWithContext(ctx, method, t.base+path, body)
	if err != nil {
		// The paths are ours and the base was checked at start.
		panic(fmt.Sprintf("building %s %s: %v", method, path, err))
	}
	req.Header.Set("User-Agent", userAgent)
	return req
}

// exchange sends req and reads the whole answer, as a client does before
// it counts a page as loaded, so that latency covers the body and the
// connection goes back to the pool.
func (t *target) exchange(req *http.Request) (*http.Response, []byte, error) {
	resp, err := t.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp, nil, err
	}
	return resp, body, nil
}

// judge turns an exchange into a status and, unless the status is one of
// expected, the reason it counts as an error.
func judge(resp *http.Response, body []byte, err error, expected ...int) (int, string) {
	if resp == nil {
		return 0, transportReason(err)
	}
	if err != nil {
		return resp.StatusCode, "reading the answer: " + transportReason(err)
	}
	if slices.Contains(expected, resp.StatusCode) {
		return resp.StatusCode, ""
	}
	why := "HTTP " + strconv.Itoa(resp.StatusCode)
	if msg := apiMessage(body); msg != "" {
		why += ": " + msg
	}
	return resp.StatusCode, why
}

// transportReason shortens a client error to what went wrong, without the
// URL, so that the same failure on different pages counts as one reason.
func transportReason(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// apiMessage is the message of a JSON error answer, with its field
// errors, cut short; "" when the body is not one.
func apiMessage(body []byte) string {
	var e struct {
		Error struct {
			Message string            `json:"message"`
			Fields  map[string]string `json:"fields"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil || e.Error.Message == "" {
		return ""
	}
	msg := e.Error.Message
	keys := make([]string, 0, len(e.Error.Fields))
	for k := range e.Error.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		// A single field error is often the message itself.
		if v := e.Error.Fields[k]; v != e.Error.Message {
			msg += "; " + k + ": " + v
		}
	}
	if r := []rune(msg); len(r) > 160 {
		msg = string(r[:160]) + "…"
	}
	return msg
}

// get is a scenario of GETs of one page or API resource; path gives the
// page for run n.
func get(t *target, name, accept string, path func(n uint64) string) *scenario {
	return &scenario{name: name, do: func(ctx context.Context, n uint64) result {
		req := t.newRequest(ctx, http.MethodGet, path(n), nil)
		req.Header.Set("Accept", accept)
		if accept == acceptHTML {
			req.Header.Set("Accept-Language", "en")
		}
		resp, body, err := t.exchange(req)
		status, fail := judge(resp, body, err, http.StatusOK)
		return result{status: status, fail: fail}
	}}
}

// settings are what the scenarios need beyond the target.
type settings struct {
	email    string
	password string
	tokens   []string
	cycle    int // 0: the cycle open now, asked of the server
}

// buildScenarios makes the scenarios of the mix, in its order.
func buildScenarios(t *target, mix []weighted, s settings) []*scenario {
	out := make([]*scenario, len(mix))
	for i, w := range mix {
		switch w.name {
		case "dashboard":
			out[i] = get(t, w.name, acceptHTML, func(uint64) string { return "/" })
		case "dashboard-json":
			out[i] = get(t, w.name, acceptJSON, func(uint64) string { return "/api/v1/dashboard" })
		case "recommendation":
			out[i] = get(t, w.name, acceptHTML, func(n uint64) string { return fmt.Sprintf("/recommendations/%d", n%12+1) })
		case "actions":
			out[i] = get(t, w.name, acceptHTML, func(n uint64) string { return fmt.Sprintf("/actions?page=%d", n%20+1) })
		case "actions-json":
			out[i] = get(t, w.name, acceptJSON, func(n uint64) string { return fmt.Sprintf("/api/v1/actions?page=%d", n%20+1) })
		case "signin":
			out[i] = newSignIn(t, s.email, s.password)
		case "submit":
			out[i] = newSubmit(t, s.tokens, s.cycle)
		default:
			panic("no scenario " + w.name) // parseMix lets only known names through
		}
	}
	return out
}

// prepare sets up each scenario that needs it (a sign-in form, a cycle to
// submit to) before any load.
func prepare(ctx context.Context, scenarios []*scenario) error {
	for _, sc := range scenarios {
		if sc.prepare == nil {
			continue
		}
		if err := sc.prepare(ctx); err != nil {
			return fmt.Errorf("setting up %s: %w", sc.name, err)
		}
	}
	return nil
}

// signInClients is how many browsers the sign-in scenario plays, each with
// the cookies and form token of its own visit to the sign-in page.
const signInClients = 32

// csrfField finds the form token in the sign-in page.
var csrfField = regexp.MustCompile(`name="csrf_token"\s+value="([^"]*)"`)

// signInForm is one browser's copy of the sign-in page.
type signInForm struct {
	mu      sync.Mutex
	loaded  bool
	token   string
	cookies []*http.Cookie
}

// load fetches the sign-in page unless this browser already has it.
func (f *signInForm) load(ctx context.Context, t *target) (string, []*http.Cookie, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.loaded {
		return f.token, f.cookies, nil
	}
	req := t.newRequest(ctx, http.MethodGet, "/signin", nil)
	req.Header.Set("Accept", acceptHTML)
	req.Header.Set("Accept-Language", "en")
	resp, body, err := t.exchange(req)
	if _, fail := judge(resp, body, err, http.StatusOK); fail != "" {
		return "", nil, errors.New("fetching the sign-in form: " + fail)
	}
	m := csrfField.FindSubmatch(body)
	if m == nil {
		return "", nil, errors.New("the sign-in page has no csrf_token field")
	}
	f.token, f.cookies, f.loaded = html.UnescapeString(string(m[1])), resp.Cookies(), true
	return f.token, f.cookies, nil
}

func (f *signInForm) forget() {
	f.mu.Lock()
	f.loaded = false
	f.mu.Unlock()
}

// newSignIn posts the sign-in form as a browser does: with the form token
// and cookies of its visit to the page. The session cookie of a successful
// sign-in is not kept, so that every post is a fresh sign-in. 401 (wrong
// password) and 429 (throttled) are expected answers, as is 303 (signed
// in) when the password is right.
func newSignIn(t *target, email, password string) *scenario {
	forms := make([]*signInForm, signInClients)
	for i := range forms {
		forms[i] = &signInForm{}
	}
	return &scenario{
		name: "signin",
		prepare: func(ctx context.Context) error {
			for _, f := range forms {
				if _, _, err := f.load(ctx, t); err != nil {
					return err
				}
			}
			return nil
		},
		do: func(ctx context.Context, n uint64) result {
			f := forms[n%signInClients]
			token, cookies, err := f.load(ctx, t)
			if err != nil {
				return result{fail: err.Error()}
			}
			form := url.Values{"email": {email}, "password": {password}, "csrf_token": {token}, "next": {"/"}}
			req := t.newRequest(ctx, http.MethodPost, "/signin", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Accept", acceptHTML)
			req.Header.Set("Accept-Language", "en")
			req.Header.Set("Origin", t.base)
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			for _, c := range cookies {
				req.AddCookie(c)
			}
			resp, body, err := t.exchange(req)
			status, fail := judge(resp, body, err, http.StatusUnauthorized, http.StatusTooManyRequests, http.StatusSeeOther)
			if status == http.StatusForbidden {
				f.forget() // the form went stale: this browser reloads it next time
			}
			return result{status: status, fail: fail}
		},
	}
}

// readTokens reads API tokens, one per line; blank lines and lines
// starting with # are skipped.
func readTokens(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--tokens: %w", err)
	}
	var out []string
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--tokens: %s holds no token", path)
	}
	return out, nil
}

// newSubmit reports an action through the API as an organisation's tool
// would: it creates a draft (201) and submits it (200). Tokens are used in
// turn, so the load spreads over their organisations. Each run leaves a
// submitted action in the target's database.
func newSubmit(t *target, tokens []string, cycle int) *scenario {
	sc := &scenario{name: "submit", steps: []string{"submit/create", "submit/submit"}}
	sc.prepare = func(ctx context.Context) error {
		for i, tok := range tokens {
			if err := checkReporter(ctx, t, tok); err != nil {
				return fmt.Errorf("--tokens: token %d of %d: %w", i+1, len(tokens), err)
			}
		}
		if cycle == 0 {
			year, err := openCycle(ctx, t, tokens[0])
			if err != nil {
				return err
			}
			cycle = year
		}
		return nil
	}
	sc.do = func(ctx context.Context, n uint64) result {
		token := tokens[n%uint64(len(tokens))]
		body, _ := json.Marshal(map[string]any{
			"cycle":           cycle,
			"title":           fmt.Sprintf("Load test action %d", n),
			"description":     "Written by pctracker-load to measure the submission path.",
			"recommendations": []uint64{n%12 + 1},
			"stage":           "planned",
			"measure":         "awareness_education",
			"scope":           "organisation",
			// Kept from the public pages, should one ever be accepted.
			"visibility": "secretariat",
		})
		start := time.Now()
		resp, raw, err := t.exchange(t.apiRequest(ctx, token, http.MethodPost, "/api/v1/actions", body))
		status, fail := judge(resp, raw, err, http.StatusCreated)
		create := stepResult{status: status, took: time.Since(start)}
		if fail != "" {
			create.fail = "create: " + fail
			return result{status: status, fail: create.fail, steps: []stepResult{create}}
		}
		var made struct {
			ID      int64 `json:"id"`
			Version int   `json:"version"`
		}
		if err := json.Unmarshal(raw, &made); err != nil || made.ID == 0 {
			create.fail = "create: the answer holds no action id"
			return result{status: status, fail: create.fail, steps: []stepResult{create}}
		}

		// The version read is sent back, as a careful client does, so that
		// a change made in between is not submitted unseen.
		body, _ = json.Marshal(map[string]int{"version": made.Version})
		start = time.Now()
		resp, raw, err = t.exchange(t.apiRequest(ctx, token, http.MethodPost, fmt.Sprintf("/api/v1/actions/%d/submit", made.ID), body))
		status, fail = judge(resp, raw, err, http.StatusOK)
		submit := stepResult{status: status, took: time.Since(start)}
		if fail != "" {
			submit.fail = "submit: " + fail
		}
		return result{status: status, fail: submit.fail, steps: []stepResult{create, submit}}
	}
	return sc
}

func (t *target) apiRequest(ctx context.Context, token, method, path string, body []byte) *http.Request {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req := t.newRequest(ctx, method, path, r)
	req.Header.Set("Accept", acceptJSON)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

// checkReporter makes sure a token belongs to an organisation's focal
// point, the one role that may both create and submit, so that a wrong
// token fails the run at start rather than as thousands of errors.
func checkReporter(ctx context.Context, t *target, token string) error {
	resp, body, err := t.exchange(t.apiRequest(ctx, token, http.MethodGet, "/api/v1/me", nil))
	if _, fail := judge(resp, body, err, http.StatusOK); fail != "" {
		return errors.New("GET /api/v1/me: " + fail)
	}
	var me struct {
		User struct {
			Email   string `json:"email"`
			Role    string `json:"role"`
			OrgRole string `json:"org_role"`
		} `json:"user"`
	}
	if err := json.Unmarshal(body, &me); err != nil {
		return fmt.Errorf("GET /api/v1/me: %w", err)
	}
	if me.User.Role != "supporter" || me.User.OrgRole != "focal_point" {
		return fmt.Errorf("%s is not an organisation's focal point (role %q, org_role %q); only focal points submit",
			me.User.Email, me.User.Role, me.User.OrgRole)
	}
	return nil
}

// openCycle asks the server for the year of the cycle open for reporting.
func openCycle(ctx context.Context, t *target, token string) (int, error) {
	resp, body, err := t.exchange(t.apiRequest(ctx, token, http.MethodGet, "/api/v1/cycles", nil))
	if _, fail := judge(resp, body, err, http.StatusOK); fail != "" {
		return 0, errors.New("GET /api/v1/cycles: " + fail)
	}
	var list struct {
		Items []struct {
			Year   int    `json:"year"`
			Status string `json:"status"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return 0, fmt.Errorf("GET /api/v1/cycles: %w", err)
	}
	year := 0
	for _, c := range list.Items {
		if c.Status == "open" && c.Year > year {
			year = c.Year
		}
	}
	if year == 0 {
		return 0, errors.New("no reporting cycle is open on the server, so nothing can be submitted; open one or pass --cycle YEAR")
	}
	return year, nil
}
