package api_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/routers"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/pctracker/pctracker/internal/api"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/stakeholder"
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
	_, routes := apptest.StartServerWithRoutes(t, db, time.Now)
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
	res := apptest.Get(t, nil, apptest.StartServer(t, db).URL+"/api/v1/openapi.json")
	if res.Status != 200 || !strings.Contains(res.Body, `"openapi": "3.0.3"`) {
		t.Errorf("served document: %d", res.Status)
	}
}

// openAPIRouter is the served OpenAPI document and a router that finds the
// operation of a request in it.
func openAPIRouter(t *testing.T) (*openapi3.T, routers.Router) {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return doc, router
}

// strictOpenAPIRouter is openAPIRouter over a copy of the document in
// which every object that lists its properties lists all of them: an
// answer with a field the document does not name fails. The served
// document stays open, so that clients keep working when a field is
// added; the tests hold the document complete.
func strictOpenAPIRouter(t *testing.T) routers.Router {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	closed := map[*openapi3.Schema]bool{}
	var close func(s *openapi3.SchemaRef)
	close = func(s *openapi3.SchemaRef) {
		if s == nil || s.Value == nil || closed[s.Value] {
			return
		}
		v := s.Value
		closed[v] = true
		// A schema made of allOf parts cannot close each part to the
		// others' fields; its parts are closed on their own.
		if len(v.Properties) > 0 && len(v.AllOf)+len(v.OneOf)+len(v.AnyOf) == 0 && v.AdditionalProperties.Schema == nil {
			no := false
			v.AdditionalProperties.Has = &no
		}
		for _, p := range v.Properties {
			close(p)
		}
		for _, group := range [][]*openapi3.SchemaRef{v.AllOf, v.OneOf, v.AnyOf} {
			for _, p := range group {
				close(p)
			}
		}
		close(v.Items)
		close(v.AdditionalProperties.Schema)
	}
	for _, s := range doc.Components.Schemas {
		close(s)
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, r := range op.Responses.Map() {
				for _, mt := range r.Value.Content {
					close(mt.Schema)
				}
			}
		}
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return router
}

// documented tells whether r, the answer to req, is one the document
// promises for req's operation.
func documented(router routers.Router, req *http.Request, r apptest.Response) error {
	route, params, err := router.FindRoute(req)
	if err != nil {
		return err
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	// An answer whose status the operation does not list is not documented,
	// whatever its body: kin-openapi lets it through unless told, and reads
	// the answer's own options, not the request's.
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: r.Status,
		Header:  http.Header{"Content-Type": {r.Header.Get("Content-Type")}},
		Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	out.SetBodyBytes([]byte(r.Body))
	return openapi3filter.ValidateResponse(context.Background(), out)
}

// Real answers of the API match the schemas the document promises, which
// name every field they carry.
func TestResponsesMatchTheDocument(t *testing.T) {
	router := strictOpenAPIRouter(t)
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	check := func(method, path, body string, c apptest.APIClient) apptest.Response {
		t.Helper()
		r := c.Do(method, path, body)
		req, _ := http.NewRequest(method, "http://localhost"+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if err := documented(router, req, r); err != nil {
			t.Errorf("%s %s answered %d, not as documented: %v", method, path, r.Status, err)
		}
		return r
	}
	check("GET", "/api/v1/recommendations", "", sc.Member)
	check("GET", "/api/v1/recommendations/9", "", sc.Member)
	check("GET", "/api/v1/me", "", sc.Member)
	check("GET", "/api/v1/me", "", sc.Focal)
	check("GET", "/api/v1/me", "", sc.Sec) // no organisation
	created := check("POST", "/api/v1/actions", apptest.NewActionBody, sc.Member)
	a := apptest.Decode[apptest.ActionJSON](t, created)
	check("GET", fmt.Sprintf("/api/v1/actions/%d", a.ID), "", sc.Member)
	check("PATCH", fmt.Sprintf("/api/v1/actions/%d", a.ID), `{"version": 1, "stage": "implemented"}`, sc.Member)
	check("PATCH", fmt.Sprintf("/api/v1/actions/%d", a.ID), `{"version": 1, "stage": "planned"}`, sc.Member) // 409
	check("POST", "/api/v1/actions", `{"cycle": 2026, "title": ""}`, sc.Member)                              // 422
	check("POST", "/api/v1/cycles/2026/carry-forward", "", sc.Member)
	check("POST", fmt.Sprintf("/api/v1/actions/%d/submit", a.ID), "", sc.Focal)
	check("GET", fmt.Sprintf("/api/v1/actions/%d/history", a.ID), "", sc.Member)
	check("GET", "/api/v1/my/actions?cycle=2026", "", sc.Member)
	check("GET", fmt.Sprintf("/api/v1/actions/%d", a.ID), "", sc.Other) // 404
	extend := fmt.Sprintf(`{"stakeholder_id": %d, "deadline": "2026-10-15"}`, sc.Org.ID)
	check("POST", "/api/v1/cycles/2026/extensions", extend, sc.Sec)
	check("POST", "/api/v1/cycles/2026/extensions", `{"stakeholder_id": 1, "deadline": "2026-12-01"}`, sc.Sec) // 422
	check("GET", "/api/v1/cycles/2026/extensions", "", sc.Sec)
	check("GET", "/api/v1/cycles/2026/extensions", "", sc.Focal) // 403
	check("DELETE", fmt.Sprintf("/api/v1/cycles/2026/extensions/%d", sc.Org.ID), "", sc.Sec)
	check("DELETE", fmt.Sprintf("/api/v1/cycles/2026/extensions/%d", sc.Org.ID), "", sc.Sec) // 404
	check("POST", "/api/v1/invitations", `{"email": "invited@own.example", "name": "New", "org_role": "member"}`, sc.Focal)
	check("POST", "/api/v1/invitations", `{"email": "sec@pc.example", "name": "New", "org_role": "member"}`, sc.Focal) // has an account: the same 202
	check("POST", "/api/v1/invitations", `{"email": "new.sec@pc.example", "name": "S", "role": "secretariat"}`, sc.Sec)
	check("POST", fmt.Sprintf("/api/v1/stakeholders/%d/invitations", sc.Org.ID), `{"email": "member@own.example", "name": "M", "org_role": "member"}`, sc.Sec)
	lab, err := sc.S.Stakeholders.Create(context.Background(), testutil.System, stakeholder.Input{Name: "Lab", Kind: stakeholder.Academia,
		Country: "CA", Verified: true, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	check("PATCH", fmt.Sprintf("/api/v1/stakeholders/%d", lab.ID), `{"version": 1, "reviewer": true, "reviewer_until": "2027-06-30"}`, sc.Sec)
	check("PATCH", fmt.Sprintf("/api/v1/stakeholders/%d", lab.ID), `{"version": 2, "reviewer_until": null}`, sc.Sec)
	check("PATCH", fmt.Sprintf("/api/v1/stakeholders/%d", sc.Org.ID), `{"version": 1, "reviewer": true}`, sc.Sec) // 422
	check("GET", fmt.Sprintf("/api/v1/stakeholders/%d", lab.ID), "", sc.Member)
}

// Every operation that takes a JSON body documents 400, 413 and 415, and
// answers 415, as documented, to a body sent as anything but JSON (or
// with no type), whoever may call it; no such request succeeds.
func TestOpenAPIJSONBodiesNeedJSON(t *testing.T) {
	doc, router := openAPIRouter(t)
	if !slices.Contains(doc.Components.Schemas["Error"].Value.Properties["error"].Value.Properties["code"].Value.Enum, any("unsupported_media_type")) {
		t.Error("the Error schema lacks the code unsupported_media_type")
	}
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	reviewer, _ := sc.Reviewer(t, stakeholder.CivilSociety, "analyst@reviewer.example")
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
				for _, c := range []apptest.APIClient{sc.Member, sc.Focal, sc.Sec, reviewer} {
					header := []string{"Authorization", "Bearer " + c.Token}
					if contentType != "" {
						header = append(header, "Content-Type", contentType)
					}
					r := apptest.SendRaw(t, http.DefaultClient, method, sc.TS+target, strings.NewReader(`{}`), header...)
					if r.Status < 300 {
						t.Errorf("%s %s as %q: %d", method, path, contentType, r.Status)
					}
					if r.Status != http.StatusUnsupportedMediaType {
						continue
					}
					refused = true
					req, _ := http.NewRequest(method, "http://localhost"+target, nil)
					if err := documented(router, req, r); err != nil {
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
