package app

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/pctracker/pctracker/internal/api"
	"github.com/pctracker/pctracker/internal/testutil"
)

var pathParam = regexp.MustCompile(`:(\w+)`)

// The document is valid OpenAPI 3, names every API route the router has,
// and no route it does not have.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("invalid OpenAPI document: %v", err)
	}
	db := testutil.NewDB(t, "sqlite")
	_, routes := startServerWithRoutes(t, db, time.Now)
	seen := map[string]bool{}
	for _, rt := range routes {
		if !strings.HasPrefix(rt.Path, "/api/") {
			continue
		}
		path := pathParam.ReplaceAllString(rt.Path, "{$1}")
		seen[rt.Method+" "+path] = true
		item := doc.Paths.Find(path)
		if item == nil || item.GetOperation(rt.Method) == nil {
			t.Errorf("%s %s is not in openapi.json", rt.Method, path)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if !seen[method+" "+path] {
				t.Errorf("openapi.json documents %s %s, which no route answers", method, path)
			}
		}
	}
	res := get(t, nil, startServer(t, db).URL+"/api/v1/openapi.json")
	if res.status != 200 || !strings.Contains(res.body, `"openapi": "3.0.3"`) {
		t.Errorf("served document: %d", res.status)
	}
}

// Real answers of the API match the schemas the document promises.
func TestResponsesMatchTheDocument(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	db := testutil.NewDB(t, "sqlite")
	sc := newScenario(t, db)
	check := func(method, path, body string, c apiClient) response {
		t.Helper()
		r := c.do(method, path, body)
		req, _ := http.NewRequest(method, "http://localhost"+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: r.status,
			Header: http.Header{"Content-Type": {r.header.Get("Content-Type")}}}
		out.SetBodyBytes([]byte(r.body))
		if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
			t.Errorf("%s %s answered %d, not as documented: %v", method, path, r.status, err)
		}
		return r
	}
	check("GET", "/api/v1/recommendations", "", sc.member)
	check("GET", "/api/v1/recommendations/9", "", sc.member)
	check("GET", "/api/v1/me", "", sc.member)
	created := check("POST", "/api/v1/actions", newActionBody, sc.member)
	a := decode[actionJSON](t, created)
	check("GET", fmt.Sprintf("/api/v1/actions/%d", a.ID), "", sc.member)
	check("PATCH", fmt.Sprintf("/api/v1/actions/%d", a.ID), `{"version": 1, "stage": "implemented"}`, sc.member)
	check("PATCH", fmt.Sprintf("/api/v1/actions/%d", a.ID), `{"version": 1, "stage": "planned"}`, sc.member) // 409
	check("POST", "/api/v1/actions", `{"cycle": 2026, "title": ""}`, sc.member)                              // 422
	check("POST", "/api/v1/cycles/2026/carry-forward", "", sc.member)
	check("POST", fmt.Sprintf("/api/v1/actions/%d/submit", a.ID), "", sc.focal)
	check("GET", fmt.Sprintf("/api/v1/actions/%d/history", a.ID), "", sc.member)
	check("GET", "/api/v1/my/actions?cycle=2026", "", sc.member)
	check("GET", fmt.Sprintf("/api/v1/actions/%d", a.ID), "", sc.other) // 404
	extend := fmt.Sprintf(`{"stakeholder_id": %d, "deadline": "2026-10-15"}`, sc.org.ID)
	check("POST", "/api/v1/cycles/2026/extensions", extend, sc.sec)
	check("POST", "/api/v1/cycles/2026/extensions", `{"stakeholder_id": 1, "deadline": "2026-12-01"}`, sc.sec) // 422
	check("GET", "/api/v1/cycles/2026/extensions", "", sc.sec)
	check("GET", "/api/v1/cycles/2026/extensions", "", sc.focal) // 403
	check("DELETE", fmt.Sprintf("/api/v1/cycles/2026/extensions/%d", sc.org.ID), "", sc.sec)
	check("DELETE", fmt.Sprintf("/api/v1/cycles/2026/extensions/%d", sc.org.ID), "", sc.sec) // 404
	check("POST", "/api/v1/invitations", `{"email": "invited@own.example", "name": "New", "org_role": "member"}`, sc.focal)
	check("POST", "/api/v1/invitations", `{"email": "sec@pc.example", "name": "New", "org_role": "member"}`, sc.focal) // has an account: the same 202
	check("POST", "/api/v1/invitations", `{"email": "new.sec@pc.example", "name": "S", "role": "secretariat"}`, sc.sec)
	check("POST", fmt.Sprintf("/api/v1/stakeholders/%d/invitations", sc.org.ID), `{"email": "member@own.example", "name": "M", "org_role": "member"}`, sc.sec)
}

// Every operation that takes a JSON body documents 400, 413 and 415, and
// answers 415, as documented, to a body sent as anything but JSON (or
// with no type), whoever may call it; no such request succeeds.
func TestOpenAPIJSONBodiesNeedJSON(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(doc.Components.Schemas["Error"].Value.Properties["error"].Value.Properties["code"].Value.Enum, any("unsupported_media_type")) {
		t.Error("the Error schema lacks the code unsupported_media_type")
	}
	db := testutil.NewDB(t, "sqlite")
	sc := newScenario(t, db)
	params := strings.NewReplacer("{id}", "1", "{year}", "2026", "{stakeholder_id}", "1")
	checked := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value.Content.Get("application/json") == nil {
				continue
			}
			for _, code := range []int{400, 413, 415} {
				if op.Responses.Status(code) == nil {
					t.Errorf("%s %s: %d is not documented", method, path, code)
				}
			}
			target := params.Replace(path)
			for _, contentType := range []string{"text/plain", ""} {
				refused := false
				for _, c := range []apiClient{sc.member, sc.focal, sc.sec} {
					header := []string{"Authorization", "Bearer " + c.token}
					if contentType != "" {
						header = append(header, "Content-Type", contentType)
					}
					r := sendRaw(t, http.DefaultClient, method, sc.ts+target, strings.NewReader(`{}`), header...)
					if r.status < 300 {
						t.Errorf("%s %s as %q: %d", method, path, contentType, r.status)
					}
					if r.status != http.StatusUnsupportedMediaType {
						continue
					}
					refused = true
					req, _ := http.NewRequest(method, "http://localhost"+target, nil)
					route, pathParams, err := router.FindRoute(req)
					if err != nil {
						t.Fatalf("%s %s: %v", method, target, err)
					}
					in := &openapi3filter.RequestValidationInput{Request: req, PathParams: pathParams, Route: route,
						Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
					out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: r.status,
						Header: http.Header{"Content-Type": {r.header.Get("Content-Type")}}}
					out.SetBodyBytes([]byte(r.body))
					if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
						t.Errorf("%s %s answered 415, not as documented: %v", method, path, err)
					}
				}
				if !refused {
					t.Errorf("%s %s: a body as %q was not refused with 415 for any caller", method, path, contentType)
				}
				checked++
			}
		}
	}
	if checked < 20 {
		t.Errorf("only %d operations with a JSON body checked", checked)
	}
}
